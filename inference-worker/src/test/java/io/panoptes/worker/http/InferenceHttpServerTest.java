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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferenceHttpServerTest {

    private static final byte[] SQUARE = TestData.bytes(TestData.WHITE_SQUARE_PNG);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private static final List<ModelConfig> MODELS =
            List.of(
                    ModelConfig.of(
                                    "bright",
                                    TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                                    ModelFamily.YOLOV8)
                            .withLabels(List.of("bright", "dark")),
                    ModelConfig.of(
                            "blazeface",
                            TestData.file(TestData.BLAZEFACE_FRONT),
                            ModelFamily.BLAZEFACE));
    private InferenceHttpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerDetectionsAsJsonWithTheRequestsThresholdsAndClasses() throws Exception {
        start(2, 4);

        JsonNode all = json.readTree(post("/v1/infer/bright?confidence=0.5", SQUARE).body());
        HttpResponse<String> bright =
                post("/v1/infer/bright?confidence=0.5&classes=bright", SQUARE);

        assertThat(bright.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(bright.body());
        assertThat(answer.path("model").path("id").asText()).isEqualTo("bright");
        assertThat(answer.path("width").asInt()).isEqualTo(640);
        assertThat(answer.path("detections")).hasSize(4);
        assertThat(answer.path("detections").get(0).path("box").path("w").asDouble())
                .isEqualTo(32.0);
        assertThat(all.path("detections").size()).isEqualTo(300);
    }

    @Test
    void shouldFindTheFaceInMegamindFrame30() throws Exception {
        start(1, 0);

        JsonNode face =
                json.readTree(
                                post(
                                                "/v1/infer/blazeface",
                                                TestData.bytes(TestData.MEGAMIND_FRAME_030_PNG))
                                        .body())
                        .path("detections")
                        .get(0);

        double cx =
                face.path("box").path("x").asDouble() + face.path("box").path("w").asDouble() / 2;
        double cy =
                face.path("box").path("y").asDouble() + face.path("box").path("h").asDouble() / 2;
        assertThat(Math.hypot(cx - 293, cy - 272)).isLessThan(10);
        assertThat(face.path("keypoints")).hasSize(6);
    }

    @Test
    void shouldAnswerBadRequestsWithA4xxNamingTheCause() throws Exception {
        start(1, 0);
        byte[] liar = {
            (byte) 0xff,
            (byte) 0xd8,
            (byte) 0xff,
            (byte) 0xc0,
            0,
            17,
            8,
            (byte) 0xea,
            0x60,
            (byte) 0xea,
            0x60,
            3,
            1,
            0x22,
            0,
            2,
            0x11,
            1,
            3,
            0x11,
            1,
            (byte) 0xff,
            (byte) 0xd9
        };

        assertError(post("/v1/infer/nope", SQUARE), 404, "unknown model 'nope'");
        assertError(
                post("/v1/infer/bright", "not an image".getBytes()),
                415,
                "neither a JPEG nor a PNG");
        assertError(post("/v1/infer/bright", liar), 422, "image claims 60000x60000 pixels");
        assertError(post("/v1/infer/bright", Arrays.copyOf(SQUARE, 300)), 422, "truncated");
        assertError(
                post("/v1/infer/bright", new byte[2_000_001]), 413, "above the limit of 2000000");
        assertError(
                post("/v1/infer/bright?confidence=2", SQUARE),
                400,
                "confidence must be a number in [0, 1], got '2'");
        assertError(post("/v1/infer/bright", new byte[0]), 400, "the body is empty");
        assertError(
                http.send(
                        HttpRequest.newBuilder(server.url().resolve("/v1/infer/bright"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                404,
                "use POST /v1/infer/{modelId}");
    }

    @Test
    void shouldTakeTheImagePartOfAMultipartForm() throws Exception {
        start(1, 0);
        String boundary = "----panoptes42";
        byte[] form =
                multipart(
                        boundary,
                        "note",
                        null,
                        "a text field first".getBytes(),
                        "image",
                        "square.png",
                        SQUARE);
        byte[] anyFile =
                multipart(boundary, "note", null, "x".getBytes(), "upload", "square.png", SQUARE);
        byte[] noImage =
                multipart(boundary, "note", null, "x".getBytes(), "other", null, "y".getBytes());

        JsonNode answer =
                json.readTree(postForm("/v1/infer/bright?classes=bright", boundary, form).body());
        assertThat(answer.path("detections")).hasSize(4);
        assertThat(
                        json.readTree(
                                        postForm(
                                                        "/v1/infer/bright?classes=bright",
                                                        boundary,
                                                        anyFile)
                                                .body())
                                .path("detections"))
                .hasSize(4);
        assertError(
                postForm("/v1/infer/bright", boundary, noImage),
                400,
                "has no image: send it in a part named 'image'");
        assertError(
                postForm("/v1/infer/bright", boundary, "garbage without boundaries".getBytes()),
                400,
                "no part delimited by its boundary '----panoptes42'");
        byte[] cut = Arrays.copyOf(form, form.length - 200);
        assertError(
                postForm("/v1/infer/bright", boundary, cut),
                400,
                "the multipart body is malformed");
        assertError(
                http.send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/v1/infer/bright"))
                                .header("Content-Type", "multipart/form-data")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(form))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                400,
                "has no boundary");
    }

    @Test
    void shouldServePythonRequestsUploadingAFile() throws Exception {
        SystemTools.requireExecutable(
                java.nio.file.Path.of("/usr/bin/python3"),
                "/usr/bin/python3 with requests: apt-get install python3-requests");
        start(1, 0);
        String script =
                "import requests,sys\n"
                        + "r = requests.post(sys.argv[1], files={'image': ('square.png', open(sys.argv[2], 'rb'), 'image/png')},"
                        + " params={'classes': 'bright'}, timeout=30)\n"
                        + "print(r.status_code, len(r.json()['detections']))\n";
        Process python =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                "-c",
                                script,
                                server.url() + "/v1/infer/bright",
                                TestData.file(TestData.WHITE_SQUARE_PNG).toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(python.getInputStream().readAllBytes()).trim();

        assertThat(python.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("200 4");
    }

    private HttpResponse<String> postForm(String path, String boundary, byte[] form)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A form of two parts; a part with a file name is sent as a file. */
    private static byte[] multipart(
            String boundary,
            String name1,
            String file1,
            byte[] body1,
            String name2,
            String file2,
            byte[] body2)
            throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        part(out, boundary, name1, file1, body1);
        part(out, boundary, name2, file2, body2);
        out.write(("--" + boundary + "--\r\n").getBytes());
        return out.toByteArray();
    }

    private static void part(
            java.io.ByteArrayOutputStream out,
            String boundary,
            String name,
            String file,
            byte[] body)
            throws Exception {
        out.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\""
                                + name
                                + "\""
                                + (file == null
                                        ? ""
                                        : "; filename=\""
                                                + file
                                                + "\"\r\nContent-Type: application/octet-stream")
                                + "\r\n\r\n")
                        .getBytes());
        out.write(body);
        out.write("\r\n".getBytes());
    }

    @Test
    void shouldRefuseWhatItCannotQueueInsteadOfQueueingWithoutBound() throws Exception {
        start(1, 1);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(
                    http.sendAsync(
                            request("/v1/infer/bright", SQUARE),
                            HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses =
                calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

        assertThat(statuses).containsOnly(200, 429).contains(200, 429);
        assertThat(post("/v1/infer/bright", SQUARE).statusCode())
                .as("served again once idle")
                .isEqualTo(200);
    }

    private void start(int concurrency, int queue) {
        server =
                new InferenceHttpServer(
                        ImageInference.of(MODELS, 7680L * 4320L),
                        WorkerSettings.HttpInference.on(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        concurrency)
                                .withQueue(queue, 2_000_000));
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, byte[] body) {
        return HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private void assertError(HttpResponse<String> response, int status, String message)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json.readTree(response.body()).path("error").asText()).contains(message);
    }
}
