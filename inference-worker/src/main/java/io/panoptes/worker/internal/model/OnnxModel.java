package io.panoptes.worker.internal.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelTask;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded ONNX model whose input and output shapes were checked against its family. Shared by the
 * worker threads (an {@link OrtSession} is thread-safe); each thread runs it through its own {@link
 * ModelRunner}. Owns the native session: close it.
 */
public final class OnnxModel implements AutoCloseable {

    private static final int COCO_CLASSES = 80;

    private final ModelConfig config;
    private final OrtSession session;
    private final String version;
    private final String inputName;
    private final int inputWidth;
    private final int inputHeight;
    private final List<String> outputNames;
    private final List<long[]> outputShapes;
    private final OutputDecoder decoder;
    private final boolean dynamicBatch;
    private final ModelConfig effective;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
            new java.util.concurrent.atomic.AtomicBoolean();

    private OnnxModel(ModelConfig config, OrtSession session, String version, Shapes shapes) {
        this.config = config;
        this.session = session;
        this.version = version;
        this.inputName = shapes.inputName;
        this.inputWidth = shapes.inputWidth;
        this.inputHeight = shapes.inputHeight;
        this.outputNames = shapes.outputNames;
        this.outputShapes = shapes.outputShapes;
        this.decoder = shapes.decoder;
        this.dynamicBatch = shapes.dynamicBatch;
        this.effective =
                config.labels().isEmpty() && shapes.classes > 0
                        ? config.withLabels(defaultLabels(config, shapes.classes))
                        : config;
    }

    /**
     * Loads {@code config.path()} and checks its shapes.
     *
     * @throws ModelLoadException naming the model, the file and, for a shape mismatch, the expected
     *     and actual shapes
     */
    public static OnnxModel load(
            OrtEnvironment env, ModelConfig config, OrtSession.SessionOptions options) {
        String what =
                "model "
                        + config.id()
                        + " ("
                        + config.family()
                        + (config.task() == ModelTask.DETECT ? "" : " " + config.task())
                        + ", "
                        + config.path()
                        + ")";
        if (!Files.isRegularFile(config.path())) {
            throw new ModelLoadException(what + ": no such file", null);
        }
        OrtSession session;
        try {
            session = env.createSession(config.path().toString(), options);
        } catch (OrtException e) {
            throw new ModelLoadException(
                    what + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
        try {
            Shapes shapes = Shapes.check(what, config, session);
            return new OnnxModel(config, session, sha256(config), shapes);
        } catch (RuntimeException | OrtException e) {
            closeQuietly(session);
            throw e instanceof ModelLoadException m
                    ? m
                    : new ModelLoadException(what + ": " + e.getMessage(), e);
        }
    }

    public ModelConfig config() {
        return effective;
    }

    /**
     * Content hash of the file ({@code sha256:} and 12 hex digits), so results say exactly which
     * model made them.
     */
    public String version() {
        return version;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    /**
     * Whether the graph's batch dimension is dynamic, so several images can run in one {@code
     * session.run}.
     */
    public boolean dynamicBatch() {
        return dynamicBatch;
    }

    OrtSession session() {
        return session;
    }

    String inputName() {
        return inputName;
    }

    List<String> outputNames() {
        return outputNames;
    }

    List<long[]> outputShapes() {
        return outputShapes;
    }

    OutputDecoder decoder() {
        return decoder;
    }

    public ModelFamily family() {
        return config.family();
    }

    public ModelTask task() {
        return config.task();
    }

    /** Whether {@link #close()} was called: runners of a closed model are dropped. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Frees the session; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(session);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing else owns it
        }
    }

    private static List<String> defaultLabels(ModelConfig config, int classes) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            labels.add(config.label(i));
        }
        return labels;
    }

    private static String sha256(ModelConfig config) {
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(config.path()),
                        MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(((DigestInputStream) in).getMessageDigest().digest())
                            .substring(0, 12);
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** What the family needs of the graph's inputs and outputs, checked once at load time. */
    private record Shapes(
            String inputName,
            int inputWidth,
            int inputHeight,
            List<String> outputNames,
            List<long[]> outputShapes,
            OutputDecoder decoder,
            int classes,
            boolean dynamicBatch) {

        static Shapes check(String what, ModelConfig config, OrtSession session)
                throws OrtException {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new ModelLoadException(
                        what + ": expected 1 input, got " + inputs.size() + " " + inputs.keySet(),
                        null);
            }
            Map.Entry<String, NodeInfo> input = inputs.entrySet().iterator().next();
            long[] in = tensorShape(what, "input " + input.getKey(), input.getValue());
            Map<String, long[]> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, NodeInfo> output : session.getOutputInfo().entrySet()) {
                outputs.put(
                        output.getKey(),
                        tensorShape(what, "output " + output.getKey(), output.getValue()));
            }
            if (config.task() != ModelTask.DETECT
                    && (config.family() == ModelFamily.BLAZEFACE
                            || config.family() == ModelFamily.CENTERNET)) {
                throw new ModelLoadException(
                        what
                                + ": family "
                                + config.family()
                                + " only detects, not "
                                + config.task(),
                        null);
            }
            return switch (config.family()) {
                case YOLOV8, YOLOV5 -> yolo(what, config, input.getKey(), in, outputs);
                case BLAZEFACE -> blazeFace(what, input.getKey(), in, outputs);
                case CENTERNET -> centerNet(what, config, input.getKey(), in, outputs);
            };
        }

        private static Shapes yolo(
                String what,
                ModelConfig config,
                String inputName,
                long[] in,
                Map<String, long[]> outputs) {
            if (in.length != 4 || in[0] > 1 || in[1] != 3 || in[2] <= 0 || in[3] <= 0) {
                throw mismatch(what, "input [1 or dynamic batch, 3, H, W] (NCHW RGB)", in);
            }
            boolean v8 = config.family() == ModelFamily.YOLOV8;
            if (!v8 && config.task() != ModelTask.DETECT) {
                throw new ModelLoadException(
                        what + ": family yolov5 only detects; " + config.task() + " needs yolov8",
                        null);
            }
            return switch (config.task()) {
                case CLASSIFY -> classifier(what, config, inputName, in, outputs);
                case SEGMENT -> segmenter(what, config, inputName, in, outputs);
                case DETECT, POSE -> detector(what, config, inputName, in, outputs, v8);
            };
        }

        /** YOLOv8/v5 detection, and YOLOv8-pose: one output, classes then 3 rows per keypoint. */
        private static Shapes detector(
                String what,
                ModelConfig config,
                String inputName,
                long[] in,
                Map<String, long[]> outputs,
                boolean v8) {
            boolean pose = config.task() == ModelTask.POSE;
            String expected =
                    pose
                            ? "one output [1, 4+C+3K, N] (C classes, K keypoints of x, y, visibility)"
                            : v8
                                    ? "one output [1, 4+C, N] with N anchors > 4+C"
                                    : "one output [1, N, 5+C] with N anchors > 5+C";
            long[] out = outputs.size() == 1 ? outputs.values().iterator().next() : null;
            if (out == null || out.length != 3) {
                throw mismatch(what, expected, out == null ? null : out, outputs);
            }
            long rows = v8 ? out[1] : out[2];
            long anchors = v8 ? out[2] : out[1];
            int classes;
            int keypoints = 0;
            if (pose) {
                // the output does not say how many classes: the labels do (1, a person, if none)
                classes = Math.max(1, config.labels().size());
                long rest = rows - 4 - classes;
                keypoints = (int) (rest / 3);
                if (rest < 3 || rest % 3 != 0 || anchors <= rows) {
                    throw mismatch(what, expected + " with " + classes + " class(es)", out);
                }
            } else {
                classes = (int) (rows - (v8 ? 4 : 5));
                if (classes < 1 || anchors <= rows) {
                    throw mismatch(what, expected, out);
                }
            }
            requireLabels(what, config, classes, out);
            OutputDecoder decoder =
                    v8
                            ? new OutputDecoder.YoloV8(classes, (int) anchors, keypoints, 0)
                            : new OutputDecoder.YoloV5(classes, (int) anchors);
            return nchw(
                    inputName,
                    in,
                    List.copyOf(outputs.keySet()),
                    List.of(batchOne(out)),
                    decoder,
                    classes);
        }

        /** YOLOv8-seg: detections {@code [1, 4+C+M, N]} and prototypes {@code [1, M, H', W']}. */
        private static Shapes segmenter(
                String what,
                ModelConfig config,
                String inputName,
                long[] in,
                Map<String, long[]> outputs) {
            String expected =
                    "outputs [1, 4+C+M, N] (detections with M mask coefficients) and"
                            + " [1, M, H/4, W/4] (prototypes)";
            Map.Entry<String, long[]> boxes = null;
            Map.Entry<String, long[]> protos = null;
            for (Map.Entry<String, long[]> output : outputs.entrySet()) {
                if (output.getValue().length == 3) {
                    boxes = output;
                } else if (output.getValue().length == 4) {
                    protos = output;
                }
            }
            if (outputs.size() != 2 || boxes == null || protos == null) {
                throw mismatch(what, expected, null, outputs);
            }
            long[] out = boxes.getValue();
            long[] proto = protos.getValue();
            int masks = (int) proto[1];
            int classes = (int) (out[1] - 4 - masks);
            if (masks < 1 || classes < 1 || out[2] <= out[1] || proto[2] <= 0 || proto[3] <= 0) {
                throw mismatch(what, expected, null, outputs);
            }
            requireLabels(what, config, classes, out);
            return nchw(
                    inputName,
                    in,
                    List.of(boxes.getKey(), protos.getKey()),
                    List.of(batchOne(out), batchOne(proto)),
                    new OutputDecoder.YoloV8(classes, (int) out[2], 0, masks),
                    classes);
        }

        /** YOLOv8-cls: one output {@code [1, C]} of class probabilities. */
        private static Shapes classifier(
                String what,
                ModelConfig config,
                String inputName,
                long[] in,
                Map<String, long[]> outputs) {
            long[] out = outputs.size() == 1 ? outputs.values().iterator().next() : null;
            if (out == null || out.length != 2 || out[1] < 1) {
                throw mismatch(what, "one output [1, C] (class probabilities)", null, outputs);
            }
            int classes = (int) out[1];
            requireLabels(what, config, classes, out);
            return nchw(
                    inputName,
                    in,
                    List.copyOf(outputs.keySet()),
                    List.of(batchOne(out)),
                    null,
                    classes);
        }

        /** An NCHW input {@code [B, 3, H, W]}: its size, and whether its batch is dynamic. */
        private static Shapes nchw(
                String inputName,
                long[] in,
                List<String> outputNames,
                List<long[]> outputShapes,
                OutputDecoder decoder,
                int classes) {
            return new Shapes(
                    inputName,
                    (int) in[3],
                    (int) in[2],
                    outputNames,
                    outputShapes,
                    decoder,
                    classes,
                    in[0] < 0);
        }

        private static void requireLabels(
                String what, ModelConfig config, int classes, long[] out) {
            if (!config.labels().isEmpty() && config.labels().size() != classes) {
                throw new ModelLoadException(
                        what
                                + ": "
                                + config.labels().size()
                                + " labels configured, but the output "
                                + Arrays.toString(out)
                                + " has "
                                + classes
                                + " classes",
                        null);
            }
        }

        private static Shapes blazeFace(
                String what, String inputName, long[] in, Map<String, long[]> outputs) {
            if (in.length != 4 || in[0] > 1 || in[3] != 3 || in[1] <= 0 || in[1] != in[2]) {
                throw mismatch(what, "input [1 or dynamic batch, S, S, 3] (NHWC RGB)", in);
            }
            String[] order = new String[4];
            outputs.forEach(
                    (name, shape) -> {
                        if (shape.length == 3
                                && (shape[1] == 512 || shape[1] == 384)
                                && (shape[2] == 1 || shape[2] == 16)) {
                            order[(shape[1] == 512 ? 0 : 2) + (shape[2] == 1 ? 0 : 1)] = name;
                        }
                    });
            if (outputs.size() != 4 || Arrays.asList(order).contains(null)) {
                throw mismatch(
                        what,
                        "4 outputs [1, 512, 1], [1, 512, 16], [1, 384, 1], [1, 384, 16]",
                        null,
                        outputs);
            }
            List<long[]> shapes = Arrays.stream(order).map(n -> batchOne(outputs.get(n))).toList();
            return new Shapes(
                    inputName,
                    (int) in[2],
                    (int) in[1],
                    List.of(order),
                    shapes,
                    new OutputDecoder.BlazeFace((int) in[1]),
                    1,
                    in[0] < 0);
        }

        /**
         * Input [1, H, W, 3]; of its outputs the one [1, N, 6] (the bundled model also exposes its
         * heatmap and sizes: they are not fetched). The class count comes from the labels, 80
         * (COCO) when none are configured.
         */
        private static Shapes centerNet(
                String what,
                ModelConfig config,
                String inputName,
                long[] in,
                Map<String, long[]> outputs) {
            if (in.length != 4 || in[0] > 1 || in[3] != 3 || in[1] <= 0 || in[2] <= 0) {
                throw mismatch(what, "input [1 or dynamic batch, H, W, 3] (NHWC RGB)", in);
            }
            Map.Entry<String, long[]> detections =
                    outputs.entrySet().stream()
                            .filter(
                                    o ->
                                            o.getValue().length == 3
                                                    && o.getValue()[1] > 0
                                                    && o.getValue()[2] == 6)
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            mismatch(
                                                    what,
                                                    "an output [1, N, 6] (x1, y1, x2, y2, score, class)",
                                                    null,
                                                    outputs));
            int classes = config.labels().isEmpty() ? COCO_CLASSES : config.labels().size();
            return new Shapes(
                    inputName,
                    (int) in[2],
                    (int) in[1],
                    List.of(detections.getKey()),
                    List.of(batchOne(detections.getValue())),
                    new OutputDecoder.CenterNet(classes, (int) detections.getValue()[1]),
                    classes,
                    in[0] < 0);
        }

        private static long[] tensorShape(String what, String node, NodeInfo info) {
            if (!(info.getInfo() instanceof TensorInfo tensor)
                    || tensor.type != OnnxJavaType.FLOAT) {
                throw new ModelLoadException(
                        what + ": " + node + " must be a float tensor, got " + info.getInfo(),
                        null);
            }
            return tensor.getShape();
        }

        private static long[] batchOne(long[] shape) {
            long[] fixed = shape.clone();
            fixed[0] = 1; // per image; a runner multiplies by its batch size
            return fixed;
        }

        private static ModelLoadException mismatch(String what, String expected, long[] actual) {
            return new ModelLoadException(
                    what + ": expected " + expected + ", got " + Arrays.toString(actual), null);
        }

        private static ModelLoadException mismatch(
                String what, String expected, long[] ignored, Map<String, long[]> outputs) {
            StringBuilder actual = new StringBuilder();
            outputs.forEach(
                    (name, shape) ->
                            actual.append(actual.length() == 0 ? "" : ", ")
                                    .append(name)
                                    .append(' ')
                                    .append(Arrays.toString(shape)));
            return new ModelLoadException(
                    what
                            + ": expected "
                            + expected
                            + ", got "
                            + outputs.size()
                            + " output(s): "
                            + actual,
                    null);
        }
    }
}
