package io.panoptes.worker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Keypoint;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.net.PublicHttpFetcher;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.image.ImageHeader;
import io.panoptes.worker.model.ModelTask;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Roboflow's synchronous inference shapes, so that its clients switch to a worker by changing the
 * base URL. Written by hand from Roboflow's documented requests and responses (no library speaks
 * them outside Roboflow's own Python server):
 *
 * <pre>
 * POST /infer/object_detection      {"model_id": "people/1", "image": {"type": "base64"|"url",
 * POST /infer/classification         "value": ...} (or a list of them), "confidence": 0.4,
 * POST /infer/instance_segmentation  "iou_threshold": 0.5, "class_filter": [...], "api_key": ...}
 * POST /infer/keypoints_detection
 * POST /{project}/{version}          a base64 body (or ?image=URL); ?confidence=40&amp;overlap=30
 *                                    (0 to 100) &amp;classes=a,b &amp;api_key=...
 * </pre>
 *
 * Both answer {@code {"inference_id", "time" (seconds), "image": {"width", "height"},
 * "predictions": [{"x", "y" (the box centre), "width", "height", "confidence", "class", "class_id",
 * "detection_id"}]}} (a list of those for a list of images), with {@code "points"} per prediction
 * for segmentation and {@code "keypoints"} for pose; a classifier answers {@code "predictions":
 * [{"class", "class_id", "confidence"}]} with {@code "top"} and {@code "confidence"}. A model id
 * {@code project/version} runs the worker's model {@code project} when there is no model of the
 * whole id. Images by URL are fetched only when allowed, from public addresses only ({@link
 * PublicHttpFetcher}).
 */
final class RoboflowApi implements AutoCloseable {

    /** Roboflow's name of each task. */
    private static final Map<String, ModelTask> TASKS =
            Map.of(
                    "object_detection", ModelTask.DETECT,
                    "classification", ModelTask.CLASSIFY,
                    "instance_segmentation", ModelTask.SEGMENT,
                    "keypoints_detection", ModelTask.POSE);

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ImageInference inference;
    private final PublicHttpFetcher fetcher;
    private final int maxBytes;

    /**
     * @param fetcher fetches images given by URL; null when that is off
     */
    RoboflowApi(ImageInference inference, PublicHttpFetcher fetcher, int maxBytes) {
        this.inference = inference;
        this.fetcher = fetcher;
        this.maxBytes = maxBytes;
    }

    /**
     * The answer to a JSON request of the inference server's {@code /infer/{task}}.
     *
     * @param apiKey gets the body's {@code api_key} (null when it has none) to check it
     */
    Object task(String task, byte[] body, Consumer<String> apiKey) {
        long start = System.nanoTime();
        if (!TASKS.containsKey(task)) {
            throw new HttpProblem(
                    404,
                    null,
                    "no task '"
                            + task
                            + "': use one of "
                            + TASKS.keySet().stream().sorted().toList());
        }
        JsonNode request = parse(body);
        apiKey.accept(request.hasNonNull("api_key") ? request.get("api_key").asText() : null);
        String modelId = modelId(text(request, "model_id"));
        requireTask(task, modelId);
        ImageInference.Options options =
                new ImageInference.Options(
                        fraction(request, "confidence", 1),
                        fraction(request, "iou_threshold", 1),
                        classFilter(request.get("class_filter")));
        JsonNode images = request.get("image");
        if (images == null || images.isNull()) {
            throw HttpProblem.badRequest(
                    "image", "is required: {\"type\": \"base64\", \"value\": ...}");
        }
        if (!images.isArray()) {
            return answer(inference.run(modelId, image(images, "image"), options), start);
        }
        List<Object> answers = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            answers.add(
                    answer(
                            inference.run(
                                    modelId, image(images.get(i), "image[" + i + "]"), options),
                            start));
        }
        return answers;
    }

    /** What the hosted API's URL says: read before admission, so that a bad one costs nothing. */
    record Hosted(String modelId, ImageInference.Options options, String imageUrl) {}

    Hosted hosted(Context ctx) {
        String project = ctx.pathParam("project");
        String version = ctx.pathParam("version");
        if (!VERSION.matcher(version).matches()) {
            throw new HttpProblem(
                    404,
                    null,
                    "no route "
                            + ctx.path()
                            + ": use POST /{project}/{version} (a version number), POST /infer/{task}"
                            + " or POST /v1/infer/{modelId}");
        }
        String modelId = modelId(project + "/" + version);
        String classes = ctx.queryParam("classes");
        return new Hosted(
                modelId,
                new ImageInference.Options(
                        percent(ctx, "confidence"),
                        percent(ctx, "overlap"),
                        classes == null || classes.isBlank() ? null : Set.of(classes.split(","))),
                ctx.queryParam("image"));
    }

    /** The hosted API's answer: the body is the image in base64 (or raw), or empty with ?image=. */
    Object hosted(Hosted request, byte[] body) {
        long start = System.nanoTime();
        byte[] image;
        if (body.length == 0 && request.imageUrl() != null) {
            image = fetch(request.imageUrl(), "image");
        } else if (body.length == 0) {
            throw HttpProblem.badRequest(
                    "body", "is empty: send the image in base64, or give ?image=URL");
        } else {
            image =
                    ImageHeader.encoding(body).isPresent()
                            ? body
                            : base64(new String(body, StandardCharsets.US_ASCII), "body");
        }
        return answer(inference.run(request.modelId(), image, request.options()), start);
    }

    /** {@code project/version} runs {@code project} when no model has the whole id. */
    private String modelId(String requested) {
        if (inference.knows(requested)) {
            return requested;
        }
        int slash = requested.indexOf('/');
        return slash > 0 ? requested.substring(0, slash) : requested;
    }

    /** Refuses a model of another task than the route's, naming the route it belongs on. */
    private void requireTask(String task, String modelId) {
        ModelTask actual = inference.task(modelId).orElse(null);
        if (actual != null && actual != TASKS.get(task)) {
            String route =
                    TASKS.entrySet().stream()
                            .filter(e -> e.getValue() == actual)
                            .map(Map.Entry::getKey)
                            .findFirst()
                            .orElseThrow();
            throw HttpProblem.badRequest(
                    "model_id",
                    "model "
                            + modelId
                            + (route.startsWith("o") || route.startsWith("i")
                                    ? " is an "
                                    : " is a ")
                            + route.replace('_', ' ')
                            + " model: use /infer/"
                            + route
                            + ", not /infer/"
                            + task);
        }
    }

    private byte[] image(JsonNode image, String field) {
        if (image == null || !image.isObject()) {
            throw HttpProblem.badRequest(
                    field, "must be {\"type\": \"base64\"|\"url\", \"value\": ...}");
        }
        String type = image.path("type").asText("base64");
        String value = text(image, "value", field + ".value");
        return switch (type) {
            case "base64" -> base64(value, field + ".value");
            case "url" -> fetch(value, field + ".value");
            default ->
                    throw HttpProblem.badRequest(
                            field + ".type",
                            "'" + type + "' is not supported here: send base64 or url");
        };
    }

    private byte[] fetch(String url, String field) {
        if (fetcher == null) {
            throw HttpProblem.badRequest(
                    field,
                    "fetching images by URL is off on this worker (start it with"
                            + " --http-allow-image-urls); send the image in base64");
        }
        try {
            return fetcher.fetch(URI.create(url), maxBytes);
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest(field, "'" + url + "' is not a URL");
        } catch (PublicHttpFetcher.FetchException e) {
            throw HttpProblem.badRequest(field, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, field, "interrupted while fetching " + url);
        }
    }

    /**
     * Strict base64, decoded at once when it is one unbroken run (what clients send); a {@code
     * data:} prefix and line breaks (the base64 tool wraps at 76) are taken off first when there.
     * Measured: regular expressions over a 450 KB image cost a fifth of the route's throughput.
     */
    private static byte[] base64(String text, String field) {
        String value = text;
        if (value.startsWith("data:")) {
            int comma = value.indexOf(',');
            value = comma < 0 ? value : value.substring(comma + 1);
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException unbroken) {
            try {
                return Base64.getDecoder().decode(WHITESPACE.matcher(value).replaceAll(""));
            } catch (IllegalArgumentException e) {
                throw HttpProblem.badRequest(field, "is not valid base64: " + e.getMessage());
            }
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode request = JSON.readTree(body);
            if (request == null || !request.isObject()) {
                throw HttpProblem.badRequest(
                        "body", "must be a JSON object with model_id and image");
            }
            return request;
        } catch (IOException e) {
            throw HttpProblem.badRequest("body", "is not valid JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw HttpProblem.badRequest(field, "is required (a string)");
        }
        return value.asText();
    }

    private static Float fraction(JsonNode request, String field, float max) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.floatValue() < 0 || value.floatValue() > max) {
            throw HttpProblem.badRequest(
                    field, "must be a number in [0, " + max + "], got " + value);
        }
        return value.floatValue();
    }

    private static Float percent(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        try {
            float parsed = Float.parseFloat(value);
            if (parsed >= 0 && parsed <= 100) {
                return parsed / 100f;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpProblem.badRequest(
                name,
                "query parameter " + name + " must be a number in [0, 100], got '" + value + "'");
    }

    private static Set<String> classFilter(JsonNode filter) {
        if (filter == null || filter.isNull()) {
            return null;
        }
        if (!filter.isArray()) {
            throw HttpProblem.badRequest("class_filter", "must be a list of class names");
        }
        Set<String> classes = new HashSet<>();
        filter.forEach(c -> classes.add(c.asText()));
        return classes;
    }

    private static Map<String, Object> answer(ImageInference.Result result, long startNanos) {
        List<Map<String, Object>> predictions = new ArrayList<>();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("inference_id", UUID.randomUUID().toString());
        answer.put("time", (System.nanoTime() - startNanos) / 1e9);
        answer.put("image", Map.of("width", result.width(), "height", result.height()));
        answer.put("predictions", predictions);
        if (result.task() == ModelTask.CLASSIFY) {
            for (Classification c : result.classifications()) {
                predictions.add(
                        Map.of(
                                "class", c.getLabel(),
                                "class_id", c.getClassId(),
                                "confidence", c.getConfidence()));
            }
            Classification top =
                    result.classifications().isEmpty() ? null : result.classifications().get(0);
            answer.put("top", top == null ? "" : top.getLabel());
            answer.put("confidence", top == null ? 0f : top.getConfidence());
            return answer;
        }
        result.detections().forEach(d -> predictions.add(prediction(d)));
        return answer;
    }

    private static Map<String, Object> prediction(Detection d) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("x", d.getBox().getX() + d.getBox().getW() / 2);
        p.put("y", d.getBox().getY() + d.getBox().getH() / 2);
        p.put("width", d.getBox().getW());
        p.put("height", d.getBox().getH());
        p.put("confidence", d.getConfidence());
        p.put("class", d.getLabel());
        p.put("class_id", d.getClassId());
        p.put("detection_id", UUID.randomUUID().toString());
        if (!d.getPolygon().isEmpty()) {
            p.put(
                    "points",
                    d.getPolygon().stream()
                            .map(v -> Map.of("x", v.getX(), "y", v.getY()))
                            .toList());
        }
        if (!d.getKeypoints().isEmpty()) {
            List<Map<String, Object>> keypoints = new ArrayList<>();
            for (int i = 0; i < d.getKeypoints().size(); i++) {
                Keypoint k = d.getKeypoints().get(i);
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("x", k.getX());
                point.put("y", k.getY());
                if (k.getConfidence() != null) {
                    point.put("confidence", k.getConfidence());
                }
                point.put("class_id", i);
                point.put("class", k.getName() == null ? String.valueOf(i) : k.getName());
                keypoints.add(point);
            }
            p.put("keypoints", keypoints);
        }
        return p;
    }

    @Override
    public void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
