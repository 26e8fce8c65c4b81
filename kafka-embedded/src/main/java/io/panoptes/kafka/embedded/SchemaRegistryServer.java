package io.panoptes.kafka.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.panoptes.runtime.http.Exchanges;
import io.panoptes.runtime.http.HttpServer;
import io.panoptes.schemas.registry.CompatibilityLevel;
import io.panoptes.schemas.registry.CompatibilityResult;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.RegisteredSchema;
import io.panoptes.schemas.registry.SchemaNotFoundException;
import io.panoptes.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link InMemorySchemaRegistry} over HTTP with the subset of the Confluent Schema
 * Registry REST API that Panoptes' own client and other languages' clients (e.g. Python's {@code
 * confluent_kafka}) call: subjects and versions, schemas by id, lookup, compatibility tests and
 * compatibility configuration. Only Avro schemas without references are accepted. Errors are
 * answered in Confluent's shape ({@code {"error_code", "message"}}), which those clients read: the
 * one server of the HTTP layer that does not answer Panoptes' own error body.
 *
 * <p>Written by hand because no maintained library serves this API in-process; the registry
 * semantics themselves are Avro's. Owns a listening socket and threads: close it.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    /**
     * The usual schema registry port, which {@code panoptes broker} takes unless told otherwise.
     */
    public static final int STANDARD_PORT = 8081;

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final String SUBJECT = "/subjects/{subject}";
    private static final String VERSION = SUBJECT + "/versions/{version}";

    private final InMemorySchemaRegistry registry;
    private final HttpServer server;
    private static final ObjectMapper JSON = new ObjectMapper();
    private boolean closed;

    private SchemaRegistryServer(InMemorySchemaRegistry registry, InetSocketAddress address) {
        this.registry = registry;
        this.server =
                HttpServer.builder("schema registry")
                        .address(address)
                        .threads(8)
                        .errorBody((status, message, field) -> error(status * 100, message))
                        .routes(this::routes)
                        .start();
    }

    /** Serves {@code registry} on a free loopback port. */
    public static SchemaRegistryServer start(InMemorySchemaRegistry registry) {
        return start(registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /**
     * Serves {@code registry} on {@code address}.
     *
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     */
    public static SchemaRegistryServer start(
            InMemorySchemaRegistry registry, InetSocketAddress address) {
        SchemaRegistryServer server = new SchemaRegistryServer(registry, address);
        log.info("schema registry serving at {}", server.url());
        return server;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return server.url();
    }

    public InMemorySchemaRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        log.info("schema registry stopped: {}", url());
    }

    private void routes(RoutesConfig routes) {
        routes.exception(
                SchemaRegistryException.class,
                (e, ctx) -> answer(ctx, e.httpStatus(), error(e.errorCode(), e.getMessage())));
        routes.exception(
                IllegalArgumentException.class,
                (e, ctx) -> answer(ctx, 422, error(42203, e.getMessage())));
        routes.get("/", ctx -> answer(ctx, 200, Map.of()));
        routes.get("/subjects", ctx -> answer(ctx, 200, registry.subjects()));
        routes.post(SUBJECT, this::lookup);
        routes.get(
                SUBJECT + "/versions",
                ctx -> answer(ctx, 200, registry.versions(ctx.pathParam("subject"))));
        routes.post(
                SUBJECT + "/versions",
                ctx ->
                        answer(
                                ctx,
                                200,
                                Map.of(
                                        "id",
                                        registry.register(
                                                ctx.pathParam("subject"), readSchema(ctx)))));
        routes.get(VERSION, ctx -> answer(ctx, 200, describe(version(ctx))));
        routes.get(
                VERSION + "/schema",
                ctx -> answer(ctx, 200, JSON.readTree(version(ctx).schema().toString())));
        routes.get(
                "/schemas/ids/{id}",
                ctx -> answer(ctx, 200, Map.of("schema", registry.schemaById(id(ctx)).toString())));
        routes.get("/schemas/ids/{id}/versions", ctx -> answer(ctx, 200, versionsOf(id(ctx))));
        routes.post("/compatibility" + SUBJECT + "/versions", ctx -> compatibility(ctx, null));
        routes.post(
                "/compatibility" + VERSION, ctx -> compatibility(ctx, ctx.pathParam("version")));
        routes.get(
                "/config",
                ctx ->
                        answer(
                                ctx,
                                200,
                                Map.of(
                                        "compatibilityLevel",
                                        registry.globalCompatibility().name())));
        routes.put(
                "/config",
                ctx -> answer(ctx, 200, Map.of("compatibility", setLevel(ctx, null).name())));
        routes.get("/config/{subject}", this::subjectLevel);
        routes.put(
                "/config/{subject}",
                ctx ->
                        answer(
                                ctx,
                                200,
                                Map.of(
                                        "compatibility",
                                        setLevel(ctx, ctx.pathParam("subject")).name())));
    }

    private void lookup(Context ctx) throws IOException {
        String subject = ctx.pathParam("subject");
        Schema schema = readSchema(ctx);
        registry.versions(subject); // 40401 when the subject is unknown
        RegisteredSchema found =
                registry.lookup(subject, schema)
                        .orElseThrow(
                                () ->
                                        new SchemaNotFoundException(
                                                SchemaNotFoundException.SCHEMA_NOT_FOUND,
                                                "Schema not found"));
        answer(ctx, 200, describe(found));
    }

    private List<SubjectVersion> versionsOf(int id) {
        Schema schema = registry.schemaById(id);
        return registry.subjects().stream()
                .flatMap(subject -> registry.lookup(subject, schema).stream())
                .map(found -> new SubjectVersion(found.subject(), found.version()))
                .toList();
    }

    /** One element of the answer to {@code GET /schemas/ids/{id}/versions}. */
    private record SubjectVersion(String subject, int version) {}

    private void compatibility(Context ctx, String version) throws IOException {
        String subject = ctx.pathParam("subject");
        Schema schema = readSchema(ctx);
        CompatibilityResult result =
                version == null
                        ? registry.testCompatibility(subject, schema)
                        : CompatibilityResult.of(
                                registry.compatibility(subject)
                                        .incompatibilities(
                                                schema,
                                                List.of(version(subject, version).schema())));
        answer(
                ctx,
                200,
                Map.of("is_compatible", result.compatible(), "messages", result.messages()));
    }

    private CompatibilityLevel setLevel(Context ctx, String subject) throws IOException {
        CompatibilityLevel level =
                CompatibilityLevel.parse(readJson(ctx).path("compatibility").asText(null));
        if (subject == null) {
            registry.setGlobalCompatibility(level);
        } else {
            registry.setCompatibility(subject, level);
        }
        return level;
    }

    private void subjectLevel(Context ctx) {
        String subject = ctx.pathParam("subject");
        CompatibilityLevel level =
                "true".equals(ctx.queryParam("defaultToGlobal"))
                        ? registry.compatibility(subject)
                        : registry.subjectCompatibility(subject)
                                .orElseThrow(
                                        () ->
                                                new SchemaNotFoundException(
                                                        SchemaNotFoundException
                                                                .SUBJECT_LEVEL_NOT_CONFIGURED,
                                                        "Subject '"
                                                                + subject
                                                                + "' does not have subject-level compatibility configured"));
        answer(ctx, 200, Map.of("compatibilityLevel", level.name()));
    }

    private RegisteredSchema version(Context ctx) {
        return version(ctx.pathParam("subject"), ctx.pathParam("version"));
    }

    private RegisteredSchema version(String subject, String version) {
        if (version.equals("latest") || version.equals("-1")) {
            return registry.latest(subject);
        }
        return registry.version(subject, parseInt(version, 42202));
    }

    private static int id(Context ctx) {
        return parseInt(ctx.pathParam("id"), 42202);
    }

    private static Map<String, Object> describe(RegisteredSchema registered) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", registered.subject());
        body.put("version", registered.version());
        body.put("id", registered.id());
        body.put("schema", registered.schema().toString());
        return body;
    }

    private Schema readSchema(Context ctx) throws IOException {
        JsonNode body = readJson(ctx);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SchemaRegistryException(
                    42201, "Invalid schema: schemaType " + type + " is not supported (AVRO only)");
        }
        if (body.path("references").size() > 0) {
            throw new SchemaRegistryException(
                    42201, "Invalid schema: schema references are not supported");
        }
        String text = body.path("schema").asText(null);
        if (text == null) {
            throw new SchemaRegistryException(
                    42201, "Invalid schema: the request has no 'schema' field");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(42201, "Invalid schema: " + e.getMessage());
        }
    }

    private JsonNode readJson(Context ctx) {
        byte[] bytes;
        try {
            bytes = Exchanges.body(ctx, MAX_BODY_BYTES, "body");
        } catch (io.panoptes.runtime.http.HttpProblem e) {
            throw new SchemaRegistryException(42201, "Invalid schema: " + e.getMessage());
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    42201, "Invalid schema: request body is not JSON: " + e.getMessage());
        }
    }

    private static int parseInt(String text, int errorCode) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(errorCode, "'" + text + "' is not a valid number");
        }
    }

    private static void answer(Context ctx, int status, Object body) {
        Exchanges.json(ctx, status, CONTENT_TYPE, body);
    }

    private static Map<String, Object> error(int code, String message) {
        return Map.of("error_code", code, "message", message);
    }
}
