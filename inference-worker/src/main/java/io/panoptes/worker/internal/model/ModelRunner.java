package io.panoptes.worker.internal.model;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImage;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.panoptes.avro.Box;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Keypoint;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelTask;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Runs one model for one thread without allocating per frame: the input tensor wraps a direct,
 * native-order buffer that OpenCV writes into in place (letterbox, RGB, scale, layout), and the
 * outputs are pinned to direct buffers. A model with a dynamic batch dimension runs up to {@link
 * #batchCapacity()} images in one {@code session.run}; each image has its own slice of the buffers,
 * so its detections are the same as when it runs alone. Not thread-safe; close it to free the
 * native memory.
 */
public final class ModelRunner implements AutoCloseable {

    private static final String[] BLAZEFACE_KEYPOINTS = {
        "right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear"
    };

    /** The 17 keypoints of COCO people, in the order YOLOv8-pose gives them. */
    private static final String[] COCO_KEYPOINTS = {
        "nose",
        "left_eye",
        "right_eye",
        "left_ear",
        "right_ear",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle"
    };

    private final OnnxModel model;
    private final Input layout;
    private final int capacity;
    private final FloatBuffer input;
    private final FloatBuffer[] outputs;

    /**
     * Per image: its slice of the input, as memory OpenCV writes into, and its slices of the
     * outputs.
     */
    private final FloatPointer[] inputPointers;

    private final Mat[] inputViews;
    private final FloatBuffer[][] imageOutputs;

    /**
     * Per batch size (index n - 1): tensors over the first n images' slices, made when first
     * needed.
     */
    private final OnnxTensor[] inputTensors;

    private final List<Map<String, OnnxTensor>> pinnedOutputs = new ArrayList<>();
    private final OrtEnvironment env;
    private final Mat resized = new Mat();
    private final Mat boxed = new Mat();
    private final Mat rgb = new Mat();
    private final Scalar padColour;
    private final MaskTracer masks;

    /** A runner of one image at a time. */
    public ModelRunner(OrtEnvironment env, OnnxModel model) {
        this(env, model, 1);
    }

    /**
     * A runner of up to {@code maxBatch} images per run, or of one when the model's batch is fixed.
     */
    public ModelRunner(OrtEnvironment env, OnnxModel model, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be >= 1, got " + maxBatch);
        }
        this.env = env;
        this.model = model;
        this.layout = Input.of(model.family(), model.task());
        this.capacity = model.dynamicBatch() ? maxBatch : 1;
        int w = model.inputWidth();
        int h = model.inputHeight();
        long perImage = 3L * w * h;
        this.input = direct(capacity * perImage);
        this.inputPointers = new FloatPointer[capacity];
        this.inputViews = new Mat[capacity];
        for (int i = 0; i < capacity; i++) {
            inputPointers[i] = new FloatPointer(slice(input, i * perImage, perImage));
            inputViews[i] =
                    layout.nhwc()
                            ? new Mat(h, w, CV_32FC3, inputPointers[i])
                            : new Mat(new int[] {1, 3, h, w}, CV_32F, inputPointers[i]);
        }
        // Ultralytics pads with grey 114; MediaPipe's face detector with black (CenterNet
        // stretches)
        this.padColour = layout.nhwc() ? new Scalar(0, 0, 0, 0) : new Scalar(114, 114, 114, 0);
        this.masks =
                model.task() == ModelTask.SEGMENT
                        ? new MaskTracer(
                                model.outputShapes().get(1),
                                model.inputWidth(),
                                model.inputHeight())
                        : null;
        int outputCount = model.outputNames().size();
        this.outputs = new FloatBuffer[outputCount];
        this.imageOutputs = new FloatBuffer[capacity][outputCount];
        for (int k = 0; k < outputCount; k++) {
            long perImageOut = product(model.outputShapes().get(k));
            outputs[k] = direct(capacity * perImageOut);
            for (int i = 0; i < capacity; i++) {
                imageOutputs[i][k] = slice(outputs[k], i * perImageOut, perImageOut);
            }
        }
        this.inputTensors = new OnnxTensor[capacity];
        for (int n = 0; n < capacity; n++) {
            pinnedOutputs.add(null);
        }
        try {
            tensorsFor(1);
        } catch (OrtException e) {
            close();
            throw new ModelLoadException(
                    "model "
                            + model.config().id()
                            + ": cannot allocate its tensors: "
                            + e.getMessage(),
                    e);
        }
    }

    public OnnxModel model() {
        return model;
    }

    /** Most images one {@link #detect(List, float, float)} call runs together. */
    public int batchCapacity() {
        return capacity;
    }

    /**
     * Detections of {@code bgr} in source pixels, with the model's thresholds, and where the time
     * went.
     */
    public Inference detect(Mat bgr) throws OrtException {
        return detect(bgr, model.config().confidence(), model.config().iou());
    }

    /**
     * Detections of {@code bgr} with these thresholds (a request's own), and where the time went.
     */
    public Inference detect(Mat bgr, float confidence, float iou) throws OrtException {
        return detect(List.of(bgr), confidence, iou).get(0);
    }

    /**
     * Detections of each image with the model's thresholds, run as one batch; at most {@link
     * #batchCapacity()}.
     */
    public List<Inference> detect(List<Mat> images) throws OrtException {
        return detect(images, model.config().confidence(), model.config().iou());
    }

    /**
     * Detections of each image, run as one batch: {@code inferMs} is the batch's run, shared by its
     * images; the other timings are each image's own.
     */
    @SuppressWarnings("try") // the result is only closed: its outputs are in the pinned buffers
    public List<Inference> detect(List<Mat> images, float confidence, float iou)
            throws OrtException {
        int n = images.size();
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException(
                    "a batch of "
                            + n
                            + " images for model "
                            + model.config().id()
                            + ", which runs 1 to "
                            + capacity);
        }
        Letterbox[] boxes = new Letterbox[n];
        float[] preprocessMs = new float[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Mat bgr = images.get(i);
            boxes[i] = fit(bgr);
            fillInput(i, bgr, boxes[i]);
            preprocessMs[i] = (System.nanoTime() - t0) / 1e6f;
        }
        OnnxTensor inputTensor = tensorsFor(n);
        long t1 = System.nanoTime();
        try (OrtSession.Result ignored =
                model.session()
                        .run(Map.of(model.inputName(), inputTensor), pinnedOutputs.get(n - 1))) {
            // outputs are in the pinned buffers
        }
        float inferMs = (System.nanoTime() - t1) / 1e6f;
        List<Inference> inferences = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t2 = System.nanoTime();
            boolean classifier = model.task() == ModelTask.CLASSIFY;
            List<Detection> detections =
                    classifier
                            ? List.of()
                            : postprocess(imageOutputs[i], boxes[i], confidence, iou);
            List<Classification> classes =
                    classifier ? classify(imageOutputs[i], confidence) : List.of();
            inferences.add(
                    new Inference(
                            detections,
                            classes,
                            preprocessMs[i],
                            inferMs,
                            (System.nanoTime() - t2) / 1e6f));
        }
        return inferences;
    }

    /**
     * Detections (or, for a classifier, the top classes) and timings (ms) of one frame.
     *
     * @param classifications a classifier's best classes, best first; empty for other tasks
     */
    public record Inference(
            List<Detection> detections,
            List<Classification> classifications,
            float preprocessMs,
            float inferMs,
            float postprocessMs) {}

    /** How many classes a classifier reports, best first. */
    public static final int TOP_CLASSES = 5;

    private List<Classification> classify(FloatBuffer[] imageOutput, float confidence) {
        FloatBuffer scores = imageOutput[0];
        List<Classification> all = new ArrayList<>(scores.limit());
        for (int c = 0; c < scores.limit(); c++) {
            float score = scores.get(c);
            if (score >= confidence) {
                all.add(new Classification(c, model.config().label(c), score));
            }
        }
        all.sort((a, b) -> Float.compare(b.getConfidence(), a.getConfidence()));
        return List.copyOf(all.subList(0, Math.min(TOP_CLASSES, all.size())));
    }

    private List<Detection> postprocess(
            FloatBuffer[] imageOutput, Letterbox box, float confidence, float iou) {
        List<Candidate> candidates = model.decoder().decode(imageOutput, confidence);
        List<Candidate> kept =
                layout.weightedNms()
                        ? Nms.weighted(candidates, iou, model.config().maxDetections())
                        : Nms.classAware(candidates, iou, model.config().maxDetections());
        List<Detection> detections = new ArrayList<>(kept.size());
        for (Candidate c : kept) {
            Detection d = toSource(c, box);
            if (c.maskCoefficients() != null) {
                d.setPolygon(masks.polygon(c, imageOutput[1], box));
            }
            detections.add(d);
        }
        return detections;
    }

    /**
     * The input tensor of a batch of {@code n}, with its pinned outputs, over the first n images'
     * slices.
     */
    private OnnxTensor tensorsFor(int n) throws OrtException {
        if (inputTensors[n - 1] == null) {
            int w = model.inputWidth();
            int h = model.inputHeight();
            long[] inputShape = layout.nhwc() ? new long[] {n, h, w, 3} : new long[] {n, 3, h, w};
            Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
            try {
                for (int k = 0; k < outputs.length; k++) {
                    long[] shape = model.outputShapes().get(k).clone();
                    shape[0] = n;
                    pinned.put(
                            model.outputNames().get(k),
                            OnnxTensor.createTensor(
                                    env,
                                    slice(outputs[k], 0, n * product(model.outputShapes().get(k))),
                                    shape));
                }
                inputTensors[n - 1] =
                        OnnxTensor.createTensor(env, slice(input, 0, n * 3L * w * h), inputShape);
            } finally {
                pinnedOutputs.set(
                        n - 1, pinned); // closed with the runner even when only partly made
            }
        }
        return inputTensors[n - 1];
    }

    private void fillInput(int image, Mat bgr, Letterbox box) {
        try (Size size = new Size(box.scaledWidth(), box.scaledHeight())) {
            if (layout.centreCrop()) {
                int side = Math.min(bgr.cols(), bgr.rows());
                try (Rect centre =
                                new Rect(
                                        (bgr.cols() - side) / 2,
                                        (bgr.rows() - side) / 2,
                                        side,
                                        side);
                        Mat cropped = new Mat(bgr, centre);
                        Size input = new Size(box.inputWidth(), box.inputHeight())) {
                    resize(cropped, boxed, input, 0, 0, INTER_LINEAR);
                }
                writeInput(image, boxed);
                return;
            }
            resize(bgr, resized, size, 0, 0, INTER_LINEAR);
        }
        int right = box.inputWidth() - box.scaledWidth() - box.padX();
        int bottom = box.inputHeight() - box.scaledHeight() - box.padY();
        copyMakeBorder(
                resized, boxed, box.padY(), bottom, box.padX(), right, BORDER_CONSTANT, padColour);
        writeInput(image, boxed);
    }

    /** The fitted image into the input tensor's memory, in the family's layout and scale. */
    private void writeInput(int image, Mat boxed) {
        Mat inputView = inputViews[image];
        if (layout.nhwc()) {
            cvtColor(boxed, rgb, COLOR_BGR2RGB);
            // writes into the input tensor's memory
            rgb.convertTo(inputView, CV_32F, layout.scale(), layout.offset());
        } else {
            try (Size none = new Size();
                    Scalar zero = new Scalar(0.0)) {
                blobFromImage(boxed, inputView, 1 / 255.0, none, zero, true, false, CV_32F);
            }
        }
        if (inputView.data().address() != inputPointers[image].address()) {
            throw new IllegalStateException(
                    "OpenCV reallocated the input of model " + model.config().id());
        }
    }

    private Letterbox fit(Mat bgr) {
        // a classifier's centre crop is cut in fillInput and nothing is mapped back from it
        return layout.stretch() || layout.centreCrop()
                ? Letterbox.stretch(bgr.cols(), bgr.rows(), model.inputWidth(), model.inputHeight())
                : Letterbox.fit(bgr.cols(), bgr.rows(), model.inputWidth(), model.inputHeight());
    }

    private Detection toSource(Candidate c, Letterbox box) {
        float x1 = box.toSourceX(c.x1());
        float y1 = box.toSourceY(c.y1());
        float x2 = box.toSourceX(c.x2());
        float y2 = box.toSourceY(c.y2());
        List<Keypoint> keypoints = new ArrayList<>();
        if (c.keypoints() != null) {
            for (int k = 0; k < c.keypoints().length / 2; k++) {
                keypoints.add(
                        new Keypoint(
                                box.toSourceX(c.keypoints()[2 * k]),
                                box.toSourceY(c.keypoints()[2 * k + 1]),
                                keypointName(k, c.keypoints().length / 2),
                                c.keypointScores() == null ? null : c.keypointScores()[k]));
            }
        }
        return Detection.newBuilder()
                .setClassId(c.classId())
                .setLabel(model.config().label(c.classId()))
                .setConfidence(c.score())
                .setBox(new Box(x1, y1, x2 - x1, y2 - y1))
                .setTrackId(null)
                .setKeypoints(keypoints)
                .build();
    }

    /** BlazeFace's six by name, COCO's 17 for a pose model of 17, else none. */
    private String keypointName(int k, int count) {
        String[] names =
                model.family() == ModelFamily.BLAZEFACE
                        ? BLAZEFACE_KEYPOINTS
                        : count == COCO_KEYPOINTS.length ? COCO_KEYPOINTS : new String[0];
        return k < names.length ? names[k] : null;
    }

    /** {@code length} floats of {@code buffer} from {@code offset}, sharing its memory. */
    private static FloatBuffer slice(FloatBuffer buffer, long offset, long length) {
        return buffer.duplicate()
                .position(Math.toIntExact(offset))
                .limit(Math.toIntExact(offset + length))
                .slice();
    }

    private static FloatBuffer direct(long floats) {
        return ByteBuffer.allocateDirect(Math.toIntExact(floats * Float.BYTES))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public void close() {
        for (OnnxTensor tensor : inputTensors) {
            if (tensor != null) {
                tensor.close();
            }
        }
        pinnedOutputs.stream()
                .filter(java.util.Objects::nonNull)
                .forEach(m -> m.values().forEach(OnnxTensor::close));
        for (int i = 0; i < capacity; i++) {
            inputViews[i].close();
            inputPointers[i].close();
        }
        resized.close();
        boxed.close();
        rgb.close();
        padColour.close();
        if (masks != null) {
            masks.close();
        }
    }

    /**
     * What a family wants of its input, decided once per model rather than per frame: NHWC RGB or
     * NCHW (blobFromImage), how NHWC values are scaled (BlazeFace [-1, 1], CenterNet raw 0..255),
     * stretched, letterboxed or centre-cropped (classifiers), and weighted NMS (BlazeFace) or
     * class-aware.
     */
    private record Input(
            boolean nhwc,
            double scale,
            double offset,
            boolean stretch,
            boolean weightedNms,
            boolean centreCrop) {
        static Input of(ModelFamily family, ModelTask task) {
            return switch (family) {
                case BLAZEFACE -> new Input(true, 1 / 127.5, -1.0, false, true, false);
                case CENTERNET -> new Input(true, 1.0, 0.0, true, false, false);
                // Ultralytics classifiers take the centre square, resized (classify_transforms)
                case YOLOV8, YOLOV5 ->
                        new Input(false, 1.0, 0.0, false, false, task == ModelTask.CLASSIFY);
            };
        }
    }
}
