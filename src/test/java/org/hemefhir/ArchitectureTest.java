package org.hemefhir;

import static com.tngtech.archunit.lang.SimpleConditionEvent.violated;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The module map: each top-level package under {@code org.hemefhir} is a module, and a
 * module uses only the modules listed for it, only through the public types of their
 * top-level package (their sub-packages are theirs alone). Modules form no cycle.
 * Build-time IG code never runs in the server. docs/architecture.md draws the same map.
 */
class ArchitectureTest {

	static final Map<String, Set<String>> MODULES = Map.ofEntries(
			// HAPI's JPA server, its database and the hooks other modules plug into
			Map.entry("fhirserver", Set.of()),
			// what every request goes through: limits, time budget, admission, error
			// contract
			Map.entry("system", Set.of("fhirserver")),
			// the IG model (package, terminology, profile inference) and the profile
			// validator
			Map.entry("validation", Set.of("fhirserver", "system")),
			// the IG installed into the server and its pages; ig.build makes the package
			// at build time
			Map.entry("ig", Set.of("validation", "fhirserver", "system")),
			// $outcomes, $treatment-timeline and what they compute from a patient's
			// course
			Map.entry("course", Set.of("fhirserver", "system", "validation")),
			// Bulk Data export and its de-identification
			Map.entry("export", Set.of("course", "fhirserver", "system")),
			// FHIR and HL7 v2 push from EHRs and laboratory systems
			Map.entry("ingest", Set.of("fhirserver", "system", "validation", "security", "audit")),
			// the case, loaded at start
			Map.entry("samples", Set.of("ig", "fhirserver", "system")),
			// the jar's commands without a server: validate, migrate
			Map.entry("cli", Set.of("system", "validation", "fhirserver")),
			// the synthetic cohort generator (generate command): HAPI's model classes
			// only
			Map.entry("cohort", Set.of()),
			// SMART on FHIR tokens and scopes in front of every way in
			Map.entry("security", Set.of("fhirserver", "system")),
			// AuditEvent for every request, Provenance for every write, and their
			// retention
			Map.entry("audit", Set.of("fhirserver", "security")),
			// the course viewer's launch settings (the page itself is built elsewhere)
			Map.entry("viewer", Set.of("security")));

	private static final JavaClasses MAIN = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("org.hemefhir");

	@Test
	void everyPackageBelongsToAModule() {
		assertThat(MAIN.stream().map(c -> ModuleMap.moduleOf("org.hemefhir", c)).distinct())
			.allSatisfy(module -> assertThat(module.isEmpty() || MODULES.containsKey(module))
				.as("module %s is in the map", module)
				.isTrue());
	}

	@Test
	void modulesFormNoCycle() {
		ModuleMap.noCycles("org.hemefhir").check(MAIN);
	}

	@Test
	void modulesUseOnlyWhatTheMapAllowsThroughPublicTypes() {
		new ModuleMap("org.hemefhir", MODULES).rule().check(MAIN);
	}

	@Test
	void buildTimeIgCodeStaysOutOfTheServer() {
		noClasses().that()
			.resideOutsideOfPackage("org.hemefhir.ig.build..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.hemefhir.ig.build..")
			.check(MAIN);
	}

	@Test
	void theRulesCatchACycleAForbiddenUseAndAnInternalType() {
		JavaClasses fixture = new ClassFileImporter().importPackages("archfixture");
		assertThat(ModuleMap.noCycles("archfixture").evaluate(fixture).hasViolation()).isTrue();
		String report = new ModuleMap("archfixture", Map.of("a", Set.of(), "b", Set.of("a"))).rule()
			.evaluate(fixture)
			.getFailureReport()
			.toString();
		assertThat(report).contains("archfixture.a.A", "module a may not use module b")
			.contains("archfixture.b.B", "archfixture.a.internal.Hidden", "not in the public API of module a");
	}

	/** Modules under a root package and the modules each may use. */
	record ModuleMap(String root, Map<String, Set<String>> allowed) {

		static ArchRule noCycles(String root) {
			return slices().matching(root + ".(*)..").should().beFreeOfCycles();
		}

		/**
		 * The module a class belongs to; empty for the root package (the application
		 * class).
		 */
		static String moduleOf(String root, JavaClass c) {
			String pkg = c.getPackageName();
			if (!pkg.startsWith(root + ".")) {
				return pkg.equals(root) ? "" : null;
			}
			String rest = pkg.substring(root.length() + 1);
			int dot = rest.indexOf('.');
			return dot < 0 ? rest : rest.substring(0, dot);
		}

		ArchRule rule() {
			return classes().that()
				.resideInAPackage(root + ".*..")
				.should(new ArchCondition<JavaClass>(
						"use other modules only as the module map allows, through the public types of their top-level package") {
					@Override
					public void check(JavaClass from, ConditionEvents events) {
						String module = moduleOf(root, from);
						for (Dependency d : from.getDirectDependenciesFromSelf()) {
							JavaClass target = d.getTargetClass().getBaseComponentType();
							String used = moduleOf(root, target);
							if (used == null || used.equals(module)) {
								continue;
							}
							if (used.isEmpty() || !allowed.getOrDefault(module, Set.of()).contains(used)) {
								events.add(violated(d, d.getDescription() + ": module " + module
										+ " may not use module " + (used.isEmpty() ? "(root)" : used)));
							}
							else if (!target.getPackageName().equals(root + "." + used) || !isPublic(target)) {
								events.add(violated(d, d.getDescription() + ": " + target.getName()
										+ " is not in the public API of module " + used));
							}
						}
					}
				});
		}

		private static boolean isPublic(JavaClass c) {
			for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
				if (!k.getModifiers().contains(JavaModifier.PUBLIC)) {
					return false;
				}
			}
			return true;
		}

	}

}
