#!/usr/bin/env python3
# What the costliest requests within the default limits take (docs/benchmarks.md, "Worst requests"):
# each is sent to a running server, timed, and followed by an ordinary read.
# usage: python3 src/test/scripts/worst_requests.py [base-url]   (default http://127.0.0.1:8080/fhir)
import json, sys, time, urllib.error, urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else 'http://127.0.0.1:8080/fhir'
run = str(int(time.time()))

def send(method, path, body=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={'Content-Type': 'application/fhir+json', 'Accept': 'application/fhir+json',
                                              'Prefer': 'return=minimal', **(headers or {})})
    start = time.time()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    return status, time.time() - start, text

def observation(**extra):
    return {"resourceType": "Observation", "status": "final", "code": {"text": "worst-" + run}, **extra}

status, _, text = send('POST', '/Patient', {"resourceType": "Patient", "identifier": [{"system": "urn:worst", "value": run}],
                                              "gender": "female", "birthDate": "1964"}, {'Prefer': 'return=representation'})
patient = json.loads(text)['id']

def transaction(n):
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Observation", "status": "final",
                      "identifier": [{"system": "urn:worst:obs", "value": f"{run}-{n}-{i}"}],
                      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
                      "code": {"coding": [{"system": "http://loinc.org", "code": "751-8"}]},
                      "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": "2024-05-01T08:00:00Z",
                      "valueQuantity": {"value": 1.5, "unit": "10^9/L", "system": "http://unitsofmeasure.org", "code": "10*9/L"}},
         "request": {"method": "POST", "url": "Observation", "ifNoneExist": f"identifier=urn:worst:obs|{run}-{n}-{i}"}}
        for i in range(n)]}

def nested(depth):
    e = {"url": "urn:worst:e", "valueString": "v"}
    for _ in range(depth):
        e = {"url": "urn:worst:e", "extension": [e]}
    return e

cases = [
    ("one resource of 33,000 notes (99,900 values)", 'POST', '/Observation', observation(note=[{"text": "n"}] * 33300)),
    ("one resource of 24,900 identifiers (99,600 values, each indexed)", 'POST', '/Observation',
     observation(identifier=[{"system": "urn:worst:id", "value": f"{run}-{i}"} for i in range(24900)])),
    ("extensions nested 48 deep (JSON depth 99)", 'POST', '/Observation', observation(extension=[nested(48)])),
    ("a transaction of 500 conditional creates of blood counts", 'POST', '', transaction(500)),
    ("a transaction of 1,500 conditional creates of blood counts", 'POST', '', transaction(1500)),
    ("refused: a decimal 1e999999", 'POST', '/Observation', b'{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e999999}}'),
    ("refused: 150,000 values", 'POST', '/Observation', observation(note=[{"text": "n"}] * 75000)),
    ("every include of 500 Observations", 'GET', '/Observation?_include=*&_count=500', None),
    ("every reverse include of 500 Patients", 'GET', '/Patient?_revinclude=*&_count=500', None),
    (f"$everything of the patient, largest page", 'GET', f'/Patient/{patient}/$everything?_count=500', None),
]
print("| request | status | seconds | an ordinary read afterwards (s) |")
print("| --- | ---: | ---: | ---: |")
for name, method, path, body in cases:
    status, seconds, _ = send(method, path, body)
    _, read, _ = send('GET', f'/Patient/{patient}')
    print(f"| {name} | {status} | {seconds:.2f} | {read:.3f} |")
