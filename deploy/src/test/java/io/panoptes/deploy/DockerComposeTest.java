package io.panoptes.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml as the compose CLI reads it ({@code docker-compose config}, Debian's package,
 * which .ci/run installs): every component, its health check and what it waits for. No container is
 * started here (no Docker engine).
 */
class DockerComposeTest {

    private static final Path ROOT = RepositoryRoot.find();

    @Test
    void shouldDeclareTheWholeSystemWithHealthChecksAndStartOrder() throws Exception {
        SystemTools.requireExecutable(
                Path.of("/usr/bin/docker-compose"),
                "docker-compose (Debian's package): apt-get install docker-compose");
        Process config =
                new ProcessBuilder(
                                "/usr/bin/docker-compose",
                                "-f",
                                ROOT.resolve("docker-compose.yml").toString(),
                                "config")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(config.getInputStream().readAllBytes());
        assertThat(config.waitFor()).as(out).isZero();

        JsonNode services = new YAMLMapper().readTree(out).path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "kafka",
                        "schema-registry",
                        "topics",
                        "mediamtx",
                        "camera",
                        "ingest",
                        "worker-1",
                        "worker-2",
                        "aggregator",
                        "actions",
                        "api",
                        "prometheus");
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:");
        assertThat(services.at("/schema-registry/image").asText())
                .startsWith("confluentinc/cp-schema-registry:");
        assertThat(services.at("/kafka/healthcheck/test").toString())
                .contains("kafka-broker-api-versions");
        assertThat(services.at("/schema-registry/healthcheck/test").toString())
                .contains("/subjects");
        assertThat(services.at("/topics/depends_on/kafka/condition").asText())
                .isEqualTo("service_healthy");
        for (String role :
                List.of("ingest", "worker-1", "worker-2", "aggregator", "actions", "api")) {
            JsonNode service = services.path(role);
            assertThat(service.at("/depends_on/topics/condition").asText())
                    .as(role)
                    .isEqualTo("service_completed_successfully");
            assertThat(service.at("/depends_on/schema-registry/condition").asText())
                    .as(role)
                    .isEqualTo("service_healthy");
            assertThat(service.at("/environment/KAFKA_BOOTSTRAP_SERVERS").asText())
                    .as(role)
                    .isEqualTo("kafka:9092");
            assertThat(service.at("/command/0").asText())
                    .as(role)
                    .isEqualTo(role.replaceFirst("-\\d$", ""));
        }
        assertThat(services.at("/ingest/command").toString())
                .contains("rtsp://mediamtx:8554/demo", "--pipelines");
        assertThat(services.at("/api/command").toString())
                .contains("--aggregator-url", "http://aggregator:8083");
        assertThat(services.at("/api/environment/PANOPTES_API_TOKEN").asText())
                .hasSizeGreaterThanOrEqualTo(16);
        assertThat(services.at("/api/ports").toString()).contains("8080");
        assertThat(services.at("/camera/command").toString()).contains("rtsp://mediamtx:8554/demo");
        assertThat(Files.readString(ROOT.resolve("deploy/compose/prometheus.yml")))
                .contains(
                        "ingest:9400",
                        "worker-1:9400",
                        "worker-2:9400",
                        "aggregator:9400",
                        "actions:9400",
                        "api:9400");
    }

    @Test
    void shouldBuildOneNonRootImageWithAHealthCheckAndTelemetryOff() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        String gpu = Files.readString(ROOT.resolve("Dockerfile.gpu"));

        for (String file : List.of(dockerfile, gpu)) {
            assertThat(file)
                    .contains("USER 10001")
                    .contains("ORT_DISABLE_TELEMETRY=1")
                    .contains("HEALTHCHECK")
                    .contains("MaxRAMPercentage")
                    .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/panoptes/panoptes.jar\"]");
        }
        assertThat(gpu).contains("-Pgpu").contains("FROM nvidia/cuda:");
    }
}
