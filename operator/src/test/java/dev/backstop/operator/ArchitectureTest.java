package dev.backstop.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout says what is pure: core decides and judges from what it is given and depends on
 * nothing but the API classes and the JDK; the probe runtime does not reach into the drivers.
 */
class ArchitectureTest {

  private static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.backstop.operator");
  }

  @Test
  void coreDependsOnlyOnApiCoreAndTheJdk() {
    ArchRule rule = classes()
        .that().resideInAPackage("dev.backstop.operator.core..")
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("dev.backstop.operator.api..", "dev.backstop.operator.core..", "java..")
        .because("core is the pure decision logic: no I/O libraries, no adapters, no drivers");
    rule.check(production);
  }

  @Test
  void theProbeRuntimeDoesNotReachIntoTheDrivers() {
    ArchRule rule = noClasses()
        .that().resideInAPackage("dev.backstop.operator.health..")
        .should().dependOnClassesThat()
        .resideInAnyPackage(
            "dev.backstop.operator.cluster..", "dev.backstop.operator.local..", "dev.backstop.operator.cli..")
        .because("health runs probes for whichever driver calls it");
    rule.check(production);
  }

  @Test
  void theRulesSeeTheClassesTheyJudge() {
    // An import that found nothing would make both rules pass vacuously.
    classes().that().resideInAPackage("dev.backstop.operator.core.checks..")
        .should().haveSimpleNameNotEndingWith("Test")
        .allowEmptyShould(false)
        .check(production);
    classes().that().resideInAPackage("dev.backstop.operator.health..")
        .should().haveSimpleNameNotEndingWith("Test")
        .allowEmptyShould(false)
        .check(production);
  }
}
