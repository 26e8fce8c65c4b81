package io.panoptes.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code panoptes pipelines ...}: a client of the API. */
@Command(
        name = "pipelines",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Create, list, pause, resume and terminate pipelines through the API (panoptes api, or panoptes local).",
        footer = {
            "",
            "Examples:",
            "  export PANOPTES_API_URL=http://api:8080 PANOPTES_API_TOKEN=...",
            "  panoptes pipelines create door --source rtsp://cam1/h264 --max-fps 10",
            "  panoptes pipelines create yard --spec yard.json        # the JSON body of POST /v1/pipelines",
            "  panoptes pipelines list",
            "  panoptes pipelines pause door",
            "  panoptes pipelines status door",
        },
        subcommands = {
            PipelinesCommand.List.class,
            PipelinesCommand.Create.class,
            PipelinesCommand.Status.class,
            PipelinesCommand.Pause.class,
            PipelinesCommand.Resume.class,
            PipelinesCommand.Terminate.class
        })
public final class PipelinesCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the API is and how to authenticate. */
    static final class ApiOptions {
        @Option(
                names = "--api",
                defaultValue = "${env:PANOPTES_API_URL:-http://localhost:8080}",
                paramLabel = "URL",
                description =
                        "The API's base URL (default: $PANOPTES_API_URL, else http://localhost:8080).")
        URI url;

        @Option(
                names = "--token",
                paramLabel = "TOKEN",
                description = "Bearer token (default: $PANOPTES_API_TOKEN).")
        String token;

        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        /**
         * Sends a request; returns the JSON body of a 2xx answer, or fails with the API's error.
         */
        JsonNode call(String method, String path, JsonNode body, String ifMatch) {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(url.resolve(path))
                            .timeout(Duration.ofSeconds(30))
                            .method(
                                    method,
                                    body == null
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofString(body.toString()));
            String bearer = token != null ? token : System.getenv("PANOPTES_API_TOKEN");
            if (bearer != null && !bearer.isBlank()) {
                request.header("Authorization", "Bearer " + bearer);
            }
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (ifMatch != null) {
                request.header("If-Match", "\"" + ifMatch + "\"");
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UserException(
                        "cannot reach the API at " + url + ": " + e, UserException.UNREACHABLE, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserException("interrupted");
            }
            JsonNode answer = parse(response.body());
            if (response.statusCode() >= 300) {
                String error = answer.path("error").asText(response.body());
                throw new UserException(
                        "the API answered " + response.statusCode() + ": " + error,
                        response.statusCode() == 401 ? 4 : 1,
                        null);
            }
            return answer;
        }

        private static JsonNode parse(String body) {
            try {
                return body == null || body.isBlank()
                        ? JSON.createObjectNode()
                        : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode().put("error", body);
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List pipelines with their states and owners.")
    static final class List implements Callable<Integer> {
        @Mixin ApiOptions api;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    Locale.ROOT,
                    "%-24s %-8s %-10s %-12s %-24s %7s %s%n",
                    "ID",
                    "VERSION",
                    "DESIRED",
                    "STATE",
                    "OWNER",
                    "FPS",
                    "SOURCE");
            for (JsonNode pipeline :
                    api.call("GET", "/v1/pipelines", null, null).path("pipelines")) {
                JsonNode s = pipeline.path("spec");
                JsonNode status = pipeline.path("status");
                out.printf(
                        Locale.ROOT,
                        "%-24s %-8d %-10s %-12s %-24s %7.1f %s%n",
                        s.path("pipelineId").asText(),
                        s.path("version").asLong(),
                        s.path("desiredState").asText(),
                        status.path("state").asText("-"),
                        status.path("owner").asText("-"),
                        status.path("fps").asDouble(),
                        s.path("source").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a pipeline from options or a JSON spec file.")
    static final class Create extends OnePipeline {
        @Option(
                names = "--spec",
                paramLabel = "FILE",
                description = "The JSON body of POST /v1/pipelines (options below override it).")
        Path specFile;

        @Option(
                names = "--source",
                paramLabel = "URI",
                description = "File, rtsp://, rtmp:// or http(s):// source.")
        String source;

        @Option(
                names = "--max-fps",
                paramLabel = "FPS",
                description = "Most frames per second to publish.")
        Double maxFps;

        @Option(
                names = "--model",
                paramLabel = "ID",
                description = "Model id for this pipeline's frames.")
        String model;

        @Option(
                names = "--policy",
                paramLabel = "LATEST|ALL",
                description = "How workers treat a backlog of its frames.")
        String policy;

        @Option(names = "--paused", description = "Create it paused.")
        boolean paused;

        @Option(
                names = "--source-option",
                paramLabel = "KEY=VALUE",
                description = "FFmpeg input option, e.g. rtsp_transport=tcp.")
        Map<String, String> sourceOptions = new LinkedHashMap<>();

        @Override
        public Integer call() throws IOException {
            ObjectNode body =
                    specFile == null ? JSON.createObjectNode() : (ObjectNode) readSpec(specFile);
            body.put("pipelineId", id);
            putIfSet(body, "source", source);
            if (maxFps != null) {
                body.put("maxFps", maxFps);
            }
            putIfSet(body, "model", model);
            putIfSet(body, "policy", policy);
            if (paused) {
                body.put("desiredState", "PAUSED");
            }
            if (!sourceOptions.isEmpty()) {
                body.set("sourceOptions", JSON.valueToTree(sourceOptions));
            }
            JsonNode created = api.call("POST", "/v1/pipelines", body, null);
            print(
                    "created pipeline "
                            + id
                            + " (version "
                            + created.at("/spec/version").asLong()
                            + ")");
            return 0;
        }

        private static JsonNode readSpec(Path file) throws IOException {
            JsonNode node;
            try {
                node = JSON.readTree(Files.readString(file));
            } catch (IOException e) {
                throw new UserException("cannot read the spec " + file + ": " + e.getMessage());
            }
            if (node == null || !node.isObject()) {
                throw new UserException("the spec " + file + " must hold one JSON object");
            }
            return node;
        }

        private static void putIfSet(ObjectNode body, String field, String value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    /** A subcommand about one pipeline, named by its id. */
    abstract static class OnePipeline implements Callable<Integer> {
        @Mixin ApiOptions api;

        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "Pipeline id.")
        String id;

        String path() {
            return "/v1/pipelines/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        }

        void print(String line) {
            spec.commandLine().getOut().println(line);
            spec.commandLine().getOut().flush();
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Print a pipeline's spec and status as JSON.")
    static final class Status extends OnePipeline {
        @Override
        public Integer call() throws IOException {
            print(
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(api.call("GET", path(), null, null)));
            return 0;
        }
    }

    /** pause, resume and terminate: POST /v1/pipelines/{id}/{action}. */
    abstract static class Action extends OnePipeline {
        @Option(
                names = "--if-version",
                paramLabel = "VERSION",
                description = "Refuse (409) unless the pipeline is at this version.")
        Long ifVersion;

        abstract String action();

        @Override
        public Integer call() {
            JsonNode changed =
                    api.call(
                            "POST",
                            path() + "/" + action(),
                            null,
                            ifVersion == null ? null : ifVersion.toString());
            print(
                    "pipeline "
                            + id
                            + ": "
                            + changed.at("/spec/desiredState").asText()
                            + " (version "
                            + changed.at("/spec/version").asLong()
                            + ")");
            return 0;
        }
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pause a pipeline: keep its spec, release its source.")
    static final class Pause extends Action {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(
            name = "resume",
            mixinStandardHelpOptions = true,
            description = "Resume a paused or terminated pipeline.")
    static final class Resume extends Action {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(
            name = "terminate",
            mixinStandardHelpOptions = true,
            description = "Terminate a pipeline for good.")
    static final class Terminate extends Action {
        @Override
        String action() {
            return "terminate";
        }
    }
}
