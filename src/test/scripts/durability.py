#!/usr/bin/env python3
# Durability check by hand (figures in docs/benchmarks.md): stream writes to the real jar, kill -9 it, restart,
# count acknowledged writes that are gone. Extra arguments go to the server; DIR stands for the run's temp dir.
# usage: python3 src/test/scripts/durability.py target/hemefhir.jar [server args...]
import json, os, signal, subprocess, sys, tempfile, threading, time, urllib.request
jar, port = sys.argv[1], 8377
extra = sys.argv[2:]
d = tempfile.mkdtemp()
def start():
    args = ['java', '-jar', jar, f'--server.port={port}', f'--hemefhir.data-dir={d}/db', '--hemefhir.samples.load=false'] + [a.replace('DIR', d) for a in extra]
    p = subprocess.Popen(args, stdout=open(f'{d}/log{time.time()}', 'w'), stderr=subprocess.STDOUT)
    while True:
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/actuator/health'); return p
        except Exception: time.sleep(0.3)
def post(path, body):
    r = urllib.request.Request(f'http://127.0.0.1:{port}/fhir/{path}', data=json.dumps(body).encode(), headers={'Content-Type': 'application/fhir+json'})
    return json.load(urllib.request.urlopen(r))['id']
p = start()
pid = post('Patient', {"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"d"}],"gender":"female","birthDate":"1964"})
acked = []; stop = False
def writer(w):
    n = 0
    while not stop:
        try:
            i = post('Observation', {"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"777-3"}]},"subject":{"reference":f"Patient/{pid}"},"effectiveDateTime":"2024-05-07","valueQuantity":{"value":110,"unit":"10*9/L","system":"http://unitsofmeasure.org","code":"10*9/L"}})
            acked.append(i)
        except Exception: return
        n += 1
ts = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
[t.start() for t in ts]; time.sleep(8); os.kill(p.pid, signal.SIGKILL); p.wait(); stop = True; [t.join() for t in ts]
p2 = start(); lost = 0
for i in acked:
    try: urllib.request.urlopen(f'http://127.0.0.1:{port}/fhir/Observation/{i}')
    except Exception: lost += 1
p2.kill()
print(f'{" ".join(extra) or "default (WRITE_DELAY=0)"}: {len(acked)} writes acknowledged in 8 s ({len(acked)/8:.1f}/s), {lost} lost after kill -9')
