package io.panoptes.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.panoptes.testkit.RepositoryRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The chart, linted and rendered by real Helm (its native library, through helm-java), and the
 * manifests checked.
 */
class HelmChartTest {

    private static final Path CHART = RepositoryRoot.find().resolve("helm/panoptes");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void shouldLintClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    }

    @Test
    void shouldScaleWorkersWithKedaOnTheFramesLagOfTheWorkerGroup() throws Exception {
        List<JsonNode> manifests = render(t -> t);

        JsonNode scaled = only(manifests, "ScaledObject");
        assertThat(scaled.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(scaled.at("/spec/scaleTargetRef/name").asText())
                .isEqualTo(only(manifests, "Deployment", "worker").at("/metadata/name").asText());
        JsonNode trigger = scaled.at("/spec/triggers/0");
        assertThat(trigger.at("/type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo("panoptes.frames");
        assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo("panoptes-worker");
        assertThat(trigger.at("/metadata/lagThreshold").asText()).isEqualTo("200");
        assertThat(scaled.at("/spec/maxReplicaCount").asInt())
                .isLessThanOrEqualTo(12); // framesPartitions
        assertThat(only(manifests, "Deployment", "worker").at("/spec/replicas").isMissingNode())
                .as("KEDA owns the replica count")
                .isTrue();
        assertThat(kinds(manifests)).doesNotContain("HorizontalPodAutoscaler");
    }

    @Test
    void shouldFallBackToAnHpaOnTheExportedLagWithoutKeda() throws Exception {
        List<JsonNode> manifests =
                render(
                        t ->
                                t.set("autoscaling.keda.enabled", false)
                                        .set("autoscaling.hpa.enabled", true));

        JsonNode hpa = only(manifests, "HorizontalPodAutoscaler");
        assertThat(hpa.at("/spec/metrics/0/pods/metric/name").asText())
                .isEqualTo("panoptes_worker_lag");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).endsWith("-worker");
        assertThat(kinds(manifests)).doesNotContain("ScaledObject");
    }

    @Test
    void shouldGiveTheAggregatorPersistentStateAndEveryRoleProbesAndResources() throws Exception {
        List<JsonNode> manifests =
                render(
                        t ->
                                t.set("actions.enabled", true)
                                        .set("actions.webhooks[0]", "https://hooks.example.com/x")
                                        .set("actions.webhookSecret", "hooks"));

        JsonNode aggregator = only(manifests, "StatefulSet", "aggregator");
        assertThat(
                        aggregator
                                .at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage")
                                .asText())
                .isEqualTo("10Gi");
        assertThat(aggregator.at("/spec/template/spec/containers/0/args").toString())
                .contains("--standby-replicas=1")
                .contains("--state-dir=/var/lib/panoptes/state");
        for (JsonNode workload : workloads(manifests)) {
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            String name = workload.at("/metadata/name").asText();
            assertThat(container.at("/livenessProbe/httpGet/path").asText())
                    .as(name)
                    .isEqualTo("/health");
            assertThat(container.at("/readinessProbe/httpGet/path").asText())
                    .as(name)
                    .isEqualTo("/health");
            assertThat(container.at("/resources/requests/cpu").isMissingNode()).as(name).isFalse();
            assertThat(container.at("/resources/limits/memory").isMissingNode()).as(name).isFalse();
            assertThat(container.at("/env").toString()).as(name).contains("ORT_DISABLE_TELEMETRY");
            assertThat(workload.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean())
                    .as(name)
                    .isTrue();
        }
        assertThat(workloads(manifests)).hasSize(5);
        assertThat(kinds(manifests)).contains("PodDisruptionBudget");
    }

    @Test
    void shouldRequestGpusAndTheGpuImageForGpuWorkers() throws Exception {
        List<JsonNode> manifests =
                render(t -> t.set("worker.gpu.enabled", true).set("worker.gpu.count", 2));

        JsonNode container =
                only(manifests, "Deployment", "worker").at("/spec/template/spec/containers/0");
        assertThat(container.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(2);
        assertThat(container.at("/image").asText()).endsWith(":0.1.0-gpu");
        assertThat(container.at("/args").toString()).contains("--device=cuda");
    }

    @Test
    void shouldPutSaslCredentialsInASecretTheRolesRead() throws Exception {
        List<JsonNode> manifests =
                render(
                        t ->
                                t.set("kafka.sasl.mechanism", "SCRAM-SHA-512")
                                        .set("kafka.sasl.username", "panoptes")
                                        .set("kafka.sasl.password", "s3cret")
                                        .set("kafka.config.security\\.protocol", "SASL_SSL"));

        JsonNode secret = only(manifests, "Secret");
        assertThat(secret.at("/stringData/KAFKA_SASL_JAAS_CONFIG").asText())
                .contains("ScramLoginModule")
                .contains("username=\"panoptes\"");
        JsonNode worker =
                only(manifests, "Deployment", "worker").at("/spec/template/spec/containers/0");
        assertThat(worker.at("/envFrom/0/secretRef/name").asText())
                .isEqualTo(secret.at("/metadata/name").asText());
        assertThat(worker.at("/env").toString())
                .contains("KAFKA_SECURITY_PROTOCOL")
                .contains("SASL_SSL");
    }

    @Test
    void shouldServeTheApiBehindAServiceAndIngressWithAGeneratedTokenAndIngestRunningPipelines()
            throws Exception {
        List<JsonNode> manifests =
                render(
                        t ->
                                t.set("api.ingress.enabled", true)
                                        .set("api.ingress.host", "video.example.com")
                                        .set("api.tokenSecret", "")
                                        .set("api.token", "a-token-of-enough-length")
                                        .set("api.ingress.tlsSecret", "video-tls")
                                        .set("pipelines.sourceDirs[0]", "/data/videos"));

        JsonNode api = only(manifests, "Deployment", "api");
        JsonNode container = api.at("/spec/template/spec/containers/0");
        assertThat(container.at("/args").toString())
                .contains(
                        "\"api\"",
                        "--port=8080",
                        "--aggregator-url=http://site-panoptes-aggregator:8083",
                        "--source-dir=/data/videos",
                        "--allow-private-sources")
                .doesNotContain("--no-auth");
        assertThat(container.at("/env").toString())
                .contains("PANOPTES_API_TOKEN", "site-panoptes-api-token");
        assertThat(container.at("/ports").toString()).contains("\"http\"", "8080");
        JsonNode secret = only(manifests, "Secret", "api-token");
        assertThat(
                        new String(
                                java.util.Base64.getDecoder()
                                        .decode(secret.at("/data/token").asText())))
                .isEqualTo("a-token-of-enough-length");
        JsonNode service = only(manifests, "Service", "api");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/selector").toString()).contains("\"api\"");
        JsonNode ingress = only(manifests, "Ingress", "api");
        assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("video.example.com");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("video-tls");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText())
                .isEqualTo("site-panoptes-api");
        assertThat(ingress.at("/metadata/annotations").toString()).contains("proxy-buffering");

        JsonNode ingest = only(manifests, "Deployment", "ingest");
        assertThat(ingest.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(ingest.at("/spec/template/spec/containers/0/args").toString())
                .contains("--pipelines", "--instance-id=$(POD_NAME)", "--source-dir=/data/videos");

        assertThat(
                        only(render(t -> t), "Deployment", "api")
                                .at("/spec/template/spec/containers/0/env")
                                .toString())
                .as("by default the token comes from a Secret the operator creates")
                .contains("\"panoptes-api-token\"");
        List<JsonNode> open = render(t -> t.set("api.noAuth", true));
        assertThat(
                        only(open, "Deployment", "api")
                                .at("/spec/template/spec/containers/0/args")
                                .toString())
                .contains("--no-auth");
        assertThat(open)
                .noneMatch(
                        m ->
                                m.at("/kind").asText().equals("Secret")
                                        && m.at("/metadata/name").asText().endsWith("api-token"));
    }

    @Test
    void shouldRefuseBadValuesThroughTheSchemaAndTheTemplates() {
        assertThatThrownBy(() -> render(t -> t.set("framesPartitions", 0)))
                .hasMessageContaining("framesPartitions");
        assertThatThrownBy(() -> render(t -> t.set("pipelines.sourceDirs[0]", "relative/dir")))
                .hasMessageContaining("sourceDirs");
        assertThatThrownBy(() -> render(t -> t.set("api.port", 70000)))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> render(t -> t.set("api.token", "short")))
                .hasMessageContaining("token");
        assertThatThrownBy(() -> render(t -> t.set("api.tokenSecret", "")))
                .hasMessageContaining("set api.tokenSecret");
        assertThatThrownBy(() -> render(t -> t.set("kafka.bootstrapServers", "no port")))
                .hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> render(t -> t.set("models.face.family", "resnet")))
                .hasMessageContaining("family");
        assertThatThrownBy(() -> render(t -> t.set("actions.enabled", true)))
                .hasMessageContaining("webhooks");
        assertThatThrownBy(() -> render(t -> t.set("autoscaling.keda.maxReplicas", 40)))
                .hasMessageContaining(
                        "autoscaling.keda.maxReplicas (40) must not exceed framesPartitions (12)");
    }

    private static List<JsonNode> render(UnaryOperator<TemplateCommand> values) throws Exception {
        String rendered = values.apply(new Helm(CHART).template().withName("site")).call();
        List<JsonNode> manifests = new ArrayList<>();
        try (JsonParser parser = new YAMLFactory().createParser(rendered)) {
            YAML.readValues(parser, JsonNode.class)
                    .forEachRemaining(
                            node -> {
                                if (node != null && !node.isEmpty()) {
                                    manifests.add(node);
                                }
                            });
        }
        return manifests;
    }

    private static List<String> kinds(List<JsonNode> manifests) {
        return manifests.stream().map(m -> m.path("kind").asText()).toList();
    }

    private static List<JsonNode> workloads(List<JsonNode> manifests) {
        return manifests.stream()
                .filter(m -> List.of("Deployment", "StatefulSet").contains(m.path("kind").asText()))
                .toList();
    }

    private static JsonNode only(List<JsonNode> manifests, String kind) {
        List<JsonNode> matching =
                manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
        assertThat(matching).as(kind).hasSize(1);
        return matching.get(0);
    }

    private static JsonNode only(List<JsonNode> manifests, String kind, String component) {
        List<JsonNode> matching =
                manifests.stream()
                        .filter(
                                m ->
                                        m.path("kind").asText().equals(kind)
                                                && m.at("/metadata/name")
                                                        .asText()
                                                        .endsWith("-" + component))
                        .toList();
        assertThat(matching).as(kind + " " + component).hasSize(1);
        return matching.get(0);
    }
}
