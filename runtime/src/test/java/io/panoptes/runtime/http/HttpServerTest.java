package io.panoptes.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private HttpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
            server.close(); // idempotent
        }
    }

    private void start(Duration idleTimeout) {
        server =
                HttpServer.builder("test")
                        .idleTimeout(idleTimeout)
                        .notFoundHint(" (see /docs)")
                        .requestMetrics(meters, "test.requests")
                        .routes(
                                routes ->
                                        routes.get(
                                                        "/things/{id}",
                                                        ctx ->
                                                                Exchanges.json(
                                                                        ctx,
                                                                        200,
                                                                        Map.of(
                                                                                "id",
                                                                                ctx.pathParam(
                                                                                        "id"))))
                                                .post(
                                                        "/things",
                                                        ctx ->
                                                                Exchanges.json(
                                                                        ctx,
                                                                        201,
                                                                        Map.of(
                                                                                "bytes",
                                                                                Exchanges.body(
                                                                                                ctx,
                                                                                                16,
                                                                                                "body")
                                                                                        .length)))
                                                .get(
                                                        "/refused",
                                                        ctx -> {
                                                            throw HttpProblem.badRequest(
                                                                            "color", "must be red")
                                                                    .withHeader("Retry-After", "3");
                                                        })
                                                .get(
                                                        "/broken",
                                                        ctx -> {
                                                            throw new IllegalStateException(
                                                                    "a bug");
                                                        }))
                        .start();
    }

    @Test
    void shouldAnswerEveryRefusalWithTheOneErrorBody() throws Exception {
        start(Duration.ofSeconds(30));

        assertThat(get("/things/a%20b").body()).isEqualTo("{\"id\":\"a b\"}");
        HttpResponse<String> refused = get("/refused");
        assertError(refused, 400, "color: must be red", "color");
        assertThat(refused.headers().firstValue("Retry-After")).contains("3");
        assertError(get("/nothing"), 404, "no such endpoint: GET /nothing (see /docs)", null);
        assertError(
                send(HttpRequest.newBuilder(server.url().resolve("/things/x")).DELETE()),
                405,
                "DELETE is not allowed on /things/x; use GET",
                null);
        HttpResponse<String> broken = get("/broken");
        assertError(broken, 500, "unexpected error: java.lang.IllegalStateException: a bug", null);
        assertThat(broken.body()).doesNotContain("at io.panoptes");
        assertError(
                post("/things", new byte[17]),
                413,
                "the body of 17 bytes is above the limit of 16 bytes",
                "body");
        assertThat(post("/things", new byte[16]).body()).isEqualTo("{\"bytes\":16}");
    }

    @Test
    void shouldCountRequestsByRouteAndKnownMethodOnly() throws Exception {
        start(Duration.ofSeconds(30));

        get("/things/1");
        get("/things/2");
        send(
                HttpRequest.newBuilder(server.url().resolve("/things/3"))
                        .method("BREW", HttpRequest.BodyPublishers.noBody()));
        send(
                HttpRequest.newBuilder(server.url().resolve("/things/4"))
                        .method("INVENTED", HttpRequest.BodyPublishers.noBody()));

        assertThat(
                        meters.counter(
                                        "test.requests",
                                        "method",
                                        "GET",
                                        "route",
                                        "/things/{id}",
                                        "status",
                                        "200")
                                .count())
                .isEqualTo(2);
        assertThat(meters.find("test.requests").tag("method", "OTHER").counters()).isNotEmpty();
        assertThat(meters.find("test.requests").tag("method", "BREW").counters()).isEmpty();
        assertThat(meters.find("test.requests").tag("route", "/things/3").counters()).isEmpty();
    }

    @Test
    void shouldDropAClientThatSendsNothingAndStillServeTheOthers() throws Exception {
        start(Duration.ofMillis(500));
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = slow.getOutputStream();
            out.write(
                    "GET /things/1 HTTP/1.1\r\nHost: x\r\n"
                            .getBytes(StandardCharsets.US_ASCII)); // never ends its headers
            out.flush();

            assertThat(get("/things/2").statusCode())
                    .as("served while the slow one waits")
                    .isEqualTo(200);
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            long start = System.nanoTime();
            while (in.read() >= 0) {
                // whatever the server says before it hangs up
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("closed by the idle timeout")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldNameTheServerAndAddressItCannotBind() {
        start(Duration.ofSeconds(30));
        InetSocketAddress taken =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());

        assertThatThrownBy(() -> HttpServer.builder("second").address(taken).start())
                .hasMessageContaining("cannot serve second on")
                .hasMessageContaining(String.valueOf(server.port()));
        assertThatThrownBy(() -> HttpServer.builder("tiny").threads(2))
                .hasMessageContaining("tiny: HTTP threads must be in [4, 1024], got 2");
    }

    private static void assertError(
            HttpResponse<String> response, int status, String error, String field)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.has("field")).isEqualTo(field != null);
        if (field != null) {
            assertThat(body.path("field").asText()).isEqualTo(field);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(server.url().resolve(path)).GET());
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return send(
                HttpRequest.newBuilder(server.url().resolve(path))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(
                request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
