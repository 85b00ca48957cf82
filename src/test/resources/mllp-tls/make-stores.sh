#!/bin/sh
# Makes the MLLP TLS test stores (20 years, password "changeit") with the JDK's keytool:
# a test CA, the server (127.0.0.1), two laboratory clients signed by the CA and one
# self-signed client the server does not trust. Run in this folder; no network.
set -e
P=changeit
V=7300
rm -f *.p12 *.pem
k() { keytool -storetype PKCS12 -storepass $P -keypass $P "$@"; }
k -genkeypair -keystore ca.p12 -alias ca -keyalg EC -groupname secp256r1 -validity $V \
  -dname "CN=HemeFHIR Test CA" -ext bc:c
k -exportcert -keystore ca.p12 -alias ca -rfc -file ca.pem
k -importcert -keystore trust.p12 -alias ca -file ca.pem -noprompt
issue() { # store alias dname [ext]
  k -genkeypair -keystore $1 -alias $2 -keyalg EC -groupname secp256r1 -validity $V -dname "$3"
  k -certreq -keystore $1 -alias $2 -file $2.csr
  k -gencert -keystore ca.p12 -alias ca -infile $2.csr -outfile $2.pem -rfc -validity $V $4
  k -importcert -keystore $1 -alias ca -file ca.pem -noprompt
  k -importcert -keystore $1 -alias $2 -file $2.pem
  rm $2.csr $2.pem
}
issue server.p12 server "CN=hemefhir.test" "-ext san=ip:127.0.0.1,dns:localhost -ext eku=serverAuth"
issue lab-a.p12 lab-a "CN=lab-a, O=Example Laboratory" "-ext eku=clientAuth"
issue lab-b.p12 lab-b "CN=lab-b, O=Example Laboratory" "-ext eku=clientAuth"
k -genkeypair -keystore untrusted.p12 -alias lab-a -keyalg EC -groupname secp256r1 -validity $V \
  -dname "CN=lab-a, O=Example Laboratory"
rm ca.p12 # the CA key is not kept: to add a store, run the script again
