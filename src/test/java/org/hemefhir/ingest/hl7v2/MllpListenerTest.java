package org.hemefhir.ingest.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.hemefhir.fhirserver.ServerProperties;
import org.hemefhir.security.SecurityProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.util.unit.DataSize;

/** The listener's configuration, checked before the port opens. */
class MllpListenerTest {

	private static final Hl7v2Properties.Tls NO_TLS = new Hl7v2Properties.Tls(false, null,
			Hl7v2Properties.ClientAuth.NONE, Duration.ofSeconds(10));

	@Test
	void withSecurityOnTheListenerNeedsItsSenders() {
		assertThatThrownBy(() -> start(List.of(), NO_TLS)).hasMessageContaining("hemefhir.hl7v2.mllp.senders");
		assertThatThrownBy(() -> start(List.of(sender("lab-a", "lab.example.org", null)), NO_TLS))
			.hasMessageContaining("hemefhir.hl7v2.mllp.senders[0].addresses: 'lab.example.org' is not an IP address");
		assertThatThrownBy(() -> start(List.of(new Hl7v2Properties.Sender(" ", List.of("10.0.0.5"), null)), NO_TLS))
			.hasMessageContaining("senders[0].name");
		assertThatThrownBy(() -> start(List.of(new Hl7v2Properties.Sender("lab-a", null, null)), NO_TLS))
			.hasMessageContaining("senders[0].addresses");
	}

	@Test
	void sendersBindFromFlatProperties() {
		Hl7v2Properties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("hemefhir.hl7v2.mllp.senders[0].name", "lab-a", "hemefhir.hl7v2.mllp.senders[0].addresses",
						"10.0.0.5, 10.0.0.6", "hemefhir.hl7v2.mllp.senders[0].certificate-subject",
						"CN=lab-a,O=Example", "hemefhir.hl7v2.mllp.tls.client-auth", "need")))
			.bindOrCreate("hemefhir.hl7v2", Hl7v2Properties.class);
		assertThat(properties.mllp().senders()).containsExactly(
				new Hl7v2Properties.Sender("lab-a", List.of("10.0.0.5", "10.0.0.6"), "CN=lab-a,O=Example"));
		assertThat(properties.mllp().tls())
			.isEqualTo(new Hl7v2Properties.Tls(false, null, Hl7v2Properties.ClientAuth.NEED, Duration.ofSeconds(10)));
		assertThat(properties.mllp().port()).isZero();
	}

	@Test
	void sendersAreAddressesOrRangesEachOfOneSender() throws Exception {
		MllpSenders senders = MllpSenders.of(List.of(sender("lab-a", "10.1.2.3", null), sender("lab-b", " ::1 ", null),
				sender("lab-c", "10.2.0.0/16", "CN=lab-c")));
		assertThat(senders.at(InetAddress.getByName("10.1.2.3")).orElseThrow().name()).isEqualTo("lab-a");
		assertThat(senders.at(InetAddress.getByName("10.1.2.4"))).isEmpty();
		assertThat(senders.at(InetAddress.getByName("::1")).orElseThrow().name()).isEqualTo("lab-b");
		assertThat(senders.at(InetAddress.getByName("10.2.255.9")).orElseThrow().name()).isEqualTo("lab-c");
		assertThat(senders.at(InetAddress.getByName("10.3.0.1"))).isEmpty();
		assertThatThrownBy(() -> MllpSenders.of(List.of(sender("a", "999.1.1.1", null))))
			.hasMessageContaining("999.1.1.1");
		assertThatThrownBy(() -> MllpSenders.of(List.of(sender("a", "10.0.0.0/33", null))))
			.hasMessageContaining("prefix length");
		assertThatThrownBy(
				() -> MllpSenders.of(List.of(sender("a", "10.0.0.0/8", null), sender("b", "10.9.9.9", null))))
			.hasMessageContaining("'10.9.9.9' is also an address of 'a'");
		assertThatThrownBy(() -> MllpSenders.of(List.of(sender("a", "10.0.0.1", null), sender("A", "10.0.0.2", null))))
			.hasMessageContaining("given to two senders");
		assertThatThrownBy(() -> MllpSenders.of(List.of(sender("a", "10.0.0.1", "CN=a,,=x"))))
			.hasMessageContaining("not a distinguished name");
	}

	@Test
	void certificateSubjectsNeedTlsWithClientCertificates() {
		List<Hl7v2Properties.Sender> checked = List.of(sender("lab-a", "127.0.0.1", "lab-a"));
		assertThatThrownBy(() -> start(checked, NO_TLS)).hasMessageContaining("tls.enabled=true");
		assertThatThrownBy(() -> start(checked, tls(null, Hl7v2Properties.ClientAuth.NONE)))
			.hasMessageContaining("client-auth=none");
	}

	@Test
	void tlsNeedsAUsableBundle() {
		List<Hl7v2Properties.Sender> senders = List.of(sender("lab-a", "127.0.0.1", null));
		assertThatThrownBy(() -> start(senders, tls(null, Hl7v2Properties.ClientAuth.NEED)))
			.hasMessageContaining("hemefhir.hl7v2.mllp.tls.bundle");
		assertThatThrownBy(() -> start(senders, tls("missing", Hl7v2Properties.ClientAuth.NEED)))
			.hasMessageContaining("no SSL bundle 'missing'");
		DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry();
		JksSslStoreDetails keyOnly = new JksSslStoreDetails("PKCS12", null, "classpath:mllp-tls/server.p12",
				"changeit");
		bundles.registerBundle("no-trust", SslBundle.of(new JksSslStoreBundle(keyOnly, null)));
		assertThatThrownBy(() -> listener(senders, tls("no-trust", Hl7v2Properties.ClientAuth.WANT), bundles).start())
			.hasMessageContaining("needs a trust store");
	}

	private static Hl7v2Properties.Tls tls(String bundle, Hl7v2Properties.ClientAuth clientAuth) {
		return new Hl7v2Properties.Tls(true, bundle, clientAuth, Duration.ofSeconds(10));
	}

	private static void start(List<Hl7v2Properties.Sender> senders, Hl7v2Properties.Tls tls) {
		listener(senders, tls, new DefaultSslBundleRegistry()).start();
	}

	private static MllpListener listener(List<Hl7v2Properties.Sender> senders, Hl7v2Properties.Tls tls,
			DefaultSslBundleRegistry bundles) {
		SecurityProperties smart = new SecurityProperties(SecurityProperties.Mode.SMART, false, "https://idp", "aud",
				null, null, null, List.of("RS256"), Duration.ofSeconds(30), null, null, null, Duration.ofMinutes(5),
				Duration.ofMinutes(5), null, null, null, null);
		Hl7v2Properties properties = new Hl7v2Properties(ZoneOffset.UTC,
				new Hl7v2Properties.Mllp(2575, 4, Duration.ofMinutes(1), senders, tls), null, null);
		return new MllpListener(null, null, properties, new ServerProperties(Path.of("data"), DataSize.ofMegabytes(5),
				20, 500, 5, java.time.Duration.ofSeconds(5)), smart, bundles, null);
	}

	private static Hl7v2Properties.Sender sender(String name, String addresses, String subject) {
		return new Hl7v2Properties.Sender(name, List.of(addresses.split(",")), subject);
	}

}
