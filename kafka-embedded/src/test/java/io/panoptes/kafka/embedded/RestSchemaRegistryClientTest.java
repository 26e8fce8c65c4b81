package io.panoptes.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.schemas.Evolution;
import io.panoptes.schemas.registry.CompatibilityLevel;
import io.panoptes.schemas.registry.CompatibilityResult;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.IncompatibleSchemaException;
import io.panoptes.schemas.registry.RegistryClientConfig;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.registry.SchemaNotFoundException;
import io.panoptes.schemas.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    private final SchemaRegistryServer server =
            SchemaRegistryServer.start(new InMemorySchemaRegistry());
    private final RestSchemaRegistryClient client =
            RestSchemaRegistryClient.of(server.url().toString());
    private HttpServer fake;

    @AfterEach
    void close() {
        server.close();
        if (fake != null) {
            fake.stop(0);
        }
    }

    @Test
    void shouldRegisterAndReadBackOverHttp() {
        int id = client.register("panoptes.frames-value", Frame.getClassSchema());

        assertThat(client.register("panoptes.frames-value", Frame.getClassSchema())).isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(Frame.getClassSchema());
        assertThat(client.subjects()).containsExactly("panoptes.frames-value");
        assertThat(client.versions("panoptes.frames-value")).containsExactly(1);
        assertThat(client.latest("panoptes.frames-value").id()).isEqualTo(id);
        assertThat(client.version("panoptes.frames-value", 1).schema())
                .isEqualTo(Frame.getClassSchema());
        assertThat(client.lookup("panoptes.frames-value", Frame.getClassSchema())).isPresent();
        assertThat(client.lookup("panoptes.frames-value", Detections.getClassSchema())).isEmpty();
        assertThat(client.lookup("unknown-value", Frame.getClassSchema())).isEmpty();
        assertThat(server.registry().schemaById(id)).isEqualTo(Frame.getClassSchema());
    }

    @Test
    void shouldTestAndRefuseIncompatibleSchemasWithTheRegistrysReason() {
        client.register("f-value", Frame.getClassSchema());

        assertThat(client.testCompatibility("f-value", Evolution.frameV2()).compatible()).isTrue();
        assertThat(client.testCompatibility("new-value", Evolution.frameV2()).compatible())
                .isTrue();
        CompatibilityResult refused =
                client.testCompatibility("f-value", Evolution.frameWithRequiredField());
        assertThat(refused.compatible()).isFalse();
        assertThat(refused.messages()).anySatisfy(m -> assertThat(m).contains("cameraSerial"));
        assertThatThrownBy(() -> client.register("f-value", Evolution.frameWithRequiredField()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("incompatible with an earlier schema")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void shouldReadAndSetCompatibilityLevels() {
        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        client.setCompatibility("f-value", CompatibilityLevel.NONE);
        assertThat(client.compatibility("f-value")).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.compatibility("g-value")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        client.setGlobalCompatibility(CompatibilityLevel.BACKWARD);
        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldNameWhatIsMissing() {
        assertThatThrownBy(() -> client.schemaById(404))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("Schema 404 not found")
                .satisfies(
                        e ->
                                assertThat(((SchemaNotFoundException) e).errorCode())
                                        .isEqualTo(40403));
        assertThatThrownBy(() -> client.latest("nope-value"))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("nope-value");
    }

    @Test
    void shouldFailClearlyWhenTheRegistryIsUnreachable() throws IOException {
        int closedPort = closedPort();
        var unreachable =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.builder("http://127.0.0.1:" + closedPort)
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .build());

        assertThatThrownBy(() -> unreachable.schemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("http://127.0.0.1:" + closedPort)
                .hasMessageContaining("after 3 attempt(s)")
                .hasMessageContaining("ConnectException");
    }

    @Test
    void shouldRetryServerErrorsAndSendBasicAuth() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext(
                "/",
                exchange -> {
                    authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                    boolean fail = calls.incrementAndGet() < 3;
                    byte[] body =
                            (fail
                                            ? "{\"error_code\":50001,\"message\":\"store down\"}"
                                            : "{\"schema\":\"\\\"string\\\"\"}")
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(fail ? 500 : 200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        fake.start();
        var flaky =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.builder(
                                        "http://127.0.0.1:" + fake.getAddress().getPort() + "/")
                                .basicAuth("alice:s3cret")
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .build());

        assertThat(flaky.schemaById(1).getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
        assertThat(calls).hasValue(3);
        assertThat(authorizations).containsOnly("Basic YWxpY2U6czNjcmV0");
    }

    @Test
    void shouldGiveUpOnPersistentServerErrorsWithTheLastAnswer() throws IOException {
        fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext(
                "/",
                exchange -> {
                    byte[] body =
                            "{\"error_code\":50001,\"message\":\"store down\"}"
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(503, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        fake.start();
        var down =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.builder(
                                        "http://127.0.0.1:" + fake.getAddress().getPort())
                                .maxAttempts(2)
                                .initialBackoff(Duration.ofMillis(10))
                                .build());

        assertThatThrownBy(() -> down.subjects())
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("store down");
    }

    @Test
    void shouldValidateItsConfiguration() {
        assertThatThrownBy(() -> RegistryClientConfig.of("ftp://registry"))
                .hasMessageContaining("must be http:// or https://");
        assertThatThrownBy(() -> RegistryClientConfig.builder("http://r").maxAttempts(0).build())
                .hasMessageContaining("maxAttempts must be in [1, 20], got 0");
        assertThatThrownBy(
                        () -> RegistryClientConfig.builder("http://r").basicAuth("alice").build())
                .hasMessageContaining("user:password");
        assertThatThrownBy(
                        () ->
                                RegistryClientConfig.builder("http://r")
                                        .requestTimeout(Duration.ZERO)
                                        .build())
                .hasMessageContaining("requestTimeout must be > 0");
    }

    /**
     * A loopback port nothing listens on (it was free a moment ago): connecting to it is refused.
     */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
