package org.hemefhir.cohort;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Ratio;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.ResearchSubject;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Specimen;

/**
 * Writes one patient's course as FHIR resources from its {@link CoursePlan}, the way the
 * case in sample-bundles/ records it (fhir-profiles/CONTRACT.md), and notes the outcomes
 * the data was built to have.
 */
final class CourseBuilder {

	static final String SD = "http://hemefhir.org/fhir/StructureDefinition/";

	static final String CS = "http://hemefhir.org/fhir/CodeSystem/";

	static final String LOINC = "http://loinc.org";

	static final String SNOMED = "http://snomed.info/sct";

	static final String UCUM = "http://unitsofmeasure.org";

	static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

	static final String ATC = "http://www.whocc.no/atc";

	static final String V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

	static final String V2_SPECIMEN = "http://terminology.hl7.org/CodeSystem/v2-0487";

	static final String MRN = "http://hemefhir.org/fhir/sid/synthetic-mrn";

	static final String DATA_ORIGIN = CS + "data-origin";

	/** Order of resource types in a bundle and in the NDJSON load: referenced first. */
	static final List<String> TYPE_ORDER = List.of("Patient", "ResearchStudy", "Condition", "Specimen", "CarePlan",
			"Procedure", "MedicationAdministration", "Observation", "AdverseEvent", "Consent", "ResearchSubject");

	private static final String[] MALE_NAMES = { "Adam", "Ben", "Carl", "David", "Emil", "Felix", "Hugo", "Ivan",
			"Jonas", "Karl", "Leo", "Max", "Noah", "Oscar", "Paul", "Rami", "Sami", "Tom", "Viktor", "Yusuf" };

	private static final String[] FEMALE_NAMES = { "Anna", "Berit", "Clara", "Dana", "Eva", "Fiona", "Greta", "Hanna",
			"Ida", "Julia", "Katja", "Lena", "Mia", "Nora", "Olga", "Paula", "Rosa", "Sara", "Tara", "Vera" };

	private static final String[] FAMILY_NAMES = { "Synthfield", "Testington", "Mockberg", "Samplewood", "Fakesen",
			"Dummett", "Proxley", "Simmons-Gen", "Modelle", "Placeholt" };

	private final CoursePlan plan;

	private final String prefix;

	private final String studyId;

	private final SplittableRandom rng;

	private final List<Resource> resources = new ArrayList<>();

	private final Map<String, Integer> counters = new LinkedHashMap<>();

	/** MRD results per specimen type, in date order: the input of MRD conversion. */
	private final Map<String, List<MrdResult>> mrd = new LinkedHashMap<>();

	private Patient patient;

	private Condition diagnosis;

	private CarePlan inductionPlan;

	private CarePlan consolidationPlan;

	private Procedure hsct;

	private final List<MedicationAdministration> consolidationAgents = new ArrayList<>();

	private final List<MedicationAdministration> inductionAgents = new ArrayList<>();

	record MrdResult(LocalDate date, boolean positive) {
	}

	/**
	 * One patient's resources, in load order, and the outcomes they were built to have.
	 */
	record Course(CoursePlan plan, String patientId, String consolidationId, List<Resource> resources,
			Map<String, LocalDate> mrdConversion) {
	}

	private CourseBuilder(CoursePlan plan, long seed) {
		this.plan = plan;
		this.prefix = ids(seed) + "-p" + String.format("%05d", plan.index);
		this.studyId = studyId(seed);
		// values get their own stream: adding a value draw does not move the plan's draws
		this.rng = new SplittableRandom(CoursePlan.mix(seed, plan.index) ^ 0x5DEECE66DL);
	}

	static String ids(long seed) {
		return "syn-s" + seed;
	}

	static String studyId(long seed) {
		return ids(seed) + "-study-maintenance";
	}

	static Course build(long seed, CoursePlan plan) {
		CourseBuilder b = new CourseBuilder(plan, seed);
		b.patient();
		b.induction();
		b.consolidation();
		b.transplant();
		b.relapse();
		List<Resource> ordered = new ArrayList<>(b.resources);
		ordered.sort(Comparator.comparingInt(r -> TYPE_ORDER.indexOf(r.fhirType())));
		Map<String, LocalDate> conversion = new LinkedHashMap<>();
		b.mrd.forEach((specimen, results) -> conversion.put(specimen, conversion(results)));
		return new Course(plan, b.patient.getIdElement().getIdPart(), b.consolidationPlan.getIdElement().getIdPart(),
				List.copyOf(ordered), conversion);
	}

	/** The first negative result after a positive one ($outcomes' MRD conversion). */
	static LocalDate conversion(List<MrdResult> results) {
		LocalDate lastPositive = null;
		for (MrdResult r : results.stream().sorted(Comparator.comparing(MrdResult::date)).toList()) {
			if (r.positive()) {
				lastPositive = r.date();
			}
			else if (lastPositive != null && r.date().isAfter(lastPositive)) {
				return r.date();
			}
		}
		return null;
	}

	// ---- the story

	private void patient() {
		patient = add(new Patient(), "pat", "hemefhir-patient");
		patient.addIdentifier().setSystem(MRN).setValue(prefix.substring(4).toUpperCase());
		String[] given = plan.male ? MALE_NAMES : FEMALE_NAMES;
		patient.addName()
			.setUse(HumanName.NameUse.OFFICIAL)
			.setFamily(FAMILY_NAMES[rng.nextInt(FAMILY_NAMES.length)])
			.addGiven(given[rng.nextInt(given.length)]);
		patient
			.setGender(plan.male ? Enumerations.AdministrativeGender.MALE : Enumerations.AdministrativeGender.FEMALE);
		patient.setBirthDateElement(new DateType(plan.birthDate.toString()));
		if (plan.death != null) {
			patient.setDeceased(new DateTimeType(plan.death.toString()));
		}

		diagnosis = add(new Condition(), "dx", "hemefhir-diagnosis");
		diagnosis.addExtension(SD + "leukemia-subtype", concept(CS + "leukemia-subtype", plan.etp ? "etp" : "non-etp",
				plan.etp ? "Early T-cell precursor ALL (ETP-ALL)" : "Non-ETP T-ALL"));
		diagnosis.addExtension(SD + "histology-morphology", concept("http://terminology.hl7.org/CodeSystem/icd-o-3",
				"9837/3", "T lymphoblastic leukemia/lymphoma"));
		String status = plan.relapse != null ? "relapse" : plan.anc05Day == null ? "active" : "remission";
		diagnosis.setClinicalStatus(
				concept("http://terminology.hl7.org/CodeSystem/condition-clinical", status, capitalized(status)));
		diagnosis.setVerificationStatus(
				concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"));
		diagnosis.addCategory(concept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis",
				"Encounter Diagnosis"));
		diagnosis.setCode(concept(SNOMED, "277575008", "T-cell acute lymphoblastic leukemia")
			.setText(plan.etp ? "ETP T-ALL (synthetic)" : "Non-ETP T-ALL (synthetic)"));
		diagnosis.setSubject(ref(patient));
		diagnosis.setOnset(new DateTimeType(plan.diagnosis.toString()));
		diagnosis.setRecordedDateElement(new DateTimeType(plan.diagnosis.toString()));

		Specimen marrow = specimen("MAR", plan.diagnosis);
		cd38(marrow, plan.diagnosis, null, 0, uniform(40, 95));
	}

	private void induction() {
		LocalDate start = plan.induction;
		inductionPlan = regimen("vdlp", "VDLP (vincristine, daunorubicin, L-asparaginase, prednisone)", "induction",
				"Induction", "VDLP induction (one cycle)", start, start.plusDays(27));
		Drug[] drugs = { Drug.VINCRISTINE, Drug.DAUNORUBICIN, Drug.ASPARAGINASE, Drug.PREDNISONE };
		activities(inductionPlan, drugs);
		for (int day : new int[] { 1, 8, 15, 22 }) {
			inductionAgents.add(administration(Drug.VINCRISTINE, inductionPlan, inductionPlan, start, day, day));
		}
		inductionAgents.add(administration(Drug.DAUNORUBICIN, inductionPlan, inductionPlan, start, 1, 3));
		for (int day : new int[] { 11, 18 }) {
			inductionAgents.add(administration(Drug.ASPARAGINASE, inductionPlan, inductionPlan, start, day, day));
		}
		inductionAgents.add(administration(Drug.PREDNISONE, inductionPlan, inductionPlan, start, 1, 28));

		// lumbar puncture on day 1: CNS status
		Specimen csf = specimen("CSF", start);
		mrdResult(csf, "CSF", start, inductionPlan, 1, plan.csfPositiveAtDiagnosis, false);

		// counts: weekly through the induction aplasia
		double[][] values = { { uniform(0.5, 3.0), uniform(20, 120), uniform(75, 105) },
				{ uniform(0.1, 1.0), uniform(10, 40), uniform(70, 95) },
				{ uniform(0.0, 0.4), uniform(8, 30), uniform(65, 90) },
				{ uniform(0.2, 1.5), uniform(30, 90), uniform(70, 95) },
				{ uniform(1.0, 3.0), uniform(100, 250), uniform(85, 115) } };
		for (int i = 0; i < values.length; i++) {
			int day = 1 + 7 * i;
			double anc = values[i][0];
			counts(start.plusDays(day - 1), inductionPlan, day, anc, values[i][1], values[i][2],
					anc + uniform(0.3, 1.5));
		}
		adverse(Term.NEUTROPHILS, 4, start, 10, inductionPlan, inductionAgents, 0.9);
		adverse(Term.ANEMIA, 3, start, 12, inductionPlan, inductionAgents, 0.5);
		adverse(Term.NAUSEA, 1 + rng.nextInt(2), start, 2, inductionPlan, inductionAgents, 0.4);
		adverse(Term.FEBRILE_NEUTROPENIA, 3, start, 8 + rng.nextInt(9), inductionPlan, inductionAgents, 0.3);

		LocalDate day29 = start.plusDays(28);
		Specimen marrow = specimen("MAR", day29);
		Observation result = mrdResult(marrow, "MAR", day29, inductionPlan, 29, plan.mrdPositiveAfterInduction,
				plan.quantitativeMrd);
		cd38(marrow, day29, inductionPlan, 29, plan.mrdPositiveAfterInduction ? uniform(30, 90) : 0);
		response(day29, inductionPlan, 29, plan.mrdPositiveAfterInduction ? "cr-mrd-pos" : "cr-mrd-neg", result);
	}

	private void consolidation() {
		LocalDate start = plan.consolidation;
		Consent consent = add(new Consent(), "cons", "hemefhir-consent");
		consent.setStatus(Consent.ConsentState.ACTIVE);
		consent.setScope(concept("http://terminology.hl7.org/CodeSystem/consentscope", "treatment", "Treatment"));
		consent.addCategory(concept(LOINC, "59284-0", "Patient Consent"));
		consent.setPatient(ref(patient));
		consent.setDateTimeElement(new DateTimeType(start.minusDays(1 + rng.nextInt(7)).toString()));
		consent.addPolicy().setAuthority("urn:hemefhir:synthetic").setUri("urn:hemefhir:synthetic:consolidation");

		consolidationPlan = regimen("dara-va-haa",
				"Dara-VA-HAA (daratumumab, venetoclax, azacitidine, homoharringtonine, cytarabine, aclarubicin)",
				"consolidation", "Consolidation", "Dara-VA-HAA consolidation", start, start.plusDays(13));
		Drug[] drugs = { Drug.DARATUMUMAB, Drug.VENETOCLAX, Drug.AZACITIDINE, Drug.HHT, Drug.CYTARABINE,
				Drug.ACLARUBICIN };
		activities(consolidationPlan, drugs);
		CarePlan c = consolidationPlan;
		consolidationAgents.add(administration(Drug.DARATUMUMAB, c, c, start, 1, 1));
		consolidationAgents.add(administration(Drug.DARATUMUMAB, c, c, start, 8, 8));
		consolidationAgents.add(administration(Drug.VENETOCLAX, c, c, start, 1, 14));
		consolidationAgents.add(administration(Drug.AZACITIDINE, c, c, start, 1, 7));
		consolidationAgents.add(administration(Drug.HHT, c, c, start, 1, 7));
		consolidationAgents.add(administration(Drug.CYTARABINE, c, c, start, 1, 7));
		consolidationAgents.add(administration(Drug.ACLARUBICIN, c, c, start, 1, 4));

		int lastDay = lastConsolidationCountDay();
		int supportEnd = Math.min(lastDay, plan.anc10Day == null ? lastDay : plan.anc10Day);
		if (supportEnd >= plan.aplasiaDay + 1) {
			administration(Drug.G_CSF, c, c, start, plan.aplasiaDay + 1, supportEnd);
		}
		int tpoEnd = Math.min(lastDay, plan.plt20Day == null ? lastDay : plan.plt20Day);
		if (tpoEnd >= plan.aplasiaDay) {
			administration(Drug.RHTPO, c, c, start, plan.aplasiaDay, tpoEnd);
		}

		// platelet transfusions every third day while platelets are low; the last one
		// at least 8 days before recovery, so the recovery count is transfusion-free
		TreeSet<Integer> plateletTransfusions = new TreeSet<>();
		int transfuseUntil = plan.plt20Day == null ? lastDay : plan.plt20Day - 8;
		for (int day = plan.aplasiaDay + 1; day <= transfuseUntil; day += 3) {
			plateletTransfusions.add(day);
			transfusion(true, c, day);
		}
		int redCellsUntil = plan.anc05Day == null ? lastDay : plan.anc05Day;
		for (int day = plan.aplasiaDay + 3; day <= redCellsUntil; day += 7) {
			transfusion(false, c, day);
		}

		for (int day : consolidationCountDays(lastDay)) {
			double anc = anc(day);
			double platelets = platelets(day, plateletTransfusions);
			boolean aplastic = plan.anc05Day == null || day < plan.anc05Day;
			double hb = day < 0 ? uniform(95, 130) : aplastic ? uniform(62, 95) : uniform(90, 130);
			double wbc = anc + (aplastic ? uniform(0.05, 0.5) : uniform(0.8, 2.0));
			counts(plan.day(day), c, day, anc, platelets, hb, wbc);
		}

		adverse(Term.INFUSION_REACTION, 1 + rng.nextInt(2), start, 1, c, consolidationAgents.subList(0, 1),
				plan.infusionReaction ? 1 : 0);
		adverse(Term.NAUSEA, 1 + rng.nextInt(2), start, 2 + rng.nextInt(5), c, consolidationAgents, 0.5);
		adverse(Term.VOMITING, 1 + rng.nextInt(2), start, 2 + rng.nextInt(5), c, consolidationAgents, 0.3);
		adverse(Term.HEADACHE, 1 + rng.nextInt(2), start, 1 + rng.nextInt(3), c, consolidationAgents, 0.2);
		adverse(Term.NEUTROPHILS, 4, start, plan.aplasiaDay, c, consolidationAgents, 1);
		adverse(Term.PLATELETS, 4, start, plan.aplasiaDay + 1, c, consolidationAgents, 1);
		adverse(Term.ANEMIA, 3, start, plan.aplasiaDay + 3, c, consolidationAgents, 0.7);
		if (plan.anc05Day == null && plan.death != null) {
			adverse(Term.FEBRILE_NEUTROPENIA, 5, start, CoursePlan.regimenDay(start, plan.death), c,
					consolidationAgents, 1);
		}
		else if (plan.febrileNeutropenia) {
			int latest = plan.anc05Day == null ? 20 : Math.max(plan.aplasiaDay + 3, plan.anc05Day - 1);
			adverse(Term.FEBRILE_NEUTROPENIA, 3, start,
					plan.aplasiaDay + 2 + rng.nextInt(Math.max(1, latest - plan.aplasiaDay - 1)), c,
					consolidationAgents, 1);
		}

		// marrow and CSF: the evaluation after count recovery and a later one
		boolean marrowPositive = plan.mrdPositiveAfterInduction;
		boolean csfPositive = plan.csfPositiveAtDiagnosis;
		int[] evaluations = { plan.evaluationDay, plan.lateEvaluationDay };
		for (int i = 0; i < evaluations.length; i++) {
			int day = evaluations[i];
			LocalDate date = plan.day(day);
			if (!plan.alive(date) || (plan.windowEnd() != null && !date.isBefore(plan.windowEnd()))) {
				continue;
			}
			if (marrowPositive) {
				marrowPositive = !(i == 0 ? plan.mrdNegativeAtEvaluation : plan.mrdNegativeAtLateEvaluation);
			}
			if (csfPositive) {
				csfPositive = i == 0 ? !plan.csfNegativeAtEvaluation : false;
			}
			Specimen marrow = specimen("MAR", date);
			Observation result = mrdResult(marrow, "MAR", date, c, day, marrowPositive, plan.quantitativeMrd);
			cd38(marrow, date, c, day, marrowPositive ? uniform(0, 15) : 0);
			Specimen csf = specimen("CSF", date);
			mrdResult(csf, "CSF", date, c, day, csfPositive, false);
			response(date, c, day, responseCode(day, marrowPositive), result);
		}
		mrdPositiveBeforeTransplant = marrowPositive;
	}

	private boolean mrdPositiveBeforeTransplant;

	private String responseCode(int day, boolean mrdPositive) {
		if (plan.anc05Day == null) {
			return null;
		}
		boolean complete = plan.anc10Day != null && plan.anc10Day + 2 <= day && plan.plt100Day != null
				&& plan.plt100Day <= day;
		return (complete ? "cr" : "cri") + (mrdPositive ? "-mrd-pos" : "-mrd-neg");
	}

	private void transplant() {
		if (plan.transplant == null) {
			return;
		}
		LocalDate t = plan.transplant;
		CarePlan conditioning = regimen("flu-mel", "Fludarabine + melphalan conditioning", "conditioning",
				"Conditioning", "Flu/Mel conditioning", plan.conditioningStart(), t.minusDays(1));
		activities(conditioning, new Drug[] { Drug.FLUDARABINE, Drug.MELPHALAN });

		hsct = add(new Procedure(), "proc", "hemefhir-allo-hsct");
		hsct.addExtension(SD + "cd34-dose",
				new Quantity().setValue(BigDecimal.valueOf(plan.cd34Dose))
					.setUnit("10^6/kg")
					.setSystem(UCUM)
					.setCode("10*6/kg"));
		Extension hla = hsct.addExtension().setUrl(SD + "hla-match");
		hla.addExtension("matched-antigens",
				new Ratio().setNumerator(new Quantity(plan.donor.matched)).setDenominator(new Quantity(12)));
		hla.addExtension("donor-type", concept(CS + "hla-donor-type", plan.donor.code, plan.donor.display));
		if (plan.donor.relationship != null) {
			hsct.addExtension(SD + "donor-relationship", concept("http://terminology.hl7.org/CodeSystem/v3-RoleCode",
					plan.donor.relationship, plan.donor.relationshipDisplay));
		}
		String[][] groups = { { "LA19710-5", "Group A" }, { "LA19709-7", "Group B" }, { "LA19708-9", "Group O" },
				{ "LA28449-9", "Group AB" } };
		String[] donorGroup = groups[rng.nextInt(4)];
		String[] recipientGroup = groups[rng.nextInt(4)];
		Extension abo = hsct.addExtension().setUrl(SD + "abo-compatibility");
		abo.addExtension("donor", concept(LOINC, donorGroup[0], donorGroup[1]));
		abo.addExtension("recipient", concept(LOINC, recipientGroup[0], recipientGroup[1]));
		String mismatch = aboMismatch(donorGroup[1], recipientGroup[1]);
		abo.addExtension("mismatch", concept(CS + "abo-mismatch", mismatch, null));
		hsct.addExtension(SD + "donor-specific-antibodies", concept(V3_INTERPRETATION, "NEG", "Negative"));
		boolean marrowGraft = rng.nextDouble() < 0.1;
		hsct.addExtension(SD + "stem-cell-source", concept(CS + "stem-cell-source",
				marrowGraft ? "bone-marrow" : "pbsc", marrowGraft ? "Bone marrow" : "Peripheral blood stem cells"));
		hsct.setStatus(Procedure.ProcedureStatus.COMPLETED);
		hsct.setCode(concept(SNOMED, "234336002", "Hemopoietic stem cell transplant"));
		hsct.getCode().addCoding(new Coding(SNOMED, "50223000", "Allogeneic transplantation"));
		hsct.setSubject(ref(patient));
		hsct.setPerformed(new DateTimeType(t.toString()));
		hsct.addBasedOn(ref(conditioning));
		hsct.addReasonReference(ref(diagnosis));

		MedicationAdministration flu = administration(Drug.FLUDARABINE, conditioning, hsct, t, -6, -2);
		MedicationAdministration mel = administration(Drug.MELPHALAN, conditioning, hsct, t, -2, -2);
		flu.addPartOf(ref(hsct));
		mel.addPartOf(ref(hsct));

		// counts after the graft: twice weekly to day +28, weekly to +100, monthly after
		int engraftAnc = 12 + rng.nextInt(13);
		int engraftPlatelets = 12 + rng.nextInt(19);
		TreeSet<Integer> days = new TreeSet<>();
		for (int d = 7; d <= 28; d += (d % 7 == 0) ? 3 : 4) {
			days.add(d);
		}
		for (int d = 35; d <= 100; d += 7) {
			days.add(d);
		}
		for (int d = 130; d <= 365; d += 30) {
			days.add(d);
		}
		for (int d : days) {
			LocalDate date = t.plusDays(d);
			if (!plan.alive(date)) {
				break;
			}
			boolean relapsed = plan.relapse != null && !date.isBefore(plan.relapse);
			double anc = d < engraftAnc ? uniform(0, 0.45) : relapsed ? uniform(0.2, 1.2) : uniform(1.0, 5.0);
			double platelets = d < engraftPlatelets ? uniform(5, 19) : relapsed ? uniform(15, 60) : uniform(40, 250);
			counts(date, hsct, d, anc, platelets, uniform(70, 130), anc + uniform(0.3, 2.0));
		}

		boolean positive = mrdPositiveBeforeTransplant;
		for (int d : new int[] { 28, 90 }) {
			LocalDate date = t.plusDays(d);
			if (!plan.alive(date) || (plan.relapse != null && !date.isBefore(plan.relapse))) {
				continue;
			}
			if (positive) {
				positive = d == 28 ? !plan.mrdNegativeAfterTransplant : rng.nextDouble() < 0.5;
			}
			Specimen marrow = specimen("MAR", date);
			Observation result = mrdResult(marrow, "MAR", date, hsct, d, positive, plan.quantitativeMrd);
			cd38(marrow, date, hsct, d, positive ? uniform(5, 60) : 0);
			Observation chimerism = observation("hemefhir-chimerism", date, hsct, d);
			chimerism.setCode(concept(CS + "observation-code", "donor-chimerism", "Donor chimerism [%]"));
			chimerism.addFocus(ref(hsct));
			chimerism.setSpecimen(ref(marrow));
			double donor = positive ? uniform(80, 97) : uniform(95, 100);
			chimerism.setValue(quantity(donor, 1, "%", "%"));
			if (d == 90) {
				response(date, hsct, d, positive ? "cr-mrd-pos" : "cr-mrd-neg", result);
			}
		}

		if (plan.maintenance) {
			maintenance(t);
		}
	}

	private void maintenance(LocalDate t) {
		LocalDate start = t.plusDays(60 + rng.nextInt(41));
		if (!plan.alive(start)) {
			return;
		}
		CarePlan maintenance = regimen("post-hsct-maintenance", "Post-allo-HSCT maintenance", "maintenance",
				"Maintenance", "Post-allo-HSCT maintenance (azacitidine)", start, null);
		activities(maintenance, new Drug[] { Drug.AZACITIDINE });
		int cycles = 0;
		for (int cycle = 0; cycle < 4; cycle++) {
			LocalDate cycleStart = start.plusDays(28L * cycle);
			if (!plan.alive(cycleStart.plusDays(6))) {
				break;
			}
			int day = CoursePlan.regimenDay(t, cycleStart) - 1;
			administration(Drug.AZACITIDINE, maintenance, hsct, t, day, day + 6);
			cycles++;
		}
		maintenance.setStatus(cycles == 4 ? CarePlan.CarePlanStatus.COMPLETED : CarePlan.CarePlanStatus.ACTIVE);
		if (cycles == 4) {
			maintenance.getPeriod().setEndElement(new DateTimeType(start.plusDays(28 * 3 + 6).toString()));
		}
		if (!plan.enrolled) {
			return;
		}
		Consent consent = add(new Consent(), "cons", "hemefhir-consent");
		consent.setStatus(Consent.ConsentState.ACTIVE);
		consent.setScope(concept("http://terminology.hl7.org/CodeSystem/consentscope", "research", "Research"));
		consent.addCategory(concept(LOINC, "59284-0", "Patient Consent"));
		consent.setPatient(ref(patient));
		consent.setDateTimeElement(new DateTimeType(start.minusDays(3).toString()));
		consent.addPolicy().setAuthority("urn:hemefhir:synthetic").setUri("urn:hemefhir:synthetic:maintenance-trial");

		ResearchStudy study = new ResearchStudy();
		study.setId(studyId);
		tag(study, "hemefhir-research-study");
		study.setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE);
		study.setTitle("Synthetic post-allo-HSCT maintenance trial");
		study.setPrimaryPurposeType(concept("http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type",
				"treatment", "Treatment"));
		study.addCondition(concept(SNOMED, "277575008", "T-cell acute lymphoblastic leukemia"));
		resources.add(study);

		ResearchSubject subject = add(new ResearchSubject(), "rs", "hemefhir-research-subject");
		subject.setStatus(cycles == 4 ? ResearchSubject.ResearchSubjectStatus.OFFSTUDY
				: ResearchSubject.ResearchSubjectStatus.ONSTUDY);
		subject.setPeriod(new Period().setStartElement(new DateTimeType(start.toString())));
		subject.setStudy(new Reference("ResearchStudy/" + studyId));
		subject.setIndividual(ref(patient));
	}

	private void relapse() {
		if (plan.relapse == null || !plan.alive(plan.relapse)) {
			return;
		}
		LocalDate date = plan.relapse;
		DomainResource anchor = hsct != null ? hsct : consolidationPlan;
		int day = hsct != null ? (int) java.time.temporal.ChronoUnit.DAYS.between(plan.transplant, date)
				: CoursePlan.regimenDay(plan.consolidation, date);
		Specimen marrow = specimen("MAR", date);
		Observation result = mrdResult(marrow, "MAR", date, anchor, day, true, plan.quantitativeMrd);
		cd38(marrow, date, anchor, day, uniform(30, 90));
		response(date, anchor, day, "relapse", result);
		if (hsct == null) {
			// relapse off transplant is seen on the count of that day
			double anc = uniform(0.2, 1.0);
			counts(date, anchor, day, anc, uniform(20, 80), uniform(70, 100), anc + uniform(5, 40));
		}
	}

	// ---- counts

	/** The last consolidation day with a count: before the next regimen, or the end. */
	private int lastConsolidationCountDay() {
		LocalDate end = plan.windowEnd() != null ? plan.windowEnd().minusDays(1) : plan.lastDay;
		if (end.isAfter(plan.lastDay)) {
			end = plan.lastDay;
		}
		return CoursePlan.regimenDay(plan.consolidation, end);
	}

	/**
	 * Day -1 (baseline, outside the window), then daily from the start of aplasia until
	 * the counts have recovered, twice weekly to day 60, weekly to day 120, monthly
	 * after.
	 */
	private TreeSet<Integer> consolidationCountDays(int lastDay) {
		TreeSet<Integer> days = new TreeSet<>();
		days.add(-1);
		int dailyEnd = 45;
		if (plan.anc10Day != null && plan.plt20Day != null) {
			int recovered = Math.max(plan.anc10Day + 2, plan.plt100Day == null ? plan.plt20Day : plan.plt100Day);
			dailyEnd = Math.min(CoursePlan.DAILY_UNTIL, recovered + 2);
		}
		for (int d = plan.aplasiaDay; d <= dailyEnd; d++) {
			days.add(d);
		}
		for (int d = dailyEnd + 3; d <= 60; d += 3) {
			days.add(d);
		}
		for (int d = 63; d <= 120; d += 7) {
			days.add(d);
		}
		for (int d = 150; d <= 400; d += 30) {
			days.add(d);
		}
		return new TreeSet<>(days.headSet(lastDay, true));
	}

	private double anc(int day) {
		if (day < 0) {
			return uniform(1.5, 4.0);
		}
		if (plan.anc05Day == null) {
			// a short run over 0.5 that does not make recovery (2 of the 3 days required)
			if (plan.index % 2 == 0 && (day == 30 || day == 31)) {
				return uniform(0.5, 0.7);
			}
			return uniform(0.0, 0.45);
		}
		if (day < plan.anc05Day) {
			return uniform(0.0, 0.45);
		}
		if (day < plan.anc10Day) {
			return uniform(0.5, 0.95);
		}
		return Math.min(6.0, 1.0 + 0.2 * (day - plan.anc10Day) + uniform(0, 0.8));
	}

	private double platelets(int day, TreeSet<Integer> transfusions) {
		if (day < 0) {
			return uniform(120, 300);
		}
		if (plan.plt20Day == null || day < plan.plt20Day) {
			// the day after a transfusion the count is up, but it does not count
			return transfusions.contains(day - 1) ? uniform(20, 45) : uniform(3, 18);
		}
		if (plan.plt100Day == null) {
			return uniform(22, 90);
		}
		if (day < plan.plt100Day) {
			double f = (day - plan.plt20Day) / (double) Math.max(1, plan.plt100Day - plan.plt20Day);
			return CoursePlan.clamp(22 + 70 * f + uniform(-4, 4), 20, 98);
		}
		return Math.min(350, 100 + 8 * (day - plan.plt100Day) + uniform(0, 40));
	}

	private void counts(LocalDate date, DomainResource anchor, int day, double anc, double platelets, double hb,
			double wbc) {
		count(date, anchor, day, "751-8", "Neutrophils [#/volume] in Blood by Automated count", anc, 2, "10^9/L",
				"10*9/L");
		count(date, anchor, day, "777-3", "Platelets [#/volume] in Blood by Automated count", platelets, 0, "10^9/L",
				"10*9/L");
		count(date, anchor, day, "718-7", "Hemoglobin [Mass/volume] in Blood", hb, 0, "g/L", "g/L");
		count(date, anchor, day, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", wbc, 2, "10^9/L",
				"10*9/L");
	}

	private void count(LocalDate date, DomainResource anchor, int day, String loinc, String display, double value,
			int scale, String unit, String ucum) {
		Observation o = observation("hemefhir-blood-count", date, anchor, day);
		o.setCode(concept(LOINC, loinc, display));
		o.setValue(quantity(value, scale, unit, ucum));
	}

	// ---- marrow, CSF, responses

	private Specimen specimen(String type, LocalDate date) {
		Specimen s = add(new Specimen(), "spec", null);
		s.setStatus(Specimen.SpecimenStatus.AVAILABLE);
		boolean marrow = type.equals("MAR");
		s.setType(concept(V2_SPECIMEN, type, marrow ? "Marrow" : "Cerebral spinal fluid"));
		s.getType()
			.addCoding(new Coding(SNOMED, marrow ? "396997002" : "258450006",
					marrow ? "Specimen from bone marrow obtained by aspiration (specimen)"
							: "Cerebrospinal fluid sample (specimen)"));
		s.setSubject(ref(patient));
		s.getCollection().setCollected(new DateTimeType(date.toString()));
		s.getCollection()
			.setMethod(marrow ? concept(SNOMED, "49401003", "Bone marrow aspiration procedure (procedure)")
					: concept(SNOMED, "277762005", "Lumbar puncture (procedure)"));
		return s;
	}

	private Observation mrdResult(Specimen specimen, String type, LocalDate date, DomainResource anchor, int day,
			boolean positive, boolean quantitative) {
		Observation o = observation("hemefhir-mrd", date, anchor, day);
		o.setMethod(concept(CS + "mrd-method", "flow-cytometry", "Flow cytometry"));
		o.setSpecimen(ref(specimen));
		o.addFocus(ref(diagnosis));
		if (quantitative) {
			o.setCode(concept(LOINC, "67128-9", "Abnormal leukocytes/Leukocytes in Specimen by Flow cytometry (FC)"));
			o.addExtension(SD + "assay-sensitivity",
					new Quantity().setValue(new BigDecimal("0.01")).setUnit("%").setSystem(UCUM).setCode("%"));
			Quantity q = positive ? quantity(uniform(0.02, 8.0), 2, "%", "%")
					: quantity(0.01, 2, "%", "%").setComparator(Quantity.QuantityComparator.LESS_THAN);
			o.setValue(q);
		}
		else {
			o.setCode(concept(CS + "observation-code", "mrd-flow-presence",
					"Measurable residual disease by flow cytometry [Presence]"));
			o.setValue(concept(V3_INTERPRETATION, positive ? "POS" : "NEG", positive ? "Positive" : "Negative"));
		}
		mrd.computeIfAbsent(type, k -> new ArrayList<>()).add(new MrdResult(date, positive));
		return o;
	}

	private void cd38(Specimen specimen, LocalDate date, DomainResource anchor, int day, double percent) {
		Observation o = observation("hemefhir-immunophenotype", date, anchor, day);
		o.setCode(concept(CS + "observation-code", "cd38-abnormal-cells",
				"CD38+ cells/Abnormal (leukaemic) cells by flow cytometry [%]"));
		o.setSpecimen(ref(specimen));
		o.setValue(quantity(percent, 2, "%", "%"));
	}

	private void response(LocalDate date, DomainResource anchor, int day, String code, Observation evidence) {
		Observation o = observation("hemefhir-disease-response", date, anchor, day);
		o.getCategoryFirstRep()
			.getCodingFirstRep()
			.setCode("exam")
			.setDisplay("Exam")
			.setSystem("http://terminology.hl7.org/CodeSystem/observation-category");
		o.setCode(concept(LOINC, "97509-4", "Cancer Disease Progression"));
		o.addFocus(ref(diagnosis));
		o.setValue(code == null ? concept(SNOMED, "709137006", "Patient condition undetermined")
				: concept(CS + "disease-response", code, null));
		o.addHasMember(ref(evidence));
	}

	private Observation observation(String profile, LocalDate date, DomainResource anchor, int day) {
		Observation o = add(new Observation(), "obs", profile);
		if (anchor != null) {
			treatmentDay(o, day, anchor);
		}
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.addCategory(
				concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory"));
		o.setSubject(ref(patient));
		o.setEffective(new DateTimeType(date.toString()));
		return o;
	}

	// ---- therapy

	private CarePlan regimen(String code, String display, String phase, String phaseDisplay, String title,
			LocalDate start, LocalDate end) {
		CarePlan p = add(new CarePlan(), "cp", "hemefhir-treatment-regimen");
		p.addExtension(SD + "regimen-code", concept(CS + "regimen", code, display));
		p.addExtension(SD + "treatment-phase", concept(CS + "treatment-phase", phase, phaseDisplay));
		p.addExtension(SD + "cycle-number", new PositiveIntType(1));
		p.setStatus(CarePlan.CarePlanStatus.COMPLETED);
		p.setIntent(CarePlan.CarePlanIntent.PLAN);
		p.setTitle(title);
		p.setSubject(ref(patient));
		p.setPeriod(new Period().setStartElement(new DateTimeType(start.toString())));
		if (end != null) {
			p.getPeriod().setEndElement(new DateTimeType(end.toString()));
		}
		p.addAddresses(ref(diagnosis));
		return p;
	}

	private static void activities(CarePlan plan, Drug[] drugs) {
		for (Drug d : drugs) {
			plan.addActivity()
				.getDetail()
				.setKind(CarePlan.CarePlanActivityKind.MEDICATIONREQUEST)
				.setProduct(d.concept())
				.setStatus(CarePlan.CarePlanActivityStatus.COMPLETED);
		}
	}

	/**
	 * An administration on days {@code first}..{@code last} of the regimen (or
	 * transplant) the anchor counts from; a single day is a dateTime, several a period.
	 */
	private MedicationAdministration administration(Drug drug, CarePlan regimen, DomainResource anchor,
			LocalDate anchorDate, int first, int last) {
		MedicationAdministration a = add(new MedicationAdministration(), "ma", "hemefhir-medication-administration");
		a.addExtension(SD + "regimen-reference", ref(regimen));
		treatmentDay(a, first, anchor);
		a.setStatus(MedicationAdministration.MedicationAdministrationStatus.COMPLETED);
		a.setMedication(drug.concept());
		a.setSubject(ref(patient));
		LocalDate from = dayOf(anchor, anchorDate, first);
		if (first == last) {
			a.setEffective(new DateTimeType(from.toString()));
		}
		else {
			a.setEffective(new Period().setStartElement(new DateTimeType(from.toString()))
				.setEndElement(new DateTimeType(dayOf(anchor, anchorDate, last).toString())));
		}
		a.addReasonReference(ref(diagnosis));
		return a;
	}

	/** Date of a day counted from a regimen (no day 0) or from a transplant (day 0). */
	private static LocalDate dayOf(DomainResource anchor, LocalDate anchorDate, int day) {
		if (anchor instanceof Procedure) {
			return anchorDate.plusDays(day);
		}
		return anchorDate.plusDays(day > 0 ? day - 1 : day);
	}

	private void transfusion(boolean platelets, CarePlan regimen, int day) {
		LocalDate date = plan.day(day);
		if (!plan.alive(date)) {
			return;
		}
		Procedure p = add(new Procedure(), "proc", "hemefhir-transfusion");
		p.addExtension(SD + "regimen-reference", ref(regimen));
		treatmentDay(p, day, regimen);
		p.setStatus(Procedure.ProcedureStatus.COMPLETED);
		p.setCategory(concept(SNOMED, "5447007", "Transfusion"));
		p.setCode(platelets ? concept(SNOMED, "180208003", "Intravenous blood transfusion of platelets")
				: concept(SNOMED, "116863004", "Transfusion of red blood cells"));
		p.addUsedCode(platelets ? concept(CS + "blood-product", "apheresis-platelets", "Apheresis platelets")
				: concept(CS + "blood-product", "suspended-red-cells", "Suspended red blood cells"));
		p.setSubject(ref(patient));
		p.setPerformed(new DateTimeType(date.toString()));
	}

	// ---- adverse events

	private void adverse(Term term, int grade, LocalDate regimenStart, int day, CarePlan regimen,
			List<MedicationAdministration> suspects, double probability) {
		// the draw happens whatever the outcome, so later draws do not shift
		boolean happens = rng.nextDouble() < probability;
		LocalDate date = regimenStart.plusDays(day > 0 ? day - 1 : day);
		if (!happens || !plan.alive(date)) {
			return;
		}
		AdverseEvent e = add(new AdverseEvent(), "ae", "hemefhir-adverse-event");
		e.addExtension(SD + "ctcae-grade", concept(CS + "ctcae-grade", Integer.toString(grade), GRADES[grade]));
		e.addExtension(SD + "regimen-reference", ref(regimen));
		treatmentDay(e, day, regimen);
		e.setActuality(AdverseEvent.AdverseEventActuality.ACTUAL);
		e.setEvent(concept("http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", term.ncit, term.display));
		e.getEvent().addCoding(new Coding("https://www.meddra.org", term.meddra, term.display));
		e.getEvent().setText(term.display);
		e.setSubject(ref(patient));
		e.setDateElement(new DateTimeType(date.toString()));
		for (MedicationAdministration s : suspects) {
			e.addSuspectEntity().setInstance(ref(s));
		}
		if (grade == 5) {
			e.setOutcome(concept("http://terminology.hl7.org/CodeSystem/adverse-event-outcome", "fatal", "Fatal"));
		}
	}

	private static final String[] GRADES = { "Absent Adverse Event", "Mild Adverse Event", "Moderate Adverse Event",
			"Severe Adverse Event", "Life Threatening or Disabling Adverse Event", "Death Related to Adverse Event" };

	enum Term {

		HEADACHE("C143527", "10019211", "Headache"), NAUSEA("C146764", "10028813", "Nausea"),
		VOMITING("C57896", "10047700", "Vomiting"),
		INFUSION_REACTION("C143583", "10051792", "Infusion related reaction"),
		NEUTROPHILS("C143704", "10029366", "Neutrophil count decreased"),
		PLATELETS("C143764", "10035528", "Platelet count decreased"), ANEMIA("C143283", "10002272", "Anemia"),
		FEBRILE_NEUTROPENIA("C143481", "10016288", "Febrile neutropenia");

		final String ncit;

		final String meddra;

		final String display;

		Term(String ncit, String meddra, String display) {
			this.ncit = ncit;
			this.meddra = meddra;
			this.display = display;
		}

	}

	enum Drug {

		VINCRISTINE("vincristine", "11202", "L01CA02"), DAUNORUBICIN("daunorubicin", null, "L01DB02"),
		ASPARAGINASE("L-asparaginase", null, "L01XX02"), PREDNISONE("prednisone", "8640", "H02AB07"),
		DARATUMUMAB("daratumumab", "1721947", "L01FC01"), VENETOCLAX("venetoclax", null, "L01XX52"),
		AZACITIDINE("azacitidine", "1251", "L01BC07"), HHT("homoharringtonine (HHT)", null, "L01XX40"),
		CYTARABINE("cytarabine", "3041", "L01BC01"), ACLARUBICIN("aclarubicin", "239", "L01DB04"),
		FLUDARABINE("fludarabine", "24698", "L01BB05"), MELPHALAN("melphalan", "6718", "L01AA03"),
		G_CSF("filgrastim (G-CSF)", "68442", "L03AA02"), RHTPO("recombinant human thrombopoietin (rhTPO)", null, null);

		final String name;

		final String rxnorm;

		final String atc;

		Drug(String name, String rxnorm, String atc) {
			this.name = name;
			this.rxnorm = rxnorm;
			this.atc = atc;
		}

		CodeableConcept concept() {
			CodeableConcept c = new CodeableConcept().setText(name);
			if (rxnorm != null) {
				c.addCoding(new Coding(RXNORM, rxnorm, name));
			}
			if (atc != null) {
				c.addCoding(new Coding(ATC, atc, name));
			}
			if (this == RHTPO) {
				c.addCoding(new Coding(CS + "drug", "rhtpo", "Recombinant human thrombopoietin (rhTPO)"));
			}
			return c;
		}

	}

	// ---- helpers

	private <T extends DomainResource> T add(T resource, String kind, String profile) {
		if (kind.equals("pat")) {
			resource.setId(prefix + "-pat");
		}
		else {
			int n = counters.merge(kind, 1, Integer::sum);
			resource.setId(prefix + "-" + kind + "-" + String.format("%04d", n));
		}
		tag(resource, profile);
		resources.add(resource);
		return resource;
	}

	private static void tag(DomainResource resource, String profile) {
		if (profile != null) {
			resource.getMeta().addProfile(SD + profile);
		}
		resource.getMeta().addTag(DATA_ORIGIN, "synthetic", "Synthetic data");
	}

	private static void treatmentDay(DomainResource r, int day, DomainResource anchor) {
		Extension e = r.addExtension().setUrl(SD + "treatment-day");
		e.addExtension("day", new IntegerType(day));
		e.addExtension("anchor", ref(anchor));
	}

	static Reference ref(Resource r) {
		return new Reference(r.fhirType() + "/" + r.getIdElement().getIdPart());
	}

	static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept().addCoding(new Coding(system, code, display));
	}

	private static Quantity quantity(double value, int scale, String unit, String ucum) {
		return new Quantity().setValue(BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP))
			.setUnit(unit)
			.setSystem(UCUM)
			.setCode(ucum);
	}

	private double uniform(double low, double high) {
		return CoursePlan.uniform(rng, low, high);
	}

	private static String capitalized(String s) {
		return Character.toUpperCase(s.charAt(0)) + s.substring(1);
	}

	/**
	 * Major: the donor's red cells carry an antigen the recipient lacks; minor: the
	 * recipient's carry one the donor lacks.
	 */
	static String aboMismatch(String donor, String recipient) {
		String d = antigens(donor);
		String r = antigens(recipient);
		boolean major = !r.contains("A") && d.contains("A") || !r.contains("B") && d.contains("B");
		boolean minor = !d.contains("A") && r.contains("A") || !d.contains("B") && r.contains("B");
		return major && minor ? "bidirectional" : major ? "major" : minor ? "minor" : "none";
	}

	private static String antigens(String group) {
		return group.replace("Group ", "").replace("O", "");
	}

}
