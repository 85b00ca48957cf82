#!/usr/bin/env python3
"""Offline consistency check of sample-bundles/ (no server needed): python3 sample-bundles/check.py

Checks the case-report bundles for what a FHIR server would only tell us one failure at a time:
unique fullUrls, resolvable urn:uuid and conditional references, idempotent requests (identifier plus
matching ifNoneExist, or PUT to a fixed id), declared profiles and extension URLs that exist in
fhir-profiles/, codings and displays that agree with the IG's enumerated value sets, treatment days
that agree with their dates, and the facts of the letter that the data must show. Exit status 1 on
any failure.
"""
import datetime as dt
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
IG = HERE.parent / "fhir-profiles"
CASE = HERE / "case-report"
INVALID = HERE / "invalid"
SID = "http://hemefhir.org/fhir/sid/case-tjh-2025-0019"
SD = "http://hemefhir.org/fhir/StructureDefinition/"
CORE_EXTENSIONS = {"http://hl7.org/fhir/StructureDefinition/data-absent-reason"}
# Resource type -> profile it must declare (contract's inference table); other types carry none.
PROFILE_BY_TYPE = {"Patient": "patient", "Condition": "diagnosis", "CarePlan": "treatment-regimen",
                   "MedicationAdministration": "medication-administration", "AdverseEvent": "adverse-event",
                   "ResearchStudy": "research-study", "ResearchSubject": "research-subject", "Consent": "consent"}

failures = []


def fail(msg):
    failures.append(msg)


def walk(node, path=""):
    """Yield (path, dict) for every JSON object below node."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def load_ig():
    profiles, extensions, vs_codes = set(), set(), {}
    for f in IG.rglob("*.json"):
        if "examples" in f.parts:
            continue
        try:
            d = json.loads(f.read_text())
        except ValueError:
            continue
        if d.get("resourceType") == "StructureDefinition":
            (extensions if d.get("type") == "Extension" else profiles).add(d["url"])
        elif d.get("resourceType") == "CodeSystem":
            todo = list(d.get("concept", []))
            while todo:  # a hierarchy (is-a) nests concepts
                c = todo.pop()
                vs_codes[(d["url"], c["code"])] = c.get("display")
                todo.extend(c.get("concept", []))
        elif d.get("resourceType") == "ValueSet":
            for inc in d.get("compose", {}).get("include", []):
                for c in inc.get("concept", []):
                    vs_codes[(inc["system"], c["code"])] = c.get("display")
    return profiles, extensions, vs_codes


def resource_date(r):
    for getter in (lambda: r.get("effectiveDateTime"), lambda: r.get("effectivePeriod", {}).get("start"),
                   lambda: r.get("performedDateTime"), lambda: r.get("performedPeriod", {}).get("start"),
                   lambda: r.get("collection", {}).get("collectedDateTime"),
                   lambda: r.get("period", {}).get("start"), lambda: r.get("date")):
        v = getter()
        if v:
            return v
    return None


def check_case(profiles, extensions, vs_codes):
    files = sorted(CASE.glob("*.json"))
    if not files:
        fail(f"no bundles in {CASE}")
    defined = {}        # (type, identifier value) -> resource, from earlier bundles
    put_ids = {}        # "Type/id" -> resource
    full_urls = set()
    anchors = {}        # reference string as written -> (kind, date) filled per bundle
    all_resources = []
    for f in files:
        bundle = json.loads(f.read_text())
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
            fail(f"{f.name}: not a transaction Bundle")
            continue
        local = {}
        for e in bundle["entry"]:
            fu = e.get("fullUrl", "")
            if not re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", fu):
                fail(f"{f.name}: fullUrl {fu!r} is not a urn:uuid")
            if fu in full_urls:
                fail(f"{f.name}: duplicate fullUrl {fu}")
            full_urls.add(fu)
            local[fu] = e["resource"]
        this_bundle = {}
        for e in bundle["entry"]:
            r, req = e["resource"], e["request"]
            rtype = r["resourceType"]
            ids = r.get("identifier")
            ids = ids if isinstance(ids, list) else [ids] if ids else []
            value = next((i["value"] for i in ids if i.get("system") == SID), None)
            where = f"{f.name}: {rtype} {value}"
            if value is None:
                fail(f"{where}: no identifier in {SID}")
            if req["method"] == "POST":
                if req.get("url") != rtype or req.get("ifNoneExist") != f"identifier={SID}|{value}":
                    fail(f"{where}: POST without matching ifNoneExist")
            elif req["method"] == "PUT":
                if not re.fullmatch(rf"{rtype}/[A-Za-z0-9\-.]{{1,64}}", req.get("url", "")) or "id" in r:
                    fail(f"{where}: PUT must target {rtype}/<id> with no id in the body")
                put_ids[req["url"]] = r
            else:
                fail(f"{where}: unexpected method {req['method']}")
            if (rtype, value) in defined or (rtype, value) in this_bundle:
                fail(f"{where}: identifier used twice")
            this_bundle[(rtype, value)] = r
            declared = r.get("meta", {}).get("profile", [])
            for p in declared:
                if p not in profiles:
                    fail(f"{where}: unknown profile {p}")
            want = PROFILE_BY_TYPE.get(rtype)
            if want and SD + "hemefhir-" + want not in declared:
                fail(f"{where}: should declare {SD}hemefhir-{want}")
            if rtype in ("Observation", "Procedure") and not declared:
                fail(f"{where}: declares no profile")
            for path, node in walk(r):
                url = node.get("url")
                if path.endswith("extension") or re.search(r"extension\[\d+\]$", path):
                    if url and "/" in url and url not in extensions and url not in CORE_EXTENSIONS:
                        fail(f"{where}: unknown extension {url}")
                if (node.get("system", "").startswith("http://hemefhir.org/fhir/CodeSystem/")
                        and (node["system"], node.get("code")) not in vs_codes):
                    fail(f"{where}: {path} code {node.get('code')!r} is not in {node['system']}")
                if "system" in node and "code" in node and (node["system"], node["code"]) in vs_codes:
                    want_display = vs_codes[(node["system"], node["code"])]
                    if want_display and node.get("display") not in (None, want_display):
                        fail(f"{where}: {path} display {node.get('display')!r} != {want_display!r}")
                ref = node.get("reference")
                if isinstance(ref, str) and path.split(".")[-1] != "meta":
                    if ref.startswith("urn:uuid:"):
                        if ref not in local:
                            fail(f"{where}: {path} -> {ref} not in bundle")
                    elif "?identifier=" in ref:
                        t, q = ref.split("?identifier=", 1)
                        system, _, v = q.partition("|")
                        if system != SID or (t, v) not in defined:
                            fail(f"{where}: {path} -> {ref} not defined by an earlier bundle")
                    elif re.fullmatch(r"[A-Z][A-Za-z]+/[A-Za-z0-9\-.]+", ref):
                        if ref not in put_ids:
                            fail(f"{where}: {path} -> {ref} is not written by these bundles")
                    else:
                        fail(f"{where}: {path} -> unexpected reference {ref}")
            all_resources.append((f.name, e["fullUrl"], r))
        defined.update(this_bundle)
    return all_resources, put_ids


def resolve(ref, by_full_url, by_ident, put_ids):
    if ref.startswith("urn:uuid:"):
        return by_full_url.get(ref)
    if "?identifier=" in ref:
        t, q = ref.split("?identifier=", 1)
        return by_ident.get((t, q.partition("|")[2]))
    return put_ids.get(ref)


def check_days_and_facts(all_resources, put_ids):
    by_full_url = {fu: r for _, fu, r in all_resources}
    by_ident = {}
    for _, _, r in all_resources:
        ids = r.get("identifier")
        ids = ids if isinstance(ids, list) else [ids]
        for i in ids:
            if i and i.get("system") == SID:
                by_ident[(r["resourceType"], i["value"])] = r
    # treatment-day: day 1 = CarePlan.period.start; day 0 = HSCT performedDateTime
    for name, _, r in all_resources:
        for ext in r.get("extension", []):
            if ext["url"] != SD + "treatment-day":
                continue
            parts = {x["url"]: x for x in ext["extension"]}
            day = parts["day"]["valueInteger"]
            anchor = resolve(parts["anchor"]["valueReference"]["reference"], by_full_url, by_ident, put_ids)
            when = resource_date(r)
            if anchor is None or when is None or len(when) < 10:
                fail(f"{name}: {r['resourceType']} treatment-day {day}: no anchor or no full date")
                continue
            if anchor["resourceType"] == "CarePlan":
                start = dt.date.fromisoformat(anchor["period"]["start"])
                expected = (dt.date.fromisoformat(when[:10]) - start).days + 1
            else:
                expected = (dt.date.fromisoformat(when[:10]) - dt.date.fromisoformat(anchor["performedDateTime"][:10])).days
            if expected != day:
                fail(f"{name}: {r['resourceType']} dated {when} has treatment-day {day}, expected {expected}")

    obs = [r for _, _, r in all_resources if r["resourceType"] == "Observation"]

    def series(loinc):
        return sorted((o["effectiveDateTime"], o["valueQuantity"]["value"]) for o in obs
                      if any(c.get("code") == loinc for c in o["code"]["coding"]))

    anc, plt = series("751-8"), series("777-3")
    first_anc = next((d for d, v in anc if v > 1.0), None)
    if first_anc != "2024-05-01":
        fail(f"first ANC > 1.0 is {first_anc}, expected 2024-05-01 (day 31)")
    three = [d for i, (d, _) in enumerate(anc) if all(v > 1.0 for _, v in anc[i:i + 3]) and len(anc[i:i + 3]) == 3]
    if not three or three[0] != "2024-05-01":
        fail("three consecutive ANC > 1.0 should start on day 31")
    first_plt = next((d for d, v in plt if v > 100), None)
    if first_plt != "2024-05-07" or any(v <= 100 for d, v in plt if d >= "2024-05-07"):
        fail(f"platelets > 100 should start on 2024-05-07 (day 37) and stay above; first is {first_plt}")
    transfusions = [r for _, _, r in all_resources if r["resourceType"] == "Procedure"
                    and r.get("meta", {}).get("profile") == [SD + "hemefhir-transfusion"]]
    if any(resource_date(t) > "2024-04-30" or t.get("performedPeriod", {}).get("end", "") > "2024-04-30"
           for t in transfusions):
        fail("a transfusion is dated after day 30")
    bm_neg = [o for o in obs if any(c.get("code") == "mrd-flow-presence" for c in o["code"]["coding"])
              and o["valueCodeableConcept"]["coding"][0]["code"] == "NEG"
              and resolve(o["specimen"]["reference"], by_full_url, by_ident, put_ids)["type"]["coding"][0]["code"] == "MAR"]
    if len([o for o in bm_neg if o["effectiveDateTime"] <= "2024-11-30"]) != 5:
        fail("expected exactly five negative bone-marrow MRD results through November 2024")
    responses = sorted((o["effectiveDateTime"], o["valueCodeableConcept"]["coding"][0]["code"]) for o in obs
                       if o["code"]["coding"][0]["code"] == "97509-4")
    if [c for _, c in responses] != ["cr-mrd-pos", "cri-mrd-neg", "cr-mrd-neg", "cr-mrd-neg", "cr-mrd-neg"]:
        fail(f"disease status over time is {responses}")
    admins = [r for _, _, r in all_resources if r["resourceType"] == "MedicationAdministration"]
    if len(admins) != 14:
        fail(f"expected 14 administrations (4 VDLP, 6 Dara-VA-HAA, 2 supportive, 2 conditioning), found {len(admins)}")
    grades = sorted((r["event"]["coding"][0]["display"], r["extension"][0]["valueCodeableConcept"]["coding"][0]["code"])
                    for _, _, r in all_resources if r["resourceType"] == "AdverseEvent")
    if len(grades) != 7:
        fail(f"expected 7 adverse events, found {grades}")


ASSUMED = SD + "assumed"
ASSUMED_TAG = ("http://hemefhir.org/fhir/CodeSystem/data-origin", "assumed")
# Elements the letter does not state, each of which must carry the assumed extension:
# (identifier value, path of the marked element with list indexes left out).
MUST_BE_MARKED = [
    ("patient", "_birthDate"),
    ("obs-stat5b-diagnosis", "_effectiveDateTime"),
    ("ae-neutrophil-count-decreased-day11", "extension.valueCodeableConcept"),
    ("ae-anemia-day11", "extension.valueCodeableConcept"),
    ("ae-platelet-count-decreased-day11", "extension.valueCodeableConcept"),
    ("ae-headache", "extension.valueCodeableConcept"),
    ("ae-nausea", "extension.valueCodeableConcept"),
    ("ae-vomiting", "extension.valueCodeableConcept"),
    ("ae-infusion-related-reaction", "extension.valueCodeableConcept"),
    ("ma-induction-vincristine", "effectivePeriod._start"),
    ("ma-consolidation-daratumumab", "effectivePeriod._start"),
    ("ma-conditioning-melphalan", "effectivePeriod._start"),
    ("ma-supportive-g-csf", "effectivePeriod._start"),
    ("obs-platelets-day32", "valueQuantity"),
    ("consent-consolidation", "_dateTime"),
    ("consent-publication", "_dateTime"),
    ("research-subject-maintenance", "period._start"),
    ("obs-chimerism", "_effectiveDateTime"),
    ("obs-chimerism", "specimen"),
    ("procedure-allo-hsct", "_performedDateTime"),
    ("procedure-transfusion-red-cells", "performedPeriod._start"),
]


def identifier_value(r):
    ids = r.get("identifier")
    ids = ids if isinstance(ids, list) else [ids] if ids else []
    return next((i["value"] for i in ids if i.get("system") == SID), None)


def assumed_paths(r):
    """Paths (list indexes dropped) of the elements carrying the assumed extension."""
    out = []
    for path, node in walk(r):
        for ext in node.get("extension", []) if isinstance(node.get("extension"), list) else []:
            if isinstance(ext, dict) and ext.get("url") == ASSUMED:
                out.append(re.sub(r"\[\d+\]", "", path))
    return out


def check_evidence_and_assumptions(all_resources, put_ids):
    by_full_url = {fu: r for _, fu, r in all_resources}
    by_ident = {(r["resourceType"], identifier_value(r)): r for _, _, r in all_resources}
    # (a) a response's evidence exists when the response is given: nothing it references is dated later
    for name, _, r in all_resources:
        if r["resourceType"] != "Observation" or r["code"]["coding"][0]["code"] != "97509-4":
            continue
        for path, node in walk(r):
            ref = node.get("reference")
            if not isinstance(ref, str):
                continue
            target = resolve(ref, by_full_url, by_ident, put_ids)
            if target and target["resourceType"] == "Observation" and target.get("effectiveDateTime", "")[:10] > r["effectiveDateTime"][:10]:
                fail(f"{name}: response {identifier_value(r)} ({r['effectiveDateTime']}) cites "
                     f"{identifier_value(target)} dated {target['effectiveDateTime']} at {path}")
    # (b) the assumed extension and the data-origin tag go together; the listed elements carry the marker
    for name, _, r in all_resources:
        tagged = any((t.get("system"), t.get("code")) == ASSUMED_TAG for t in r.get("meta", {}).get("tag", []))
        marked = bool(assumed_paths(r))
        if tagged != marked:
            fail(f"{name}: {r['resourceType']} {identifier_value(r)} has "
                 + ("the assumed tag but no assumed element" if tagged else "an assumed element but no assumed tag"))
    for value, path in MUST_BE_MARKED:
        r = next((r for (t, v), r in by_ident.items() if v == value), None)
        if r is None:
            fail(f"assumption list: no resource {value}")
        elif path not in assumed_paths(r):
            fail(f"{value}: {path} is assumed but carries no assumed extension (marked: {assumed_paths(r)})")


def check_invalid():
    listed = set(re.findall(r"`invalid/([\w.-]+)`", (HERE / "README.md").read_text()))
    files = {f.name for f in INVALID.glob("*.json")}
    if files != listed:
        fail(f"invalid/ and the README table differ: {sorted(files ^ listed)}")
    for f in sorted(INVALID.glob("*.json")):
        try:
            json.loads(f.read_text())
            if f.name == "malformed-json.json":
                fail("malformed-json.json parses")
        except ValueError:
            if f.name != "malformed-json.json":
                fail(f"{f.name} is not JSON")


def main():
    profiles, extensions, vs_codes = load_ig()
    if not profiles:
        fail(f"no profiles found under {IG}")
    all_resources, put_ids = check_case(profiles, extensions, vs_codes)
    check_days_and_facts(all_resources, put_ids)
    check_evidence_and_assumptions(all_resources, put_ids)
    check_invalid()
    for msg in failures:
        print("FAIL", msg)
    print(f"{len(all_resources)} resources in {len(list(CASE.glob('*.json')))} bundles; "
          f"{len(list(INVALID.glob('*.json')))} invalid samples; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
