package io.panoptes.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.testkit.SystemTools;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelTask;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roboflow's request and response shapes, checked by a Python client that knows only those. */
class RoboflowApiTest {

    private static final String TOKEN = "roboflow-key-0123";
    private static final byte[] SQUARE = TestData.bytes(TestData.WHITE_SQUARE_PNG);
    private static final String B64 = Base64.getEncoder().encodeToString(SQUARE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<ModelConfig> MODELS =
            List.of(
                    model(
                            "bright",
                            TestData.BRIGHT_SQUARE_YOLOV8,
                            ModelTask.DETECT,
                            "bright",
                            "dark"),
                    model(
                            "colour",
                            TestData.CLS_COLOUR_YOLOV8,
                            ModelTask.CLASSIFY,
                            "red",
                            "green",
                            "blue"),
                    model("cells", TestData.SEG_CELLS_YOLOV8, ModelTask.SEGMENT, "bright", "dark"));

    private final HttpClient http = HttpClient.newHttpClient();
    private InferenceHttpServer server;
    @TempDir Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldServeAPythonClientThatKnowsOnlyRoboflowsShapes() throws Exception {
        SystemTools.requireExecutable(
                Path.of("/usr/bin/python3"),
                "/usr/bin/python3 with requests: apt-get install python3-requests");
        start(false);
        JsonNode nativeAnswer =
                JSON.readTree(
                        call("/v1/infer/bright?confidence=0.5&classes=bright", SQUARE, true)
                                .body());

        JsonNode seen = JSON.readTree(python());

        JsonNode server = seen.get("server");
        assertThat(server.at("/image/width").asInt()).isEqualTo(640);
        assertThat(server.at("/time_is_number").asBoolean()).isTrue();
        assertThat(server.get("predictions")).hasSize(4);
        assertThat(server.get("detection_ids").asInt()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            JsonNode p = server.get("predictions").get(i);
            JsonNode box = nativeAnswer.get("detections").get(i).get("box");
            assertThat(p.get("x").asDouble())
                    .as("the centre")
                    .isEqualTo(box.get("x").asDouble() + 16);
            assertThat(p.get("y").asDouble()).isEqualTo(box.get("y").asDouble() + 16);
            assertThat(p.get("width").asDouble()).isEqualTo(32);
            assertThat(p.get("class").asText()).isEqualTo("bright");
            assertThat(p.get("class_id").asInt()).isZero();
        }
        assertThat(seen.get("batch").toString()).isEqualTo("[4,4]");
        assertThat(seen.get("hosted").toString())
                .isEqualTo(
                        server.get("predictions")
                                .toString()
                                .replaceAll(",\"confidence\":[0-9.E-]+", "")
                                .replaceAll(",\"class_id\":0", ""));
        assertThat(seen.get("wrong_key").asInt()).isEqualTo(401);
        assertThat(seen.at("/url_off/0").asInt()).isEqualTo(400);
        assertThat(seen.at("/url_off/1").asText()).contains("fetching images by URL is off");
    }

    @Test
    void shouldRefuseBadRequestsNamingTheFieldAndTheCause() throws Exception {
        start(true);
        assertRefused(call("/v1/infer/bright", SQUARE, false), 401, "missing 'Authorization");
        assertRefused(
                json(
                        "/infer/object_detection",
                        "{\"model_id\": \"bright/1\", \"image\": {\"type\": \"base64\", \"value\": \""
                                + B64
                                + "\"}}"),
                401,
                "missing");
        assertRefused(
                json("/infer/object_detection?api_key=" + TOKEN, "{not json"),
                400,
                "is not valid JSON");
        assertRefused(
                json("/infer/object_detection?api_key=" + TOKEN, "{\"model_id\": \"bright\"}"),
                400,
                "image");
        assertRefused(
                json(
                        "/infer/object_detection?api_key=" + TOKEN,
                        "{\"model_id\": \"nope/2\", \"image\": {\"value\": \"" + B64 + "\"}}"),
                404,
                "unknown model 'nope'");
        assertRefused(
                json(
                        "/infer/object_detection?api_key=" + TOKEN,
                        "{\"model_id\": \"bright\", \"image\": {\"type\": \"base64\", \"value\": \"***\"}}"),
                400,
                "is not valid base64");
        assertRefused(
                json(
                        "/infer/object_detection?api_key=" + TOKEN,
                        "{\"model_id\": \"bright\", \"image\": {\"type\": \"numpy\", \"value\": \"x\"}}"),
                400,
                "'numpy' is not supported");
        assertRefused(
                json(
                        "/infer/classification?api_key=" + TOKEN,
                        "{\"model_id\": \"bright\", \"image\": {\"value\": \"" + B64 + "\"}}"),
                400,
                "is an object detection model");
        assertRefused(json("/infer/ocr?api_key=" + TOKEN, "{}"), 404, "no task 'ocr'");
        assertRefused(
                json(
                        "/infer/object_detection?api_key=" + TOKEN,
                        "{\"model_id\": \"bright\", \"image\": {\"type\": \"url\", \"value\": \""
                                + server.url()
                                + "/v1/infer/bright\"}}"),
                400,
                "resolves to the local or private address 127.0.0.1");
        assertRefused(
                call("/bright/latest?api_key=" + TOKEN, B64.getBytes(), false),
                404,
                "a version number");
        assertRefused(
                call("/bright/1?api_key=" + TOKEN + "&confidence=150", B64.getBytes(), false),
                400,
                "[0, 100]");
        assertRefused(
                call("/bright/1?api_key=" + TOKEN, "%%% not base64 %%%".getBytes(), false),
                400,
                "base64");
        assertRefused(call("/bright/1?api_key=" + TOKEN, new byte[0], false), 400, "is empty");
        HttpResponse<String> raw =
                call("/bright/1?api_key=" + TOKEN + "&confidence=50", SQUARE, false);
        assertThat(raw.statusCode()).as("raw image bytes are taken too").isEqualTo(200);
    }

    @Test
    void shouldAnswerClassificationAndSegmentationInTheirShapes() throws Exception {
        start(false);
        String image = "\"image\": {\"type\": \"base64\", \"value\": \"" + B64 + "\"}";
        JsonNode classes =
                JSON.readTree(
                        json(
                                        "/infer/classification?api_key=" + TOKEN,
                                        "{\"model_id\": \"colour/1\", \"confidence\": 0, "
                                                + image
                                                + "}")
                                .body());
        assertThat(classes.get("predictions")).as(classes.toString()).hasSize(3);
        assertThat(classes.at("/predictions/0/class").asText())
                .isEqualTo(classes.get("top").asText());
        assertThat(classes.get("confidence").asDouble()).isBetween(0.32, 0.34);

        JsonNode masks =
                JSON.readTree(
                        json(
                                        "/infer/instance_segmentation?api_key=" + TOKEN,
                                        "{\"model_id\": \"cells\", \"confidence\": 0.5,"
                                                + " \"class_filter\": [\"bright\"], "
                                                + image
                                                + "}")
                                .body());
        assertThat(masks.get("predictions")).hasSize(4);
        assertThat(masks.at("/predictions/0/points").size()).isBetween(4, 8);

        assertRefused(
                json(
                        "/infer/object_detection?api_key=" + TOKEN,
                        "{\"model_id\": \"colour\", " + image + "}"),
                400,
                "is a classification model: use /infer/classification");
    }

    private static ModelConfig model(String id, String file, ModelTask task, String... labels) {
        return ModelConfig.of(id, TestData.file(file), ModelFamily.YOLOV8)
                .withTask(task)
                .withLabels(List.of(labels));
    }

    private void start(boolean imageUrls) {
        server =
                new InferenceHttpServer(
                        ImageInference.of(MODELS, 7680L * 4320L),
                        WorkerSettings.HttpInference.on(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        2)
                                .withToken(Optional.of(TOKEN))
                                .withImageUrls(imageUrls));
    }

    private HttpResponse<String> call(String path, byte[] body, boolean bearer) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (bearer) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> json(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String words)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains(words);
    }

    private String python() throws Exception {
        Path script = dir.resolve("roboflow_client.py");
        try (InputStream in = getClass().getResourceAsStream("/python/roboflow_client.py")) {
            Files.copy(in, script);
        }
        Process python =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                script.toString(),
                                server.url().toString(),
                                TOKEN,
                                TestData.file(TestData.WHITE_SQUARE_PNG).toString())
                        .redirectError(dir.resolve("stderr.txt").toFile())
                        .start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue())
                .as("python: %s %s", out, Files.readString(dir.resolve("stderr.txt")))
                .isZero();
        return out.trim();
    }
}
