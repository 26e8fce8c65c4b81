package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.Keypoint;
import io.panoptes.schemas.ContractClasses;
import io.panoptes.worker.image.FrameDecodeException;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.image.ImageHeader;
import io.panoptes.worker.internal.model.ModelCatalog;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.internal.model.OnnxModel;
import io.panoptes.worker.internal.model.RunnerCache;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelTask;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One JPEG or PNG through a model, with the worker's own decoding, models and pre/post-processing,
 * answered as the JSON a client reads (as maps): the model, the image size, the detections, the
 * timings. HTTP inference and {@code panoptes infer} both use it, so they answer alike.
 *
 * <p>Thread-safe: each calling thread gets its own decoder, image and model runners, which {@link
 * #close()} frees (call it once those threads are done). Owns its models when made by {@link #of}.
 */
public final class ImageInference implements AutoCloseable {

    private final ModelCatalog catalog;
    private final boolean ownsCatalog;
    private final List<AutoCloseable> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<FrameImageDecoder> decoder;
    private final ThreadLocal<RunnerCache> runners =
            ThreadLocal.withInitial(() -> owned(new RunnerCache(1)));
    private final ThreadLocal<Mat> image = ThreadLocal.withInitial(() -> owned(new Mat()));

    /**
     * What a caller may change per image: thresholds (null for the model's) and the labels to keep
     * (null for all).
     */
    public record Options(Float confidence, Float iou, Set<String> classes) {
        public static final Options DEFAULTS = new Options(null, null, null);
    }

    ImageInference(ModelCatalog catalog, long maxPixels, boolean ownsCatalog) {
        ContractClasses.trust(); // images become Frames before any serde has run
        this.catalog = catalog;
        this.ownsCatalog = ownsCatalog;
        this.decoder = ThreadLocal.withInitial(() -> owned(new FrameImageDecoder(maxPixels, null)));
    }

    /**
     * Inference with models of its own (each loaded on first use), on the CPU, one ONNX Runtime
     * thread per run.
     */
    public static ImageInference of(Collection<ModelConfig> models, long maxPixels) {
        Map<String, ModelConfig> byId = new LinkedHashMap<>();
        models.forEach(model -> byId.put(model.id(), model));
        return new ImageInference(new ModelCatalog(byId, 1, 1), maxPixels, true);
    }

    public boolean knows(String modelId) {
        return catalog.knows(modelId);
    }

    /** What model {@code modelId} does, when it is defined. */
    public java.util.Optional<ModelTask> task(String modelId) {
        return catalog.definition(modelId).map(d -> d.config().task());
    }

    /**
     * Runs {@code modelId} on {@code bytes}.
     *
     * @throws InferenceException naming what failed and why
     */
    public Map<String, Object> infer(String modelId, byte[] bytes, Options options) {
        return answer(run(modelId, bytes, options));
    }

    /**
     * What model {@code modelId} found in one image.
     *
     * @param detections those whose label {@link Options#classes()} keeps, in source pixels
     */
    public record Result(
            String modelId,
            String modelVersion,
            ModelTask task,
            int width,
            int height,
            List<Detection> detections,
            List<Classification> classifications,
            float preprocessMs,
            float inferMs,
            float postprocessMs) {}

    /**
     * Runs {@code modelId} on {@code bytes}.
     *
     * @throws InferenceException naming what failed and why
     */
    public Result run(String modelId, byte[] bytes, Options options) {
        if (!catalog.knows(modelId)) {
            throw new InferenceException(
                    InferenceException.Reason.UNKNOWN_MODEL,
                    "unknown model '" + modelId + "'",
                    null);
        }
        FrameEncoding encoding =
                ImageHeader.encoding(bytes)
                        .orElseThrow(
                                () ->
                                        new InferenceException(
                                                InferenceException.Reason.NOT_AN_IMAGE,
                                                "the image is neither a JPEG nor a PNG",
                                                null));
        Mat decoded = decode(bytes, encoding);
        try (ModelCatalog.Lease lease = load(modelId)) {
            OnnxModel model = lease.model();
            float confidence =
                    options.confidence() != null
                            ? options.confidence()
                            : model.config().confidence();
            float iou = options.iou() != null ? options.iou() : model.config().iou();
            ModelRunner.Inference inference =
                    runners.get().runner(lease).detect(decoded, confidence, iou);
            List<Detection> kept =
                    inference.detections().stream()
                            .filter(
                                    d ->
                                            options.classes() == null
                                                    || options.classes().contains(d.getLabel()))
                            .toList();
            return new Result(
                    model.config().id(),
                    String.valueOf(model.version()),
                    model.task(),
                    decoded.cols(),
                    decoded.rows(),
                    kept,
                    inference.classifications().stream()
                            .filter(
                                    c ->
                                            options.classes() == null
                                                    || options.classes().contains(c.getLabel()))
                            .toList(),
                    inference.preprocessMs(),
                    inference.inferMs(),
                    inference.postprocessMs());
        } catch (OrtException e) {
            throw new InferenceException(
                    InferenceException.Reason.MODEL_FAILED,
                    "model " + modelId + " failed on this image: " + e.getMessage(),
                    e);
        }
    }

    private ModelCatalog.Lease load(String modelId) {
        try {
            return catalog.acquireWaiting(modelId);
        } catch (ModelLoadException e) {
            throw new InferenceException(
                    InferenceException.Reason.MODEL_UNAVAILABLE, e.getMessage(), e);
        }
    }

    private Mat decode(byte[] bytes, FrameEncoding encoding) {
        Instant now = Instant.now();
        Frame frame =
                Frame.newBuilder()
                        .setStreamId("image")
                        .setSeq(0)
                        .setCaptureTime(now)
                        .setIngestTime(now)
                        .setEncoding(encoding)
                        .setPayload(ByteBuffer.wrap(bytes))
                        .build();
        try {
            return decoder.get().decode(frame, image.get());
        } catch (FrameDecodeException e) {
            throw new InferenceException(InferenceException.Reason.UNDECODABLE, e.getMessage(), e);
        }
    }

    private static Map<String, Object> answer(Result result) {
        List<Map<String, Object>> detections = new ArrayList<>();
        result.detections().forEach(d -> detections.add(detection(d)));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", Map.of("id", result.modelId(), "version", result.modelVersion()));
        answer.put("width", result.width());
        answer.put("height", result.height());
        answer.put("detections", detections);
        if (!result.classifications().isEmpty()) {
            List<Map<String, Object>> classes = new ArrayList<>();
            result.classifications()
                    .forEach(
                            c ->
                                    classes.add(
                                            Map.of(
                                                    "classId",
                                                    c.getClassId(),
                                                    "label",
                                                    c.getLabel(),
                                                    "confidence",
                                                    c.getConfidence())));
            answer.put("classifications", classes);
        }
        answer.put(
                "timings",
                Map.of(
                        "preprocessMs",
                        result.preprocessMs(),
                        "inferMs",
                        result.inferMs(),
                        "postprocessMs",
                        result.postprocessMs()));
        return answer;
    }

    private static Map<String, Object> detection(Detection d) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("classId", d.getClassId());
        item.put("label", d.getLabel());
        item.put("confidence", d.getConfidence());
        item.put(
                "box",
                Map.of(
                        "x",
                        d.getBox().getX(),
                        "y",
                        d.getBox().getY(),
                        "w",
                        d.getBox().getW(),
                        "h",
                        d.getBox().getH()));
        List<Map<String, Object>> keypoints = new ArrayList<>();
        for (Keypoint k : d.getKeypoints()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("x", k.getX());
            point.put("y", k.getY());
            point.put("name", k.getName() == null ? "" : k.getName());
            if (k.getConfidence() != null) {
                point.put("confidence", k.getConfidence());
            }
            keypoints.add(point);
        }
        item.put("keypoints", keypoints);
        if (!d.getPolygon().isEmpty()) {
            item.put(
                    "polygon",
                    d.getPolygon().stream()
                            .map(v -> Map.of("x", v.getX(), "y", v.getY()))
                            .toList());
        }
        return item;
    }

    private <T extends AutoCloseable> T owned(T resource) {
        perThread.add(resource);
        return resource;
    }

    @Override
    public void close() {
        perThread.forEach(
                resource -> {
                    try {
                        resource.close();
                    } catch (Exception e) {
                        // a runner that fails to close has nothing more to free
                    }
                });
        perThread.clear();
        if (ownsCatalog) {
            catalog.close();
        }
    }
}
