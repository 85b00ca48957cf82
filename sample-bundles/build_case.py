#!/usr/bin/env python3
"""Writes sample-bundles/case-report/*.json (the TJH 2025-0019 case as FHIR R4 transaction bundles)
and sample-bundles/invalid/*.json (bodies the server must refuse, each one change away from the case).

The JSON files are the artifact the server loads; this script only keeps them consistent
(one date anchor, one identifier system, deterministic urn:uuid fullUrls). Run it after
changing the case, then check.py, and keep script and JSON in the same change. Every value the
letter does not report carries the `assumed` extension on its element (what the letter says and
why this value), and its resource the meta.tag data-origin|assumed (added by Bundle.add).
Dates that follow from a reported treatment day and the one assumed anchor (consolidation day 1
= 2024-04-01, marked on the Dara-VA-HAA CarePlan) are not marked again.
"""
import datetime as dt
import json
import pathlib
import sys
import uuid

OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent / "case-report"

# ---------------------------------------------------------------- contract constants
BASE = "http://hemefhir.org/fhir"
SD = BASE + "/StructureDefinition/"
CS = BASE + "/CodeSystem/"
PROFILE = {k: SD + "hemefhir-" + k for k in (
    "patient diagnosis blood-count mrd immunophenotype disease-response genomic-variant chimerism "
    "treatment-regimen medication-administration adverse-event allo-hsct transfusion research-study "
    "research-subject consent").split()}
LOINC = "http://loinc.org"
SCT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
MEDDRA = "https://www.meddra.org"
V3INT = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSCAT = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
V2_0487 = "http://terminology.hl7.org/CodeSystem/v2-0487"

# Business identifiers: one system for the whole case; conditional create/reference use it.
SID = BASE + "/sid/case-tjh-2025-0019"
UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, SID)

# ---------------------------------------------------------------- dates
ANCHOR = dt.date(2024, 4, 1)  # consolidation (Dara-VA-HAA) day 1; the letter says only "April 2024"
INDUCTION_DAY1 = dt.date(2024, 2, 8)  # assumed; letter: diagnosis and VDLP in February 2024
HSCT_DAY = 84  # consolidation day of the stem-cell infusion; assumed, the letter says only "day 78 conditioning, followed by allo-HSCT"


def cday(n):
    """Calendar date of consolidation day n (day 1 = ANCHOR, no day 0 convention needed for n >= 1)."""
    return (ANCHOR + dt.timedelta(days=n - 1)).isoformat()


def iday(n):
    return (INDUCTION_DAY1 + dt.timedelta(days=n - 1)).isoformat()


HSCT_DATE = dt.date.fromisoformat(cday(HSCT_DAY))


def hday(n):
    """Calendar date of post-transplant day +n (day 0 = infusion)."""
    return (HSCT_DATE + dt.timedelta(days=n)).isoformat()


# ---------------------------------------------------------------- helpers
def coding(system, code, display=None):
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def cc(*codings, text=None):
    r = {"coding": list(codings)}
    if text:
        r["text"] = text
    return r


def qty(value, unit, code=None):
    return {"value": value, "unit": unit, "system": UCUM, "code": code or unit}


def note(*texts):
    return [{"text": t} for t in texts if t]


ASSUMED = SD + "assumed"
ASSUMED_TAG = {"system": CS + "data-origin", "code": "assumed", "display": "Contains assumed values"}


def assumed(why):
    """The marker for an element whose value the letter does not state: its words and the reason for the value."""
    return {"url": ASSUMED, "valueString": why}


def mark(why):
    """The `_element` companion of an assumed primitive (e.g. "_effectiveDateTime": mark(...))."""
    return {"extension": [assumed(why)]}


def marked(value, why):
    """A complex value (CodeableConcept, Quantity, Reference) with the marker on it (none without a reason)."""
    return {"extension": [assumed(why)], **value} if why else value


def without_assumed(node):
    """A copy without assumed markers (the invalid samples are about one other fault each)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "extension" and isinstance(v, list):
                v = [e for e in v if not (isinstance(e, dict) and e.get("url") == ASSUMED)]
                if not v:
                    continue
            v = without_assumed(v)
            if k.startswith("_") and v == {}:
                continue
            out[k] = v
        return out
    if isinstance(node, list):
        return [without_assumed(v) for v in node]
    return node


def has_assumed(node):
    if isinstance(node, dict):
        return node.get("url") == ASSUMED or any(has_assumed(v) for v in node.values())
    if isinstance(node, list):
        return any(has_assumed(v) for v in node)
    return False


def narrative(text):
    """Narrative for resources that have no `note` element (Patient, AdverseEvent, Consent, ResearchSubject)."""
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"status": "additional", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{esc}</p></div>'}


def ident(value):
    return [{"system": SID, "value": value}]


def cond_ref(rtype, value, display=None):
    """Reference to a resource written by an earlier bundle (HAPI resolves it inside the transaction)."""
    r = {"reference": f"{rtype}?identifier={SID}|{value}"}
    if display:
        r["display"] = display
    return r


PATIENT = cond_ref("Patient", "patient")
DIAGNOSIS = cond_ref("Condition", "diagnosis-t-all")


def consent(note, scope, date, date_assumed, organization, approval, purpose):
    """A Consent of the case: its scope and purpose codes, the organization and the ethics approval URI."""
    return {
        "resourceType": "Consent",
        "text": narrative(note),
        "status": "active",
        "scope": cc(coding("http://terminology.hl7.org/CodeSystem/consentscope", *scope)),
        "category": [cc(coding(LOINC, "59284-0", "Patient Consent"))],
        "patient": PATIENT,
        "dateTime": date,
        "_dateTime": mark(date_assumed),
        "organization": [{"display": organization}],
        "policy": [{"authority": "urn:hemefhir:ethics", "uri": approval}],
        "provision": {"type": "permit", "purpose": [coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", *purpose)]},
    }


class Bundle:
    def __init__(self, name):
        self.name = name
        self.entries = []
        self.local = {}  # identifier value -> (resourceType, fullUrl)

    def add(self, resource, value, profile=None):
        rtype = resource["resourceType"]
        full = "urn:uuid:" + str(uuid.uuid5(UUID_NS, f"{rtype}/{value}"))
        body = {"resourceType": rtype}
        meta = {"profile": [PROFILE[profile]]} if profile else {}
        if has_assumed(resource):
            meta["tag"] = [ASSUMED_TAG]  # searchable: _tag:not=<data-origin>|assumed leaves it out
        if meta:
            body["meta"] = meta
        # FHIR JSON forbids empty arrays (e.g. a note list with nothing to say)
        rest = {k: v for k, v in resource.items() if v != []}
        rest.pop("resourceType")
        if "identifier" not in rest:
            # AdverseEvent.identifier and Composition.identifier are 0..1 in R4, elsewhere 0..*.
            single = rtype in ("AdverseEvent", "Composition")
            rest = {"identifier": ident(value)[0] if single else ident(value), **rest}
        body.update(rest)
        body = json.loads(json.dumps(body))  # shared reference dicts (PATIENT...) must not be localized in place
        # AdverseEvent too: R4 has no identifier search parameter for it, the IG adds one (adverse-event-identifier)
        request = {"method": "POST", "url": rtype, "ifNoneExist": f"identifier={SID}|{value}"}
        self.entries.append({"fullUrl": full, "resource": body, "request": request})
        self.local[value] = (rtype, full)
        return {"reference": full}

    def ref(self, value, display=None):
        rtype, full = self.local[value]
        r = {"reference": full}
        if display:
            r["display"] = display
        return r

    def localize(self, node):
        """Conditional references to resources of this same bundle become its urn:uuid fullUrls."""
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and "?identifier=" + SID + "|" in ref:
                value = ref.split("|", 1)[1]
                if value in self.local and self.local[value][0] == ref.split("?", 1)[0]:
                    node["reference"] = self.local[value][1]
            for v in node.values():
                self.localize(v)
        elif isinstance(node, list):
            for v in node:
                self.localize(v)

    def write(self):
        OUT.mkdir(parents=True, exist_ok=True)
        for e in self.entries:
            self.localize(e["resource"])
        doc = {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}
        (OUT / self.name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def tday(day, anchor):
    return {"url": SD + "treatment-day", "extension": [
        {"url": "day", "valueInteger": day}, {"url": "anchor", "valueReference": anchor}]}


def regimen_ext(ref):
    return {"url": SD + "regimen-reference", "valueReference": ref}


def regimen_plan(code, display, phase, title, start, extra_ext=(), start_assumed=None, **rest):
    return {
        "resourceType": "CarePlan",
        "extension": [
            {"url": SD + "regimen-code", "valueCodeableConcept": cc(coding(CS + "regimen", code, display))},
            {"url": SD + "treatment-phase", "valueCodeableConcept": cc(coding(CS + "treatment-phase", phase, phase.capitalize()))},
            *extra_ext],
        "status": rest.pop("status", "completed"),
        "intent": "plan",
        "title": title,
        "subject": PATIENT,
        "period": {"start": start, **({"_start": mark(start_assumed)} if start_assumed else {})},
        **rest,
    }


def agent_activity(drug):
    return {"detail": {"kind": "MedicationRequest", "productCodeableConcept": DRUG[drug], "status": "completed"}}


LAB = cc(coding(OBSCAT, "laboratory", "Laboratory"))
MARROW = cc(coding(V2_0487, "MAR", "Marrow"), coding(SCT, "396997002", "Specimen from bone marrow obtained by aspiration (specimen)"))
CSF = cc(coding(V2_0487, "CSF", "Cerebral spinal fluid"), coding(SCT, "258450006", "Cerebrospinal fluid sample (specimen)"))
FLOW = cc(coding(CS + "mrd-method", "flow-cytometry", "Flow cytometry"))
# The letter reports MRD as negative/positive without numbers: the qualitative code (LOINC 67128-9 is a
# quantitative number fraction and takes a % value only, hf-mrd-3).
MRD_CODE = cc(coding(CS + "observation-code", "mrd-flow-presence", "Measurable residual disease by flow cytometry [Presence]"))
MRD_QN_CODE = cc(coding(LOINC, "67128-9", "Abnormal leukocytes/Leukocytes in Specimen by Flow cytometry (FC)"))
# CD38 on the leukaemic cells, marrow and CSF alike (LOINC 51298-8 counts CD38+ among all marrow cells,
# where 0.00 % is implausible; no verified LOINC code for CD38 on blasts exists).
CD38 = cc(coding(CS + "observation-code", "cd38-abnormal-cells", "CD38+ cells/Abnormal (leukaemic) cells by flow cytometry [%]"))
MRD_METHOD_ASSUMED = ("The letter does not name the MRD method; flow cytometry is assumed because a CD38 positivity "
                      "rate is reported with each MRD result.")
DARA_MASKING = ("Daratumumab (anti-CD38, given in consolidation from day 1) can mask CD38 in flow cytometry: a 0.00 % "
                "CD38 rate after daratumumab may be a masked result rather than absent CD38 expression.")
NEG = cc(coding(V3INT, "NEG", "Negative"))
POS = cc(coding(V3INT, "POS", "Positive"))
ANC = cc(coding(LOINC, "751-8", "Neutrophils [#/volume] in Blood by Automated count"))
PLT = cc(coding(LOINC, "777-3", "Platelets [#/volume] in Blood by Automated count"))
RESPONSE_CODE = cc(coding(LOINC, "97509-4", "Cancer Disease Progression"))


def response_value(code):
    displays = {"cr": "Complete remission (CR)", "cri": "Complete remission with incomplete hematologic recovery (CRi)",
                "cr-mrd-neg": "Complete remission, MRD negative", "cr-mrd-pos": "Complete remission, MRD positive",
                "cri-mrd-neg": "Complete remission with incomplete hematologic recovery, MRD negative",
                "cri-mrd-pos": "Complete remission with incomplete hematologic recovery, MRD positive"}
    return cc(coding(CS + "disease-response", code, displays[code]))


DRUG = {
    "vincristine": cc(coding(RXNORM, "11202", "vincristine"), coding(ATC, "L01CA02", "vincristine"), text="vincristine"),
    "daunorubicin": cc(coding(ATC, "L01DB02", "daunorubicin"), text="daunorubicin"),
    "asparaginase": cc(coding(ATC, "L01XX02", "asparaginase"), text="L-asparaginase"),
    "prednisone": cc(coding(RXNORM, "8640", "predniSONE"), coding(ATC, "H02AB07", "prednisone"), text="prednisone"),
    "daratumumab": cc(coding(RXNORM, "1721947", "daratumumab"), coding(ATC, "L01FC01", "daratumumab"), text="daratumumab (Dara)"),
    "venetoclax": cc(coding(ATC, "L01XX52", "venetoclax"), text="venetoclax (Ven)"),
    "azacitidine": cc(coding(RXNORM, "1251", "azacitidine"), coding(ATC, "L01BC07", "azacitidine"), text="azacitidine (Aza)"),
    "homoharringtonine": cc(coding(ATC, "L01XX40", "omacetaxine mepesuccinate"), text="homoharringtonine (HHT)"),
    "cytarabine": cc(coding(RXNORM, "3041", "cytarabine"), coding(ATC, "L01BC01", "cytarabine"), text="cytarabine (Ara-C)"),
    "aclarubicin": cc(coding(RXNORM, "239", "aclarubicin"), coding(ATC, "L01DB04", "aclarubicin"), text="aclarubicin (Acla)"),
    "fludarabine": cc(coding(RXNORM, "24698", "fludarabine"), coding(ATC, "L01BB05", "fludarabine"), text="fludarabine"),
    "melphalan": cc(coding(RXNORM, "6718", "melphalan"), coding(ATC, "L01AA03", "melphalan"), text="melphalan"),
    # The letter names no product: the class code, not filgrastim.
    "g-csf": cc(coding(CS + "drug", "g-csf", "Granulocyte colony-stimulating factor, product not reported"),
                text="granulocyte colony-stimulating factor (G-CSF)"),
    "rhtpo": cc(coding(CS + "drug", "rhtpo", "Recombinant human thrombopoietin (rhTPO)"),
                text="recombinant human thrombopoietin (rhTPO)"),
}

NO_SCHEDULE = ("Dose, route and day-by-day schedule are not reported (the letter's supplementary material is not "
               "available); only the agent and the regimen are reported.")


def administration(drug, start, regimen, day, anchor, assumption, reason=True, extra_notes=()):
    """One agent of a regimen; `assumption` says why its start is the day given (the letter gives no schedule)."""
    r = {
        "resourceType": "MedicationAdministration",
        "extension": [regimen_ext(regimen), tday(day, anchor)],
        "status": "completed",
        "medicationCodeableConcept": DRUG[drug],
        "subject": PATIENT,
        "effectivePeriod": {"start": start, "_start": mark(assumption)},
        "note": note(NO_SCHEDULE, *extra_notes),
    }
    if reason:
        r["reasonReference"] = [DIAGNOSIS]
    return r


def specimen(kind, date, day=None, anchor=None, assumption=None):
    r = {"resourceType": "Specimen"}
    if day is not None:
        r["extension"] = [tday(day, anchor)]
    r.update({
        "status": "available",
        "type": MARROW if kind == "bm" else CSF,
        "subject": PATIENT,
        "collection": {"collectedDateTime": date,
                       "method": cc(coding(SCT, "49401003" if kind == "bm" else "277762005",
                                           "Bone marrow aspiration procedure (procedure)" if kind == "bm" else "Lumbar puncture (procedure)"))},
    })
    if assumption:
        r["collection"]["_collectedDateTime"] = mark(assumption)
    return r


def dated(r, date, date_assumed):
    """effectiveDateTime, marked when the letter does not give that day."""
    r["effectiveDateTime"] = date
    if date_assumed:
        r["_effectiveDateTime"] = mark(date_assumed)
    return r


def mrd(result, date, spec, day, anchor, notes, date_assumed=None):
    r = {
        "resourceType": "Observation",
        "extension": [tday(day, anchor)],
        "status": "final",
        "category": [LAB],
        "code": MRD_CODE,
        "subject": PATIENT,
        "focus": [DIAGNOSIS],
    }
    dated(r, date, date_assumed)
    r.update({
        "valueCodeableConcept": NEG if result == "NEG" else POS,
        "interpretation": [NEG if result == "NEG" else POS],
        "method": marked(FLOW, MRD_METHOD_ASSUMED),
        "specimen": spec,
        "note": note(*notes, "Assay sensitivity not reported."),
    })
    return r


def cd38_pct(value, date, spec, day, anchor, notes=(), date_assumed=None):
    r = {
        "resourceType": "Observation",
        "extension": [tday(day, anchor)],
        "status": "final",
        "category": [LAB],
        "code": CD38,
        "subject": PATIENT,
    }
    dated(r, date, date_assumed)
    r.update({
        "valueQuantity": {"value": value, "unit": "%", "system": UCUM, "code": "%"},
        "specimen": spec,
        "note": note("CD38 positivity rate of the leukaemic cells as reported in the letter.", *notes, DARA_MASKING),
    })
    return r


def cd38_high(date, spec, notes, date_assumed, day=None, anchor=None):
    r = {"resourceType": "Observation"}
    if day is not None:
        r["extension"] = [tday(day, anchor)]
    r.update({"status": "final", "category": [LAB], "code": CD38, "subject": PATIENT})
    dated(r, date, date_assumed)
    r.update({
        # The letter reports "high CD38 expression" without a percentage: no value is invented (hf-obs-1, hf-obs-2).
        "dataAbsentReason": cc(coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown"),
                               text="reported as 'high CD38 expression' without a percentage"),
        "interpretation": [cc(coding(V3INT, "H", "High"), text="high CD38 expression")],
        "specimen": spec,
        "note": note(*notes),
    })
    return r


def count(code, value, date, day, anchor, unit_display, notes, value_assumed=None, date_assumed=None):
    r = {
        "resourceType": "Observation",
        "extension": [tday(day, anchor)],
        "status": "final",
        "category": [LAB],
        "code": code,
        "subject": PATIENT,
    }
    dated(r, date, date_assumed)
    q = qty(value, unit_display, "10*9/L")
    r["valueQuantity"] = marked(q, value_assumed) if value_assumed else q
    r["note"] = note(*notes)
    return r


def response(code, date, day, anchor, members, notes, date_assumed=None):
    r = {
        "resourceType": "Observation",
        "extension": [tday(day, anchor)],
        "status": "final",
        "category": [cc(coding(OBSCAT, "exam", "Exam"))],
        "code": RESPONSE_CODE,
        "subject": PATIENT,
        "focus": [DIAGNOSIS],
    }
    dated(r, date, date_assumed)
    r.update({
        "valueCodeableConcept": response_value(code),
        "note": note(*notes),
    })
    if members:
        r["hasMember"] = members
    return r


def variant(present, date, spec, notes, date_assumed, day=None, anchor=None):
    r = {"resourceType": "Observation"}
    if day is not None:
        r["extension"] = [tday(day, anchor)]
    r.update({
        "status": "final",
        "category": [LAB, cc(coding(V2_0074, "GE", "Genetics"))],
        "code": cc(coding(LOINC, "69548-6", "Genetic variant assessment")),
        "subject": PATIENT,
    })
    dated(r, date, date_assumed)
    r.update({
        "valueCodeableConcept": cc(coding(LOINC, "LA9633-4", "Present") if present else coding(LOINC, "LA9634-2", "Absent")),
        "method": cc(coding(LOINC, "LA26398-0", "Sequencing"), text="next-generation sequencing (NGS)"),
        "specimen": spec,
        "component": [{
            "code": cc(coding(LOINC, "48018-6", "Gene studied [ID]")),
            "valueCodeableConcept": cc(coding("http://www.genenames.org", "HGNC:11367", "STAT5B")),
        }],
        "note": note(*notes),
    })
    return r


CTCAE_TERMS = {
    "headache": (("C143527", "Headache"), ("10019211", "Headache")),
    "nausea": (("C146764", "Nausea"), ("10028813", "Nausea")),
    "vomiting": (("C57896", "Vomiting"), ("10047700", "Vomiting")),
    "infusion-related-reaction": (("C143583", "Infusion related reaction"), ("10051792", "Infusion related reaction")),
    "neutrophil-count-decreased": (("C143704", "Neutrophil count decreased"), ("10029366", "Neutrophil count decreased")),
    "platelet-count-decreased": (("C143764", "Platelet count decreased"), ("10035528", "Platelet count decreased")),
    "anemia": (("C143283", "Anemia"), ("10002272", "Anemia")),
}
GRADE_DISPLAY = {1: "Mild Adverse Event", 2: "Moderate Adverse Event", 3: "Severe Adverse Event"}


def adverse_event(term, grade, date, regimen, suspects, explanation, grade_assumed, outcome=None, day=None, anchor=None,
                  date_assumed=None):
    (ncit, ndisp), (mdr, mdisp) = CTCAE_TERMS[term]
    ext = [{"url": SD + "ctcae-grade", "valueCodeableConcept": marked(
               cc(coding(CS + "ctcae-grade", str(grade), GRADE_DISPLAY[grade])), grade_assumed)},
           regimen_ext(regimen)]
    if day is not None:
        ext.append(tday(day, anchor))
    r = {
        "resourceType": "AdverseEvent",
        "text": narrative(explanation),
        "extension": ext,
        "actuality": "actual",
        "event": cc(coding(NCIT, ncit, ndisp), coding(MEDDRA, mdr, mdisp), text=ndisp),
        "subject": PATIENT,
        "date": date,
        "suspectEntity": [{"instance": s} for s in suspects],
    }
    if date_assumed:
        r["_date"] = mark(date_assumed)
    if outcome:
        r["outcome"] = cc(coding("http://terminology.hl7.org/CodeSystem/adverse-event-outcome", outcome,
                                 {"resolved": "Resolved"}[outcome]))
    return r


# ================================================================= 01 patient and diagnosis
def bundle_01():
    b = Bundle("01-patient-and-diagnosis.json")
    b.add({
        "resourceType": "Patient",
        "identifier": ident("patient") + [{"system": "urn:hemefhir:case", "value": "tjh-2025-0019"}],
        "text": narrative("Patient of the letter to the editor DOI 10.4274/tjh.galenos.2025.2025.0019: a 60-year-old woman "
                          "when T-ALL was diagnosed in February 2024. No name or other identifying data are reported."),
        "gender": "female",
        "birthDate": "1963",
        "_birthDate": mark("Letter: 'a 60-year-old female ... newly diagnosed ... in February 2024'. Age 60 then means a "
                           "birth between March 1963 and February 1964; the year 1963 is derived from the age, not reported."),
    }, "patient", "patient")

    feb = ("Letter: 'newly diagnosed ... in February 2024', no day; the 5th is assumed for the diagnostic marrow "
           "and the results from it.")
    spec = b.add(specimen("bm", "2024-02-05", assumption=feb), "specimen-bm-diagnosis")
    b.add(cd38_high("2024-02-05", spec, ["Diagnostic sample; the letter describes a newly diagnosed T-ALL with high CD38 "
                                         "expression."], feb),
          "obs-cd38-diagnosis", "immunophenotype")
    b.add(variant(True, "2024-02-05", spec,
                  ["STAT5B mutation detected by NGS of bone marrow (the letter reports it only as no longer detected at "
                   "follow-up, so it was present before). The variant's HGVS and allele fraction are not reported."],
                  "Letter: 'NGS of the BM no longer detected the STAT5B mutation' (November 2024); when it was first "
                  "detected is not reported. Dated to the diagnostic marrow (February 2024, day assumed)."),
          "obs-stat5b-diagnosis", "genomic-variant")
    b.add({
        "resourceType": "Condition",
        "extension": [
            {"url": SD + "leukemia-subtype", "valueCodeableConcept": cc(coding(CS + "leukemia-subtype", "non-etp", "Non-ETP T-ALL"))},
            {"url": SD + "histology-morphology", "valueCodeableConcept": cc(coding(
                "http://terminology.hl7.org/CodeSystem/icd-o-3", "9837/3", "T lymphoblastic leukemia/lymphoma"))},
        ],
        "clinicalStatus": cc(coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "remission", "Remission")),
        "verificationStatus": cc(coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")),
        "category": [cc(coding("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis"))],
        "code": cc(coding(SCT, "277575008", "T-cell acute lymphoblastic leukemia"),
                   text="Newly diagnosed non-ETP T-cell acute lymphoblastic leukemia (T-ALL) with high CD38 expression"),
        "bodySite": [cc(coding(SCT, "14016003", "Bone marrow structure (body structure)"))],
        "subject": PATIENT,
        # onset[x] is one choice: the reported age goes there, the reported month of diagnosis in recordedDate.
        "onsetAge": {"value": 60, "unit": "a", "system": UCUM, "code": "a"},
        "recordedDate": "2024-02",
        "evidence": [{"detail": [b.ref("obs-cd38-diagnosis"), b.ref("obs-stat5b-diagnosis")]}],
        "note": note("Onset age 60 years and the month of diagnosis (recordedDate, February 2024) are reported; the "
                     "day of diagnosis is not. clinicalStatus 'remission' reflects the last report (CR, MRD negative, "
                     "February 2025)."),
    }, "diagnosis-t-all", "diagnosis")
    # The diagnosis is created after its evidence in file order only for readability; transaction order does not matter.
    b.write()
    return b


# ================================================================= 02 induction
def bundle_02():
    b = Bundle("02-induction.json")
    agents = ["vincristine", "daunorubicin", "asparaginase", "prednisone"]
    plan = b.add(regimen_plan(
        "vdlp", "VDLP (vincristine, daunorubicin, L-asparaginase, prednisone)", "induction",
        "VDLP induction (one cycle)", iday(1),
        extra_ext=[{"url": SD + "cycle-number", "valuePositiveInt": 1}],
        addresses=[DIAGNOSIS],
        activity=[agent_activity(a) for a in agents],
        start_assumed="Letter: diagnosis and VDLP induction in February 2024, no days; day 1 of the cycle is assumed "
                      f"on {iday(1)}.",
        note=note("One cycle of VDLP induction (reported). Induction day N = "
                  f"{iday(1)} + (N-1) days."),
    ), "regimen-vdlp-induction", "treatment-regimen")
    for a in agents:
        b.add(administration(a, iday(1), plan, 1, plan,
                             f"Letter: 'one cycle of VDLP induction', no schedule; the agent is dated to the assumed first "
                             f"day of the cycle ({iday(1)})."),
              f"ma-induction-{a}", "medication-administration")
    d = 29
    post = ("Letter: CR 'after one cycle of VDLP induction' but MRD positive, no date; the post-induction marrow is "
            "assumed on induction day 29.")
    spec = b.add(specimen("bm", iday(d), d, plan, post), "specimen-bm-post-induction")
    m = b.add(mrd("POS", iday(d), spec, d, plan,
                  ["After one VDLP cycle the patient remained MRD positive (reported); the MRD level is not reported."],
                  post),
              "obs-mrd-bm-post-induction", "mrd")
    c = b.add(cd38_high(iday(d), spec, ["Persistent high CD38 expression after induction (reported)."], post, d, plan),
              "obs-cd38-post-induction", "immunophenotype")
    b.add(response("cr-mrd-pos", iday(d), d, plan, [m, c],
                   ["Complete remission after one cycle of VDLP but MRD positive, with persistent high CD38 expression "
                    "(reported: 'evaluated as CR/MRD(+)')."], post),
          "obs-response-post-induction", "disease-response")
    b.write()
    return b


# ================================================================= 03 consolidation
def bundle_03():
    b = Bundle("03-consolidation.json")
    b.add(consent(
        "Written informed consent before Dara-VA-HAA consolidation (reported). The clinical pathway was "
        "approved by the Ethics Committee of the 920th Hospital of the Joint Logistics Support Force, "
        "No. 2022-096-02.",
        ("treatment", "Treatment"), "2024-03",
        "Letter: consent was obtained before consolidation, which began in April 2024; no date. March 2024 is assumed "
        f"(before consolidation day 1, {cday(1)}).",
        "The 920th Hospital of Joint Logistics Support Force, Department of Hematology",
        "urn:hemefhir:ethics:2022-096-02", ("TREAT", "treatment")), "consent-consolidation", "consent")

    agents = ["daratumumab", "venetoclax", "azacitidine", "homoharringtonine", "cytarabine", "aclarubicin"]
    plan = b.add(regimen_plan(
        "dara-va-haa", "Dara-VA-HAA (daratumumab, venetoclax, azacitidine, homoharringtonine, cytarabine, aclarubicin)",
        "consolidation", "Dara-VA-HAA consolidation", cday(1),
        start_assumed="Letter: 'consolidation chemotherapy was initiated in April 2024', no day. Day 1 is anchored on "
                      f"{cday(1)}; every consolidation date is day 1 + (N-1) days of a reported day N.",
        addresses=[DIAGNOSIS],
        activity=[agent_activity(a) for a in agents],
        note=note(f"Consolidation day 1 is anchored on {cday(1)} (assumption: the letter says only 'April 2024'); "
                  "every other consolidation date is day 1 + (N-1) days.",
                  "Indication: CR but MRD positive with persistent high CD38 expression after VDLP induction.",
                  "Schedule and doses are in the letter's supplementary material, which is not available."),
    ), "regimen-dara-va-haa-consolidation", "treatment-regimen")

    admins = {}
    for a in agents:
        admins[a] = b.add(administration(a, cday(1), plan, 1, plan,
                                         "Letter: the regimen's schedule is in the supplementary material (not "
                                         f"available); every agent is dated to consolidation day 1 ({cday(1)})."),
                          f"ma-consolidation-{a}", "medication-administration")
    suspects = [admins[a] for a in agents]

    # Grade I/II reactions: the letter gives one range for all four.
    for term, label in (("headache", "headache"), ("nausea", "nausea"), ("vomiting", "vomiting"),
                        ("infusion-related-reaction", "infusion-related reaction")):
        b.add(adverse_event(
            term, 2, "2024-04", plan, suspects,
            f"Grade I/II {label} during Dara-VA-HAA consolidation, fully resolved with symptomatic treatment (reported). "
            "The letter attributes the reaction to the regimen without naming an agent, so all six agents are listed "
            "as suspects.",
            "Letter: 'grade I/II adverse reactions, including headache, nausea, vomiting, and infusion-related "
            "reactions', one range for all four. Grade 2, the upper bound, is recorded so that a grade >= 2 search "
            "does not miss them; the actual grade may have been 1.",
            outcome="resolved",
            date_assumed="Letter: during consolidation, which began in April 2024; no day or month. April 2024 is "
                         "assumed (infusion reactions occur with the first daratumumab doses)."),
            f"ae-{term}", "adverse-event")

    day11 = cday(11)
    # Grades checked against CTCAE v5.0; the lowest grade the letter's words and the care given imply (REQUESTS-FOR-IG.md).
    for term, label, reason, grade_why, outcome in (
            ("neutrophil-count-decreased", "Chemotherapy-associated neutropenia",
             "Recovery: ANC > 1.0 x10^9/L by day 31 (reported).",
             "Letter: 'neutropenia' on day 11, G-CSF given, 'by day 31, the ANC had recovered to greater than 1.0 x10^9/L'; "
             "no grade. Recovery above 1.0 means the ANC was below 1.0: CTCAE v5.0 grade 3 (< 1.0-0.5 x10^9/L) is the "
             "lowest grade that fits; grade 4 (< 0.5) is likely after this regimen but not stated.", "resolved"),
            ("anemia", "Severe anemia",
             "No hemoglobin value is reported. Outcome not reported.",
             "Letter: 'severe anemia' treated with 'suspended red blood cell transfusions'; no grade. CTCAE v5.0 grade 3 "
             "is 'Hgb < 8.0 g/dL; transfusion indicated', which the transfusions match; grade 4 needs life-threatening "
             "consequences, which the letter does not report.", None),
            ("platelet-count-decreased", "Thrombocytopenia",
             "Recovery: platelets > 100 x10^9/L by day 37 (reported).",
             "Letter: 'thrombocytopenia' treated with rhTPO and 'platelet apheresis transfusions'; no grade or count. A "
             "platelet transfusion is indicated below 50 x10^9/L at the latest (CTCAE v5.0 grade 3: < 50-25), so "
             "grade 3 is the lowest grade that fits; grade 4 (< 25) is likely (prophylactic transfusion below 10-20) "
             "but not stated.", "resolved")):
        b.add(adverse_event(
            term, 3, day11, plan, suspects,
            f"{label} observed on day 11 of Dara-VA-HAA consolidation (reported), chemotherapy-associated. {reason}",
            grade_why, outcome=outcome, day=11, anchor=plan),
            f"ae-{term}-day11", "adverse-event")

    support_start = ("Letter: cytopenias 'on day 11 of consolidation chemotherapy' and the supportive care given for them, "
                     "without days; the start on day 11 is assumed, duration not reported.")
    b.add(administration("g-csf", day11, plan, 11, plan, support_start, reason=False, extra_notes=(
        "The letter says 'granulocyte colony-stimulating factor' without naming the product: coded as the class "
        "(HemeFHIR drug g-csf), not as filgrastim.",)), "ma-supportive-g-csf", "medication-administration")
    b.add(administration("rhtpo", day11, plan, 11, plan, support_start, reason=False, extra_notes=(
        "rhTPO has no RxNorm or ATC code; it is coded in the HemeFHIR drug code system.",)),
        "ma-supportive-rhtpo", "medication-administration")
    for key, code, disp, product, pdisp, letter in (
            ("red-cells", "116863004", "Transfusion of red blood cells", "suspended-red-cells", "Suspended red blood cells",
             "suspended red blood cell transfusions"),
            ("apheresis-platelets", "180208003", "Intravenous blood transfusion of platelets", "apheresis-platelets",
             "Apheresis platelets", "platelet apheresis transfusions")):
        b.add({
            "resourceType": "Procedure",
            "extension": [regimen_ext(plan), tday(11, plan)],
            "status": "completed",
            "category": cc(coding(SCT, "5447007", "Transfusion")),
            "code": cc(coding(SCT, code, disp)),
            "subject": PATIENT,
            # A series: one Procedure over a period; how many units and the last day are not reported.
            "performedPeriod": {"start": day11, "_start": mark(
                f"Letter: '{letter}' for the day-11 cytopenias, without number or dates; the series is assumed to start "
                "on day 11. Its end is not reported (left open); no transfusion is recorded after day 30.")},
            "usedCode": [cc(coding(CS + "blood-product", product, pdisp))],
            "note": note("Supportive transfusions for the day-11 cytopenias (reported); the number of transfusions is "
                         "not reported."),
        }, f"procedure-transfusion-{key}", "transfusion")

    # Count recovery: the letter gives thresholds only; the values are illustrative and marked.
    def anc(day, value, why):
        return b.add(count(ANC, value, cday(day), day, plan, "10^9/L", [],
                           value_assumed=f"Letter: 'by day 31, the ANC had recovered to greater than 1.0 x10^9/L', no "
                                         f"values. {why}"),
                     f"obs-anc-day{day}", "blood-count")

    anc(30, 0.8, "This value (below 1.0) illustrates that day 31 is the first day above the threshold.")
    anc(31, 1.2, "This value illustrates the reported threshold crossing.")
    anc(32, 1.4, "This value is kept above 1.0 so that three consecutive values above 1.0 also date recovery to day 31.")
    anc(33, 1.6, "This value is kept above 1.0 so that three consecutive values above 1.0 also date recovery to day 31.")
    for day, value, why in ((32, 72, "CRi on day 32 means incomplete recovery: with the ANC above 1.0 since day 31, the "
                                     "platelets were below 100 that day; this value is the evidence the day-32 "
                                     "response rests on."),
                            (36, 85, "This value (below 100) illustrates that day 37 is the first day above the "
                                     "threshold."),
                            (37, 110, "This value illustrates the reported threshold crossing; no platelet transfusion "
                                      "is recorded after day 30.")):
        b.add(count(PLT, value, cday(day), day, plan, "10^9/L", [],
                    value_assumed=f"Letter: 'by day 37, the PLT had recovered to greater than 100 x10^9/L', no values. "
                                  f"{why}"),
              f"obs-platelets-day{day}", "blood-count")

    # Day 32: bone marrow
    s32 = b.add(specimen("bm", cday(32), 32, plan), "specimen-bm-day32")
    m32 = b.add(mrd("NEG", cday(32), s32, 32, plan, ["Bone-marrow MRD negative on day 32 (reported)."]),
                "obs-mrd-bm-day32", "mrd")
    c32 = b.add(cd38_pct(0.00, cday(32), s32, 32, plan, notes=["Day 32: CD38 positivity had dropped to 0.00 %."]),
                "obs-cd38-bm-day32", "immunophenotype")
    # Evidence as it stood on day 32 (hf-resp-1): nothing dated later.
    b.add(response("cri-mrd-neg", cday(32), 32, plan,
                   [m32, c32, b.ref("obs-anc-day32"), b.ref("obs-platelets-day32")],
                   ["Day 32: CR with incomplete hematologic recovery (CRi), BM MRD negative (reported): the first "
                    "MRD-negative remission. ANC was above 1.0 x10^9/L, platelets below 100 x10^9/L (> 100 only from "
                    "day 37)."]),
          "obs-response-day32", "disease-response")

    # Day 73: bone marrow and CSF
    s73 = b.add(specimen("bm", cday(73), 73, plan), "specimen-bm-day73")
    f73 = b.add(specimen("csf", cday(73), 73, plan), "specimen-csf-day73")
    m73 = b.add(mrd("NEG", cday(73), s73, 73, plan, ["Day 73: bone-marrow MRD negative (reported)."]),
                "obs-mrd-bm-day73", "mrd")
    mf73 = b.add(mrd("NEG", cday(73), f73, 73, plan, ["Day 73: cerebrospinal-fluid MRD negative (reported)."]),
                 "obs-mrd-csf-day73", "mrd")
    c73 = b.add(cd38_pct(0.00, cday(73), s73, 73, plan, notes=["Day 73, bone marrow."]), "obs-cd38-bm-day73", "immunophenotype")
    cf73 = b.add(cd38_pct(0.00, cday(73), f73, 73, plan, notes=["Day 73, cerebrospinal fluid."]),
                 "obs-cd38-csf-day73", "immunophenotype")
    b.add(response("cr-mrd-neg", cday(73), 73, plan, [m73, mf73, c73, cf73],
                   ["Day 73: sustained CR confirmed; BM and CSF MRD negative, CD38 0.00 % in both (reported)."]),
          "obs-response-day73", "disease-response")
    b.write()
    return b


# ================================================================= 04 transplant
CONSOLIDATION = cond_ref("CarePlan", "regimen-dara-va-haa-consolidation", "Dara-VA-HAA consolidation")


def bundle_04():
    b = Bundle("04-transplant.json")
    plan = b.add(regimen_plan(
        "flu-mel", "Fludarabine + melphalan conditioning", "conditioning", "Flu/Mel conditioning before allo-HSCT", cday(78),
        extra_ext=[tday(78, CONSOLIDATION)],
        addresses=[DIAGNOSIS],
        activity=[agent_activity("fludarabine"), agent_activity("melphalan")],
        note=note("Conditioning (preconditioning) with fludarabine and melphalan from consolidation day 78 (reported). "
                  "Doses and schedule are not reported."),
    ), "regimen-flu-mel-conditioning", "treatment-regimen")
    hsct = b.add({
        "resourceType": "Procedure",
        "extension": [
            {"url": SD + "cd34-dose", "valueQuantity": qty(13.35, "10^6/kg", "10*6/kg")},
            {"url": SD + "hla-match", "extension": [
                {"url": "matched-antigens", "valueRatio": {"numerator": {"value": 7}, "denominator": {"value": 12}}},
                {"url": "donor-type", "valueCodeableConcept": cc(coding(CS + "hla-donor-type", "haploidentical",
                                                                        "Haploidentical related donor"))}]},
            {"url": SD + "donor-relationship", "valueCodeableConcept": cc(coding(
                "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "SONC", "son"))},
            {"url": SD + "abo-compatibility", "extension": [
                {"url": "donor", "valueCodeableConcept": cc(coding(LOINC, "LA19708-9", "Group O"))},
                {"url": "recipient", "valueCodeableConcept": cc(coding(LOINC, "LA19709-7", "Group B"))},
                {"url": "mismatch", "valueCodeableConcept": cc(coding(CS + "abo-mismatch", "minor", "Minor ABO mismatch"))}]},
            {"url": SD + "donor-specific-antibodies", "valueCodeableConcept": cc(coding(V3INT, "NEG", "Negative"))},
            tday(HSCT_DAY, CONSOLIDATION),
        ],
        "status": "completed",
        "category": cc(coding(SCT, "77465005", "Transplantation")),
        "code": cc(coding(SCT, "234336002", "Hemopoietic stem cell transplant"),
                   coding(SCT, "50223000", "Allogeneic transplantation"),
                   text="Allogeneic hematopoietic stem cell transplantation (allo-HSCT), haploidentical, donor: son"),
        "subject": PATIENT,
        "performedDateTime": HSCT_DATE.isoformat(),
        "_performedDateTime": mark(
            "Letter: 'On day 78, the patient received preconditioning therapy with fludarabine and melphalan, followed "
            f"by allo-HSCT', no transplant date. {HSCT_DATE.isoformat()} (consolidation day {HSCT_DAY}, after a "
            "conditioning of six days) is assumed; post-transplant days are counted from it (day 0)."),
        # The conditioning regimen this transplant follows (its administrations are partOf this Procedure).
        "basedOn": [plan],
        "reasonReference": [DIAGNOSIS],
        "note": note(
            "Reported: donor the patient's son, HLA 7/12 match (7 of 12 alleles; the loci typed are not reported), "
            "haploidentical, donor blood group O to recipient B (minor ABO mismatch), donor-specific antibodies "
            "negative, CD34+ cell dose 13.35 x10^6/kg. Stem-cell source not reported."),
    }, "procedure-allo-hsct", "allo-hsct")
    for a in ("fludarabine", "melphalan"):
        r = administration(a, cday(78), plan, 78, CONSOLIDATION,
                           "Letter: 'On day 78, the patient received preconditioning therapy with fludarabine and "
                           "melphalan'; the day each agent was given is not reported, both are dated to day 78.")
        r["partOf"] = [hsct]  # conditioning is part of the transplant procedure
        b.add(r, f"ma-conditioning-{a}", "medication-administration")
    # The day +28 marrow serves the chimerism and the third negative MRD (bundle 05).
    s28 = b.add(specimen("bm", hday(28), 28, hsct, "Letter: five consecutive negative BM MRD assessments through "
                                                   "November 2024, no dates; the third is assumed on day +28."),
                "specimen-bm-hsct-day28")
    b.add({
        "resourceType": "Observation",
        "extension": [tday(28, hsct)],
        "status": "final",
        "category": [LAB],
        "code": cc(coding(CS + "observation-code", "donor-chimerism", "Donor chimerism [%]")),
        "subject": PATIENT,
        "focus": [hsct],
        "effectiveDateTime": hday(28),
        "_effectiveDateTime": mark(f"Letter: 'The chimerism rate was 94%', no date; day +28 ({hday(28)}), the usual "
                                   "first engraftment check, is assumed."),
        "valueQuantity": qty(94, "%"),
        "specimen": marked(s28, "Letter: no specimen, method or cell lineage for the chimerism; the day +28 bone-marrow "
                                "aspirate is assumed (unsorted cells, lineage not reported)."),
        "note": note("Donor chimerism 94 % (reported); method and lineage not reported."),
    }, "obs-chimerism", "chimerism")
    b.write()
    return b


# ================================================================= 05 follow-up
HSCT = cond_ref("Procedure", "procedure-allo-hsct", "Allogeneic HSCT")


def bundle_05():
    b = Bundle("05-follow-up.json")
    # Five consecutive negative BM MRD results through November 2024: days 32 and 73 (bundle 03) are the first two;
    # the three post-transplant dates below are assumptions.
    followups = [(28, "3 of 5"), (90, "4 of 5"), (145, "5 of 5")]
    for d, nth in followups:
        when = (f"Letter: 'five consecutive BM MRD assessments that were all negative, with a CD38 positivity rate of "
                f"0.00%' as of November 2024, no dates; result {nth} is assumed on day +{d} ({hday(d)}).")
        if d == 28:
            s = cond_ref("Specimen", f"specimen-bm-hsct-day{d}")  # written with the chimerism (bundle 04)
        else:
            s = b.add(specimen("bm", hday(d), d, HSCT, when), f"specimen-bm-hsct-day{d}")
        b.add(mrd("NEG", hday(d), s, d, HSCT, [
            f"Negative bone-marrow MRD result {nth} of the five consecutive negative results reported through November "
            "2024 (the first two are consolidation days 32 and 73)."], when),
            f"obs-mrd-bm-hsct-day{d}", "mrd")
        b.add(cd38_pct(0.00, hday(d), s, d, HSCT, notes=[
            "CD38 positivity 0.00 % with each follow-up bone-marrow MRD assessment (reported)."], date_assumed=when),
            f"obs-cd38-bm-hsct-day{d}", "immunophenotype")
    nov = 145
    nov_date = (f"Letter: 'As of November 2024', no day; the follow-up assessment is assumed on day +{nov} "
                f"({hday(nov)}).")
    snov = b.ref(f"specimen-bm-hsct-day{nov}")
    fnov = b.add(specimen("csf", hday(nov), nov, HSCT, nov_date), f"specimen-csf-hsct-day{nov}")
    b.add(mrd("NEG", hday(nov), fnov, nov, HSCT, ["CSF MRD remained negative as of November 2024 (reported)."], nov_date),
          f"obs-mrd-csf-hsct-day{nov}", "mrd")
    b.add(variant(False, hday(nov), snov, [
        "NGS of the bone marrow no longer detected the STAT5B mutation as of November 2024 (reported). The genomic "
        "regions covered are not reported."], nov_date, nov, HSCT),
        "obs-stat5b-follow-up", "genomic-variant")
    for code, value, key, what in ((ANC, 3.0, "anc", "neutrophil"), (PLT, 180, "platelets", "platelet")):
        o = count(code, value, hday(nov), nov, HSCT, "10^9/L", [],
                  value_assumed=f"Letter: 'Both the neutrophil and platelet counts have recovered to within normal "
                                f"ranges', no values; an illustrative {what} count within the normal range.",
                  date_assumed=nov_date)
        o["interpretation"] = [cc(coding(V3INT, "N", "Normal"))]
        b.add(o, f"obs-{key}-hsct-day{nov}", "blood-count")
    b.add(response("cr-mrd-neg", hday(nov), nov, HSCT,
                   [b.ref(f"obs-mrd-bm-hsct-day{nov}"), b.ref(f"obs-mrd-csf-hsct-day{nov}"), b.ref("obs-stat5b-follow-up"),
                    b.ref(f"obs-anc-hsct-day{nov}"), b.ref(f"obs-platelets-hsct-day{nov}")],
                   ["As of November 2024: five consecutive negative BM MRD assessments, CD38 0.00 %, STAT5B no longer "
                    "detected, CSF MRD negative, neutrophils and platelets within normal ranges; efficacy assessed as CR "
                    "(reported) with MRD negative."], nov_date),
          f"obs-response-hsct-day{nov}", "disease-response")

    study = b.add({
        "resourceType": "ResearchStudy",
        "status": "active",
        "_status": mark("Letter: 'enrolled in another clinical trial for maintenance therapy', no trial status; "
                        "'active' is assumed (it was enrolling in November 2024)."),
        "title": "Post-allo-HSCT maintenance trial (identity not reported)",
        "primaryPurposeType": cc(coding("http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type",
                                        "treatment", "Treatment")),
        "condition": [cc(coding(SCT, "277575008", "T-cell acute lymphoblastic leukemia"))],
        "description": "Clinical trial of maintenance therapy after allogeneic HSCT, aimed at further reducing the risk of "
                       "relapse. The letter does not name the trial, its sponsor, registration or agents.",
    }, "research-study-maintenance", "research-study")
    subject = b.add({
        "resourceType": "ResearchSubject",
        "text": narrative("Enrolled in another clinical trial for maintenance therapy after allo-HSCT (reported as of "
                          "November 2024)."),
        "status": "on-study",
        "_status": mark("Letter: 'was enrolled' as of November 2024; 'on-study' is assumed (no later status reported)."),
        "period": {"start": "2024-11", "_start": mark("Letter: enrolled 'as of November 2024', no enrolment date; the "
                                                      "month November 2024 is assumed.")},
        "study": study,
        "individual": PATIENT,
    }, "research-subject-maintenance", "research-subject")
    b.add(regimen_plan(
        "post-hsct-maintenance", "Post-allo-HSCT maintenance", "maintenance",
        "Post-allo-HSCT maintenance within a clinical trial", "2024-11",
        start_assumed="Letter: maintenance within a trial 'as of November 2024', no start date; November 2024 is assumed.",
        status="unknown",
        addresses=[DIAGNOSIS],
        supportingInfo=[subject],
        note=note("Maintenance therapy after allo-HSCT within a clinical trial (reported). The agents and schedule are "
                  "not reported."),
    ), "regimen-post-hsct-maintenance", "treatment-regimen")

    feb = (dt.date(2025, 2, 15) - HSCT_DATE).days
    feb_date = "Letter: 'As of February 2025 ... CR/MRD(-)', no day; 2025-02-15 is assumed."
    feb_spec = specimen("bm", hday(feb), feb, HSCT, feb_date)
    feb_spec["type"] = marked(feb_spec["type"], "Letter: 'CR/MRD(-)' in February 2025 without the specimen; bone "
                                                "marrow is assumed (the specimen of every earlier remission assessment).")
    sfeb = b.add(feb_spec, "specimen-bm-2025-02")
    mfeb = b.add(mrd("NEG", hday(feb), sfeb, feb, HSCT, ["As of February 2025 the patient remained MRD negative "
                                                         "(reported)."], feb_date),
                 "obs-mrd-bm-2025-02", "mrd")
    b.add(response("cr-mrd-neg", hday(feb), feb, HSCT, [mfeb],
                   ["As of February 2025 the disease status remained CR/MRD(-) (reported)."], feb_date),
          "obs-response-2025-02", "disease-response")
    b.write()
    return b


# ================================================================= 06 case report document
def bundle_06(prev):
    b = Bundle("06-case-report-document.json")
    org = b.add({
        "resourceType": "Organization",
        "name": "The 920th Hospital of Joint Logistics Support Force, Department of Hematology",
        "address": [{"state": "Yunnan", "country": "CN"}],
    }, "organization-920th-hospital-hematology")
    consent2 = b.add(consent(
        "Written informed consent before the manuscript was drafted (reported). The "
        "retrospective analysis was approved by the Ethics Committee of the Sixth Affiliated Hospital of "
        "Kunming Medical University, No. 2024kmykdx6f201.",
        ("research", "Research"), "2024-12",
        "Letter: consent 'prior to drafting this manuscript', no date; the letter was received on 14 January 2025, so "
        "December 2024 is assumed.", "The Sixth Affiliated Hospital, Kunming Medical University",
        "urn:hemefhir:ethics:2024kmykdx6f201", ("HRESCH", "healthcare research")), "consent-publication", "consent")

    def refs(bundle, prefixes):
        out = []
        for value, (rtype, _full) in bundle.local.items():
            if any(value.startswith(p) for p in prefixes):
                out.append(cond_ref(rtype, value))
        return out

    b01, b02, b03, b04, b05 = prev
    sections = [
        ("presentation", "Presentation",
         "60-year-old woman with newly diagnosed non-ETP T-ALL (February 2024), high CD38 expression, STAT5B mutation "
         "detected by bone-marrow NGS.",
         refs(b01, ["patient", "diagnosis", "specimen", "obs-"])),
        ("treatment", "Treatment",
         "One cycle of VDLP induction; Dara-VA-HAA consolidation from April 2024 (day 1 anchored on "
         f"{cday(1)}) after written informed consent; grade I/II headache, nausea, vomiting and infusion-related "
         "reactions; day-11 neutropenia, severe anemia and thrombocytopenia treated with G-CSF, rhTPO, suspended red-cell "
         "and apheresis platelet transfusions.",
         refs(b02, ["regimen-", "ma-"]) + refs(b03, ["consent-", "regimen-", "ma-", "ae-", "procedure-"])),
        ("response", "Response",
         "CR with MRD positivity after induction; ANC > 1.0 x10^9/L on day 31, platelets > 100 x10^9/L on day 37; "
         "day 32 BM MRD negative, CD38 0.00 %, CRi; day 73 BM and CSF MRD negative, CD38 0.00 %, sustained CR.",
         refs(b02, ["specimen", "obs-"]) + refs(b03, ["specimen", "obs-"])),
        ("transplant", "Transplant",
         "Fludarabine + melphalan conditioning from day 78, then haploidentical allo-HSCT from the patient's son (HLA "
         "7/12, O to B, DSA negative, CD34+ 13.35 x10^6/kg); donor chimerism 94 %.",
         refs(b04, ["regimen-", "ma-", "procedure-", "specimen", "obs-"])),
        ("follow-up", "Follow-up",
         "Through November 2024 five consecutive negative BM MRD results with CD38 0.00 %, STAT5B no longer detected, CSF "
         "MRD negative, normal neutrophils and platelets, CR; enrolled in a post-transplant maintenance trial; CR/MRD(-) "
         "in February 2025. Written informed consent before the manuscript.",
         refs(b05, ["specimen", "obs-", "research-", "regimen-"]) + [consent2]),
    ]
    b.add({
        "resourceType": "Composition",
        "identifier": ident("composition-case-report")[0],
        "status": "final",
        "type": cc(coding(LOINC, "34133-9", "Summary of episode note"), text="Case report"),
        "subject": PATIENT,
        "date": "2025-05-05",
        "author": [org],
        "title": "Daratumumab, Venetoclax, and Azacitidine in Combination with HAA Regimen as Consolidation "
                 "Chemotherapy for T-cell Acute Lymphoblastic Leukemia with High CD38 Expression (case as FHIR data)",
        "relatesTo": [{"code": "transforms", "targetIdentifier": {"system": "https://doi.org",
                                                                   "value": "10.4274/tjh.galenos.2025.2025.0019"}}],
        "section": [{
            "title": title,
            "text": narrative(text),
            "entry": entries,
        } for code, title, text, entries in sections],
    }, "composition-case-report")
    b.write()
    return b


# ================================================================= invalid samples
INVALID = OUT.parent / "invalid"
CASE_PATIENT = cond_ref("Patient", "patient")


def strip_case_links(resource):
    """A resource of the case as a stand-alone body: no bundle-local references, no identifier that exists."""
    r = without_assumed(json.loads(json.dumps(resource)))
    r.get("meta", {}).pop("tag", None)
    if r.get("meta") == {}:
        r.pop("meta")
    r.pop("identifier", None)
    r["extension"] = [e for e in r.get("extension", []) if e["url"] not in (SD + "treatment-day", SD + "regimen-reference")]
    if not r["extension"]:
        r.pop("extension")
    for key in ("subject", "patient", "individual"):
        if key in r:
            r[key] = CASE_PATIENT
    for key in ("focus", "hasMember", "evidence", "reasonReference", "suspectEntity", "specimen", "basedOn", "partOf"):
        r.pop(key, None)
    return r


def prune(node):
    """Drops empty arrays left by a removed element: `"note": []` is itself invalid FHIR."""
    if isinstance(node, dict):
        return {k: prune(v) for k, v in node.items() if v not in ([], {}, None)}
    if isinstance(node, list):
        return [prune(v) for v in node]
    return node


def write_invalid(name, body, raw=None):
    INVALID.mkdir(parents=True, exist_ok=True)
    body = prune(body)
    text = raw if raw is not None else json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    (INVALID / name).write_text(text)


def invalid_samples():
    # Valid bases, taken from the case itself so that each sample differs from a valid resource in one place.
    anc = strip_case_links(count(ANC, 1.2, cday(31), 31, None, "10^9/L", ["Invalid sample."]))
    mrd_obs = strip_case_links(mrd("NEG", cday(32), None, 32, None, []))
    mrd_obs["specimen"] = cond_ref("Specimen", "specimen-bm-day32")
    ae = strip_case_links(adverse_event("anemia", 3, cday(11), None, [], "Invalid sample.", None))
    hsct = strip_case_links(next(e["resource"] for e in _BUNDLES["04"].entries if e["resource"]["resourceType"] == "Procedure"))
    resp = strip_case_links(response("cri", cday(32), 32, None, [], []))
    ma = strip_case_links(administration("venetoclax", cday(1), None, 1, None, "Invalid sample."))
    gv = strip_case_links(variant(True, "2024-02-05", None, [], None))
    chim = strip_case_links(next(e["resource"] for e in _BUNDLES["04"].entries
                                 if e["resource"]["resourceType"] == "Observation"))
    plan = strip_case_links(regimen_plan("dara-va-haa", "Dara-VA-HAA", "consolidation", "Dara-VA-HAA consolidation", cday(1)))
    patient = {"resourceType": "Patient", "meta": {"profile": [PROFILE["patient"]]},
               "identifier": ident("invalid-sample-patient"), "gender": "female", "birthDate": "1963"}

    def with_profile(r, key):
        r = json.loads(json.dumps(r))  # every sample mutates its own copy
        return {"resourceType": r["resourceType"], "meta": {"profile": [PROFILE[key]]},
                **{k: v for k, v in r.items() if k != "resourceType"}}

    samples = {}
    r = with_profile(anc, "blood-count"); r["valueQuantity"] = {"value": 120, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}
    samples["blood-count-anc-in-mg-dl.json"] = r
    r = with_profile(anc, "blood-count"); r.pop("effectiveDateTime")
    samples["blood-count-without-effective-date.json"] = r
    r = with_profile(mrd_obs, "mrd"); r.pop("specimen")
    samples["mrd-without-specimen.json"] = r
    r = with_profile(mrd_obs, "mrd"); r.pop("valueCodeableConcept"); r.pop("interpretation")
    r["code"] = MRD_QN_CODE  # a number goes with the quantitative code: the unit is the one fault
    r["valueQuantity"] = {"value": 0.0001, "unit": "1", "system": UCUM, "code": "1"}
    samples["mrd-fraction-not-percent.json"] = r
    r = with_profile(ae, "adverse-event")
    r["extension"][0]["valueCodeableConcept"] = cc(coding(CS + "ctcae-grade", "7", "Grade 7"))
    samples["adverse-event-grade-7.json"] = r
    r = with_profile(ae, "adverse-event"); r["extension"] = [e for e in r["extension"] if e["url"] != SD + "ctcae-grade"]
    if not r["extension"]:
        r.pop("extension")
    samples["adverse-event-without-grade.json"] = r
    r = with_profile(ae, "adverse-event")
    r["severity"] = cc(coding("http://terminology.hl7.org/CodeSystem/adverse-event-severity", "severe", "Severe"))
    samples["adverse-event-with-severity.json"] = r
    r = with_profile(hsct, "allo-hsct"); r["extension"] = [e for e in r["extension"] if e["url"] != SD + "cd34-dose"]
    samples["hsct-without-cd34-dose.json"] = r
    r = with_profile(hsct, "allo-hsct")
    for e in r["extension"]:
        if e["url"] == SD + "cd34-dose":
            e["valueQuantity"] = {"value": 13.35, "unit": "cells/kg", "system": UCUM, "code": "/kg"}
    samples["hsct-cd34-dose-wrong-unit.json"] = r
    r = with_profile(hsct, "allo-hsct"); r["extension"] = [e for e in r["extension"] if e["url"] != SD + "hla-match"]
    samples["hsct-without-hla-match.json"] = r
    r = with_profile(resp, "disease-response")
    r["valueCodeableConcept"] = cc(coding(CS + "disease-response", "mrd-negative", "MRD negative"))
    samples["response-code-outside-value-set.json"] = r
    r = with_profile(ma, "medication-administration")
    r["medicationCodeableConcept"] = cc(coding(ATC, "M01AE01", "ibuprofen"), text="ibuprofen")
    samples["medication-unknown-drug-code.json"] = r
    r = with_profile(ma, "medication-administration"); r["medicationCodeableConcept"].pop("text")
    samples["medication-without-rxnorm-or-text.json"] = r
    r = with_profile(gv, "genomic-variant"); r["category"] = [LAB]
    samples["genomic-variant-without-ge-category.json"] = r
    r = with_profile(chim, "chimerism")
    samples["chimerism-without-transplant-focus.json"] = r
    r = json.loads(json.dumps(patient)); r.pop("birthDate")
    samples["patient-without-birth-date.json"] = r
    r = with_profile(plan, "treatment-regimen")
    r["extension"] = [e for e in r["extension"] if e["url"] != SD + "regimen-code"]
    samples["regimen-without-regimen-code.json"] = r
    for name, body in samples.items():
        write_invalid(name, body)

    # Structural failures (400): not profile problems.
    write_invalid("malformed-json.json", None, raw='{\n  "resourceType": "Patient",\n  "gender": "female",\n  "birthDate": "1963"\n')
    write_invalid("resource-type-mismatch.json", patient)  # POSTed to /Observation

    def tx(entries):
        return {"resourceType": "Bundle", "type": "transaction", "entry": entries}

    obs = with_profile(anc, "blood-count")
    obs_unknown = json.loads(json.dumps(obs)); obs_unknown["subject"] = {"reference": "Patient/tjh-2025-0019-no-such-patient"}
    write_invalid("transaction-reference-to-missing-patient.json", tx([
        {"fullUrl": "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/missing-patient")), "resource": obs_unknown,
         "request": {"method": "POST", "url": "Observation"}}]))
    obs_urn = json.loads(json.dumps(obs)); obs_urn["subject"] = {"reference": "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/not-in-bundle"))}
    write_invalid("transaction-unresolved-urn-uuid.json", tx([
        {"fullUrl": "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/unresolved")), "resource": obs_urn,
         "request": {"method": "POST", "url": "Observation"}}]))
    dup = "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/duplicate"))
    write_invalid("transaction-duplicate-full-url.json", tx([
        {"fullUrl": dup, "resource": obs, "request": {"method": "POST", "url": "Observation"}},
        {"fullUrl": dup, "resource": obs, "request": {"method": "POST", "url": "Observation"}}]))
    # Self-contained (the patient is in the bundle) so that profile validation finds nothing to refuse.
    coll_patient = "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/collection-patient"))
    obs_coll = json.loads(json.dumps(obs)); obs_coll["subject"] = {"reference": coll_patient}
    write_invalid("bundle-type-collection-posted-as-transaction.json",
                  {"resourceType": "Bundle", "type": "collection", "entry": [
                      {"fullUrl": coll_patient, "resource": patient},
                      {"fullUrl": "urn:uuid:" + str(uuid.uuid5(UUID_NS, "invalid/collection")), "resource": obs_coll}]})


_BUNDLES = {}


def main():
    for key, build in (("01", bundle_01), ("02", bundle_02), ("03", bundle_03), ("04", bundle_04), ("05", bundle_05)):
        _BUNDLES[key] = build()
    bundle_06(tuple(_BUNDLES.values()))
    invalid_samples()


if __name__ == "__main__":
    main()
