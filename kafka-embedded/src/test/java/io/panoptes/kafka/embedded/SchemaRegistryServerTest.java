package io.panoptes.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Raw HTTP against the server, for answers our own client never asks for. */
class SchemaRegistryServerTest {

    private final SchemaRegistryServer server =
            SchemaRegistryServer.start(new InMemorySchemaRegistry());
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        server.close();
        server.close(); // idempotent
    }

    @Test
    void shouldAnswerInvalidSchemasWith422() throws Exception {
        HttpResponse<String> response =
                post(
                        "/subjects/x-value/versions",
                        "{\"schema\":\"{\\\"type\\\":\\\"recurd\\\"}\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("\"error_code\":42201").contains("Invalid schema");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("application/vnd.schemaregistry.v1+json");
    }

    @Test
    void shouldAnswerNonJsonBodiesAndOtherSchemaTypesWith422() throws Exception {
        assertThat(post("/subjects/x-value/versions", "not json").body()).contains("not JSON");
        assertThat(
                        post(
                                        "/subjects/x-value/versions",
                                        "{\"schemaType\":\"PROTOBUF\",\"schema\":\"x\"}")
                                .body())
                .contains("PROTOBUF is not supported");
    }

    @Test
    void shouldAnswerUnknownPathsAndSubjectsWith404() throws Exception {
        assertThat(get("/nothing/here").statusCode()).isEqualTo(404);
        HttpResponse<String> subject = get("/subjects/none-value/versions/latest");
        assertThat(subject.statusCode()).isEqualTo(404);
        assertThat(subject.body()).contains("40401");
        assertThat(get("/config/none-value").body()).contains("40408");
        assertThat(get("/subjects/none-value/versions/abc").body()).contains("42202");
    }

    @Test
    void shouldServeRawSchemasAndTheSubjectsOfAnId() throws Exception {
        int id = server.registry().register("a-value", io.panoptes.avro.Box.getClassSchema());
        server.registry().register("b-value", io.panoptes.avro.Box.getClassSchema());

        assertThat(get("/subjects/a-value/versions/1/schema").body())
                .startsWith("{\"type\":\"record\"");
        assertThat(get("/schemas/ids/" + id + "/versions").body())
                .contains("{\"subject\":\"a-value\",\"version\":1}")
                .contains("{\"subject\":\"b-value\",\"version\":1}");
        assertThat(get("/").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
