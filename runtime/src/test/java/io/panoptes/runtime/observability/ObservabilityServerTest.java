package io.panoptes.runtime.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ObservabilityServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServePrometheusMetricsAndHealth() throws Exception {
        AtomicBoolean producerUp = new AtomicBoolean(true);
        try (ObservabilityServer server =
                ObservabilityServer.start(
                        "ingest", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            server.registry().counter("panoptes.frames.published", "stream", "cam-1").increment(3);
            server.addCheck(
                    "producer",
                    () ->
                            producerUp.get()
                                    ? HealthCheck.Health.up("connected")
                                    : HealthCheck.Health.down("broker unreachable"));

            HttpResponse<String> metrics = get(server.url() + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains(
                            "panoptes_frames_published_total{role=\"ingest\",stream=\"cam-1\"} 3.0")
                    .contains("jvm_memory_used_bytes");

            assertThat(get(server.url() + "/health").statusCode()).isEqualTo(200);
            producerUp.set(false);
            HttpResponse<String> down = get(server.url() + "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("broker unreachable");
        }
    }

    @Test
    void shouldNameAnAddressItCannotBind() throws Exception {
        try (ObservabilityServer first =
                ObservabilityServer.start(
                        "a", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress taken =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), first.url().getPort());
            assertThatThrownBy(() -> ObservabilityServer.start("b", taken))
                    .hasMessageContaining("cannot serve metrics and health on")
                    .hasMessageContaining(String.valueOf(first.url().getPort()));
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
