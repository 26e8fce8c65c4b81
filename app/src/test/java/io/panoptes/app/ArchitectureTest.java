package io.panoptes.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of docs/architecture.md, on the classes themselves (app sees every module):
 * roles do not use one another, no module uses another's {@code internal} packages, and the shared
 * modules use no role. The Maven enforcer checks the same graph on the dependencies.
 */
class ArchitectureTest {

    private static final List<String> ROLES =
            List.of("ingest", "worker", "aggregator", "actions", "api");
    private static final List<String> MODULES =
            List.of(
                    "ingest",
                    "worker",
                    "aggregator",
                    "actions",
                    "api",
                    "pipeline",
                    "schemas",
                    "runtime",
                    "kafka.embedded",
                    "app");
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .withImportOption(
                                location ->
                                        !location.contains(
                                                "-tests.jar")) // other modules' test helpers
                        .importPackages("io.panoptes");
    }

    @Test
    void shouldFindEveryModulesClasses() {
        for (String module : MODULES) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(root(module))))
                    .as("classes of %s were imported", module)
                    .isTrue();
        }
    }

    @Test
    void shouldSeeTheDependenciesItChecks() {
        assertThatThrownBy(
                        () ->
                                check(
                                        noClasses()
                                                .that()
                                                .resideInAPackage(packages("api"))
                                                .should()
                                                .dependOnClassesThat()
                                                .resideInAPackage(packages("runtime"))))
                .as("the API serves on runtime's HTTP layer: a rule against it must fail")
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(
                        () ->
                                check(
                                        noClasses()
                                                .that()
                                                .resideInAPackage(packages("worker"))
                                                .should()
                                                .dependOnClassesThat()
                                                .resideInAPackage("org.bytedeco..")))
                .as("the worker decodes with OpenCV")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void shouldKeepRolesApartTheyMeetThroughTopics() {
        for (String role : ROLES) {
            String[] others =
                    ROLES.stream()
                            .filter(r -> !r.equals(role))
                            .map(ArchitectureTest::packages)
                            .toArray(String[]::new);
            check(
                    noClasses()
                            .that()
                            .resideInAPackage(packages(role))
                            .should()
                            .dependOnClassesThat()
                            .resideInAnyPackage(others)
                            .because(
                                    "roles meet through topics; what they share belongs in pipeline, schemas or runtime"));
        }
    }

    @Test
    void shouldKeepEachModulesInternalsToItself() {
        for (String module : MODULES) {
            check(
                    noClasses()
                            .that()
                            .resideOutsideOfPackage(packages(module))
                            .should()
                            .dependOnClassesThat()
                            .resideInAPackage(root(module) + ".internal..")
                            .allowEmptyShould(true)
                            .because(
                                    "io.panoptes."
                                            + module
                                            + ".internal is what no other module may call"));
        }
    }

    @Test
    void shouldKeepTheSharedModulesFreeOfRoles() {
        String[] rolesAndApp =
                Stream.concat(ROLES.stream(), Stream.of("app"))
                        .map(ArchitectureTest::packages)
                        .toArray(String[]::new);
        check(
                noClasses()
                        .that()
                        .resideInAnyPackage(
                                packages("pipeline"),
                                packages("schemas"),
                                packages("runtime"),
                                packages("kafka.embedded"),
                                "io.panoptes.avro..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(rolesAndApp));
        check(
                noClasses()
                        .that()
                        .resideInAPackage(packages("runtime"))
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                packages("schemas"), packages("pipeline"), "io.panoptes.avro..")
                        .because("runtime is the bottom layer"));
        check(
                noClasses()
                        .that()
                        .resideInAnyPackage(packages("pipeline"), packages("api"))
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                "org.bytedeco..", "ai.onnxruntime..", "org.apache.kafka.streams..")
                        .because("the control plane has no natives and no Kafka Streams"));
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }

    private static String root(String module) {
        return "io.panoptes." + module;
    }

    private static String packages(String module) {
        return root(module) + "..";
    }
}
