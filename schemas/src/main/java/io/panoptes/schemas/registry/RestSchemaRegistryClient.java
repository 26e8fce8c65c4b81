package io.panoptes.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.runtime.retry.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (also served by Apicurio's ccompat API,
 * Karapace, Redpanda and {@link SchemaRegistryServer}), on the JDK's HTTP client. No caching: the
 * serdes cache what they need. Requests that get no answer, a 5xx or a 429 are retried with
 * exponential backoff and jitter, then fail with {@link SchemaRegistryUnavailableException}.
 * Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistry {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryClientConfig config;
    private final Backoff retries;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public RestSchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        this.retries =
                new Backoff(
                        config.initialBackoff(),
                        config.initialBackoff().multipliedBy(1024),
                        config.maxAttempts());
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(config.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
    }

    public static RestSchemaRegistryClient of(String url) {
        return new RestSchemaRegistryClient(RegistryClientConfig.of(url));
    }

    public URI url() {
        return config.url();
    }

    @Override
    public int register(String subject, Schema schema) {
        return send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema))
                .path("id")
                .asInt();
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        try {
            return Optional.of(
                    registered(send("POST", "/subjects/" + encode(subject), schemaBody(schema))));
        } catch (SchemaNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Schema schemaById(int id) {
        return parse(send("GET", "/schemas/ids/" + id, null).path("schema").asText());
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return registered(
                send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return registered(send("GET", "/subjects/" + encode(subject) + "/versions/latest", null));
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        send("GET", "/subjects/" + encode(subject) + "/versions", null)
                .forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
        return subjects;
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer =
                    send(
                            "POST",
                            "/compatibility/subjects/" + encode(subject) + "/versions?verbose=true",
                            schemaBody(schema));
        } catch (SchemaNotFoundException e) {
            return CompatibilityResult.of(List.of()); // a new subject accepts any schema
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        return new CompatibilityResult(answer.path("is_compatible").asBoolean(), messages);
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        JsonNode answer = send("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null);
        return CompatibilityLevel.parse(answer.path("compatibilityLevel").asText());
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        send(
                "PUT",
                "/config/" + encode(subject),
                json.createObjectNode().put("compatibility", level.name()));
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return CompatibilityLevel.parse(
                send("GET", "/config", null).path("compatibilityLevel").asText());
    }

    @Override
    public void setGlobalCompatibility(CompatibilityLevel level) {
        send("PUT", "/config", json.createObjectNode().put("compatibility", level.name()));
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest request = request(method, path, body);
        Exception lastFailure = null;
        String lastAnswer = null;
        for (int attempt = 1; retries.allows(attempt); attempt++) {
            if (attempt > 1) {
                sleepBackoff(attempt);
            }
            try {
                HttpResponse<byte[]> response =
                        http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return json.readTree(response.body());
                }
                if (status < 500 && status != 429) {
                    throw failure(status, response.body(), method, path);
                }
                lastAnswer =
                        "HTTP "
                                + status
                                + " "
                                + new String(response.body(), StandardCharsets.UTF_8);
                lastFailure = null;
            } catch (IOException e) {
                lastFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException(
                        "interrupted while calling the schema registry at " + config.url(), e);
            }
        }
        String cause = lastFailure != null ? describe(lastFailure) : lastAnswer;
        throw new SchemaRegistryUnavailableException(
                "schema registry at "
                        + config.url()
                        + " unavailable for "
                        + method
                        + " "
                        + path
                        + " after "
                        + config.maxAttempts()
                        + " attempt(s): "
                        + cause,
                lastFailure);
    }

    private HttpRequest request(String method, String path, JsonNode body) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(config.url() + path))
                        .timeout(config.requestTimeout())
                        .header("Accept", CONTENT_TYPE + ", application/json");
        config.basicAuthUserInfo()
                .ifPresent(
                        info ->
                                builder.header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                info.getBytes(
                                                                        StandardCharsets.UTF_8))));
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private SchemaRegistryException failure(int status, byte[] body, String method, String path) {
        int code = status;
        String message = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode error = json.readTree(body);
            code = error.path("error_code").asInt(status);
            message = error.path("message").asText(message);
        } catch (IOException notJson) {
            // keep the raw body as the message
        }
        String context = " (" + method + " " + config.url() + path + ")";
        if (status == 401 || status == 403) {
            return new SchemaRegistryException(
                    code, "schema registry refused the credentials: " + message + context);
        }
        if (status == 404 && code >= 40400) {
            return new SchemaNotFoundException(code, message + context);
        }
        if (status == 409) {
            return new IncompatibleSchemaException(message + context);
        }
        return new SchemaRegistryException(code, message + context);
    }

    private void sleepBackoff(int attempt) {
        try {
            Thread.sleep(retries.delay(attempt - 1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode schemaBody(Schema schema) {
        return json.valueToTree(Map.of("schema", schema.toString()));
    }

    private RegisteredSchema registered(JsonNode node) {
        return new RegisteredSchema(
                node.path("subject").asText(),
                node.path("version").asInt(),
                node.path("id").asInt(),
                parse(node.path("schema").asText()));
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
