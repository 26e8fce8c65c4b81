package io.panoptes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The API over real HTTP for tests (here and in the modules that run it with the roles): requests
 * with the token, JSON, refusals.
 */
public final class ApiTestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();

    public ApiTestClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** {@code method path}, with {@code If-Match} and a JSON body when not null. */
    public HttpResponse<String> call(String method, String path, String ifMatch, String body)
            throws Exception {
        HttpRequest.Builder request =
                request(path)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return send(request);
    }

    /** A request to {@code path} with the bearer token. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    public static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** Waits until pipeline {@code id} reports {@code state} at {@code version}; its last view. */
    public JsonNode awaitState(String id, long version, String state, Duration wait) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(wait)
                .until(
                        () -> {
                            last[0] = json(call("GET", "/v1/pipelines/" + id, null, null));
                            return last[0].at("/status/specVersion").asLong() == version
                                    && last[0].at("/status/state").asText().equals(state);
                        });
        return last[0];
    }

    /** The one error body: {@code status}, a message, and {@code field} when it is not null. */
    public static void assertRefused(HttpResponse<String> response, int status, String field)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isNotBlank();
        if (field != null) {
            assertThat(body.path("field").asText()).as(response.body()).isEqualTo(field);
        }
    }
}
