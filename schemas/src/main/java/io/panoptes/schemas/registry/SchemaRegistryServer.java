package io.panoptes.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link InMemorySchemaRegistry} over HTTP with the subset of the Confluent Schema
 * Registry REST API that Panoptes' own client and other languages' clients (e.g. Python's
 * {@code confluent_kafka}) call: subjects and versions, schemas by id, lookup, compatibility tests
 * and compatibility configuration. Only Avro schemas without references are accepted.
 *
 * <p>Written by hand because no maintained library serves this API in-process; the registry
 * semantics themselves are Avro's. Owns a listening socket and a small thread pool: close it.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final InMemorySchemaRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private boolean closed;

    private SchemaRegistryServer(InMemorySchemaRegistry registry, InetSocketAddress address) throws IOException {
        this.registry = registry;
        this.server = HttpServer.create(address, 0);
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "schema-registry-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code registry} on a free loopback port. */
    public static SchemaRegistryServer start(InMemorySchemaRegistry registry) {
        return start(registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public static SchemaRegistryServer start(InMemorySchemaRegistry registry, InetSocketAddress address) {
        try {
            SchemaRegistryServer server = new SchemaRegistryServer(registry, address);
            log.info("schema registry serving at {}", server.url());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the schema registry on " + address, e);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
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
        server.stop(0);
        executor.shutdownNow();
        log.info("schema registry stopped: {}", url());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Object body;
            int status = 200;
            try {
                body = route(exchange.getRequestMethod(), segments(exchange.getRequestURI()), exchange);
            } catch (SchemaRegistryException e) {
                status = e.httpStatus();
                body = error(e.errorCode(), e.getMessage());
            } catch (IllegalArgumentException e) {
                status = 422;
                body = error(42203, e.getMessage());
            } catch (RuntimeException e) {
                log.warn("schema registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                body = error(50001, "Error in the backend data store: " + e);
            }
            byte[] bytes = json.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private Object route(String method, List<String> path, HttpExchange exchange) throws IOException {
        String first = path.isEmpty() ? "" : path.get(0);
        switch (first) {
            case "" -> {
                return Map.of();
            }
            case "subjects" -> {
                return subjects(method, path, exchange);
            }
            case "schemas" -> {
                if (path.size() >= 3 && path.get(1).equals("ids") && method.equals("GET")) {
                    return schemaById(parseInt(path.get(2), 42202), path.size() == 4 && path.get(3).equals("versions"));
                }
            }
            case "compatibility" -> {
                if (method.equals("POST") && path.size() >= 4 && path.get(1).equals("subjects")) {
                    return compatibility(path, readSchema(exchange));
                }
            }
            case "config" -> {
                return config(method, path, exchange);
            }
            default -> { }
        }
        throw new SchemaRegistryException(40400, "HTTP 404 Not Found: " + method + " /" + String.join("/", path));
    }

    private Object subjects(String method, List<String> path, HttpExchange exchange) throws IOException {
        if (path.size() == 1 && method.equals("GET")) {
            return registry.subjects();
        }
        String subject = path.size() > 1 ? path.get(1) : "";
        if (path.size() == 2 && method.equals("POST")) {
            Schema schema = readSchema(exchange);
            registry.versions(subject); // 40401 when the subject is unknown
            RegisteredSchema found = registry.lookup(subject, schema).orElseThrow(() ->
                    new SchemaNotFoundException(SchemaNotFoundException.SCHEMA_NOT_FOUND, "Schema not found"));
            return describe(found);
        }
        if (path.size() == 3 && path.get(2).equals("versions")) {
            if (method.equals("GET")) {
                return registry.versions(subject);
            }
            if (method.equals("POST")) {
                return Map.of("id", registry.register(subject, readSchema(exchange)));
            }
        }
        if (path.size() >= 4 && path.get(2).equals("versions") && method.equals("GET")) {
            RegisteredSchema version = version(subject, path.get(3));
            return path.size() == 5 && path.get(4).equals("schema")
                    ? json.readTree(version.schema().toString())
                    : describe(version);
        }
        throw new SchemaRegistryException(40400, "HTTP 404 Not Found: " + method + " /" + String.join("/", path));
    }

    private Object schemaById(int id, boolean versions) {
        Schema schema = registry.schemaById(id);
        if (!versions) {
            return Map.of("schema", schema.toString());
        }
        return registry.subjects().stream()
                .flatMap(subject -> registry.lookup(subject, schema).stream())
                .map(found -> new SubjectVersion(found.subject(), found.version()))
                .toList();
    }

    /** One element of the answer to {@code GET /schemas/ids/{id}/versions}. */
    private record SubjectVersion(String subject, int version) {}

    private Object compatibility(List<String> path, Schema schema) {
        String subject = path.get(2);
        CompatibilityResult result;
        if (path.size() == 6 || path.size() == 5) {
            RegisteredSchema against = version(subject, path.get(4));
            List<String> problems = registry.compatibility(subject)
                    .incompatibilities(schema, List.of(against.schema()));
            result = CompatibilityResult.of(problems);
        } else {
            result = registry.testCompatibility(subject, schema);
        }
        return Map.of("is_compatible", result.compatible(), "messages", result.messages());
    }

    private Object config(String method, List<String> path, HttpExchange exchange) throws IOException {
        String subject = path.size() > 1 ? path.get(1) : null;
        if (method.equals("PUT")) {
            JsonNode body = readJson(exchange);
            CompatibilityLevel level = CompatibilityLevel.parse(body.path("compatibility").asText(null));
            if (subject == null) {
                registry.setGlobalCompatibility(level);
            } else {
                registry.setCompatibility(subject, level);
            }
            return Map.of("compatibility", level.name());
        }
        if (method.equals("GET")) {
            CompatibilityLevel level;
            if (subject == null) {
                level = registry.globalCompatibility();
            } else if (queryFlag(exchange, "defaultToGlobal")) {
                level = registry.compatibility(subject);
            } else {
                level = registry.subjectCompatibility(subject).orElseThrow(() -> new SchemaNotFoundException(
                        SchemaNotFoundException.SUBJECT_LEVEL_NOT_CONFIGURED,
                        "Subject '" + subject + "' does not have subject-level compatibility configured"));
            }
            return Map.of("compatibilityLevel", level.name());
        }
        throw new SchemaRegistryException(40500, "HTTP 405 Method Not Allowed: " + method + " /config");
    }

    private RegisteredSchema version(String subject, String version) {
        if (version.equals("latest") || version.equals("-1")) {
            return registry.latest(subject);
        }
        return registry.version(subject, parseInt(version, 42202));
    }

    private Map<String, Object> describe(RegisteredSchema registered) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", registered.subject());
        body.put("version", registered.version());
        body.put("id", registered.id());
        body.put("schema", registered.schema().toString());
        return body;
    }

    private Schema readSchema(HttpExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SchemaRegistryException(42201, "Invalid schema: schemaType " + type + " is not supported (AVRO only)");
        }
        if (body.path("references").size() > 0) {
            throw new SchemaRegistryException(42201, "Invalid schema: schema references are not supported");
        }
        String text = body.path("schema").asText(null);
        if (text == null) {
            throw new SchemaRegistryException(42201, "Invalid schema: the request has no 'schema' field");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(42201, "Invalid schema: " + e.getMessage());
        }
    }

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new SchemaRegistryException(42201, "Invalid schema: request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            try {
                return json.readTree(bytes);
            } catch (IOException e) {
                throw new SchemaRegistryException(42201, "Invalid schema: request body is not JSON: " + e.getMessage());
            }
        }
    }

    private static boolean queryFlag(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getQuery();
        return query != null && Arrays.asList(query.split("&")).contains(name + "=true");
    }

    private static int parseInt(String text, int errorCode) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(errorCode, "'" + text + "' is not a valid number");
        }
    }

    private static List<String> segments(URI uri) {
        return Arrays.stream(uri.getRawPath().split("/"))
                .filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                .toList();
    }

    private static Map<String, Object> error(int code, String message) {
        return Map.of("error_code", code, "message", message);
    }
}
