package io.panoptes.worker.model;

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
import io.panoptes.avro.Detection;
import io.panoptes.avro.Keypoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Runs one model for one thread without allocating per frame: the input tensor wraps a direct,
 * native-order buffer that OpenCV writes into in place (letterbox, RGB, scale, layout), and the
 * outputs are pinned to direct buffers. Not thread-safe; close it to free the native memory.
 */
public final class ModelRunner implements AutoCloseable {

    private static final String[] BLAZEFACE_KEYPOINTS = {"right_eye", "left_eye", "nose", "mouth", "right_ear", "left_ear"};

    private final OnnxModel model;
    private final boolean nhwc;
    private final FloatBuffer input;
    private final OnnxTensor inputTensor;
    private final Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
    private final FloatBuffer[] outputs;
    private final FloatPointer inputPointer;
    private final Mat inputView;
    private final Mat resized = new Mat();
    private final Mat boxed = new Mat();
    private final Mat rgb = new Mat();
    private final Scalar padColour;

    public ModelRunner(OrtEnvironment env, OnnxModel model) {
        this.model = model;
        this.nhwc = model.family() == ModelFamily.BLAZEFACE;
        int w = model.inputWidth();
        int h = model.inputHeight();
        this.input = direct(3L * w * h);
        this.inputPointer = new FloatPointer(input);
        this.inputView = nhwc ? new Mat(h, w, CV_32FC3, inputPointer) : new Mat(new int[] {1, 3, h, w}, CV_32F, inputPointer);
        // Ultralytics pads with grey 114; MediaPipe's face detector with black
        this.padColour = nhwc ? new Scalar(0, 0, 0, 0) : new Scalar(114, 114, 114, 0);
        this.outputs = new FloatBuffer[model.outputNames().size()];
        try {
            this.inputTensor = OnnxTensor.createTensor(env, input, nhwc ? new long[] {1, h, w, 3} : new long[] {1, 3, h, w});
            for (int i = 0; i < outputs.length; i++) {
                long[] shape = model.outputShapes().get(i);
                outputs[i] = direct(product(shape));
                pinned.put(model.outputNames().get(i), OnnxTensor.createTensor(env, outputs[i], shape));
            }
        } catch (OrtException e) {
            close();
            throw new ModelLoadException("model " + model.config().id() + ": cannot allocate its tensors: " + e.getMessage(), e);
        }
    }

    public OnnxModel model() {
        return model;
    }

    /** Detections of {@code bgr} in source pixels, with the model's thresholds, and where the time went. */
    public Inference detect(Mat bgr) throws OrtException {
        return detect(bgr, model.config().confidence(), model.config().iou());
    }

    /** Detections of {@code bgr} with these thresholds (a request's own), and where the time went. */
    @SuppressWarnings("try") // the result is only closed: its outputs are in the pinned buffers
    public Inference detect(Mat bgr, float confidence, float iou) throws OrtException {
        long t0 = System.nanoTime();
        Letterbox box = Letterbox.fit(bgr.cols(), bgr.rows(), model.inputWidth(), model.inputHeight());
        fillInput(bgr, box);
        long t1 = System.nanoTime();
        try (OrtSession.Result ignored = model.session().run(Map.of(model.inputName(), inputTensor), pinned)) {
            // outputs are in the pinned buffers
        }
        long t2 = System.nanoTime();
        List<Candidate> candidates = model.decoder().decode(outputs, confidence);
        List<Candidate> kept = nhwc
                ? Nms.weighted(candidates, iou, model.config().maxDetections())
                : Nms.classAware(candidates, iou, model.config().maxDetections());
        List<Detection> detections = new ArrayList<>(kept.size());
        for (Candidate c : kept) {
            detections.add(toSource(c, box));
        }
        long t3 = System.nanoTime();
        return new Inference(detections, (t1 - t0) / 1e6f, (t2 - t1) / 1e6f, (t3 - t2) / 1e6f);
    }

    /** Detections and timings (ms) of one frame. */
    public record Inference(List<Detection> detections, float preprocessMs, float inferMs, float postprocessMs) {}

    private void fillInput(Mat bgr, Letterbox box) {
        try (Size size = new Size(box.scaledWidth(), box.scaledHeight())) {
            resize(bgr, resized, size, 0, 0, INTER_LINEAR);
        }
        int right = box.inputWidth() - box.scaledWidth() - box.padX();
        int bottom = box.inputHeight() - box.scaledHeight() - box.padY();
        copyMakeBorder(resized, boxed, box.padY(), bottom, box.padX(), right, BORDER_CONSTANT, padColour);
        if (nhwc) {
            cvtColor(boxed, rgb, COLOR_BGR2RGB);
            rgb.convertTo(inputView, CV_32F, 1 / 127.5, -1.0); // writes into the input tensor's memory
        } else {
            try (Size none = new Size(); Scalar zero = new Scalar(0.0)) {
                blobFromImage(boxed, inputView, 1 / 255.0, none, zero, true, false, CV_32F);
            }
        }
        if (inputView.data().address() != inputPointer.address()) {
            throw new IllegalStateException("OpenCV reallocated the input of model " + model.config().id());
        }
    }

    private Detection toSource(Candidate c, Letterbox box) {
        float x1 = box.toSourceX(c.x1());
        float y1 = box.toSourceY(c.y1());
        float x2 = box.toSourceX(c.x2());
        float y2 = box.toSourceY(c.y2());
        List<Keypoint> keypoints = new ArrayList<>();
        if (c.keypoints() != null) {
            for (int k = 0; k < c.keypoints().length / 2; k++) {
                keypoints.add(new Keypoint(box.toSourceX(c.keypoints()[2 * k]), box.toSourceY(c.keypoints()[2 * k + 1]),
                        k < BLAZEFACE_KEYPOINTS.length ? BLAZEFACE_KEYPOINTS[k] : null));
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

    private static FloatBuffer direct(long floats) {
        return ByteBuffer.allocateDirect(Math.toIntExact(floats * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
        if (inputTensor != null) {
            inputTensor.close();
        }
        pinned.values().forEach(OnnxTensor::close);
        inputView.close();
        inputPointer.close();
        resized.close();
        boxed.close();
        rgb.close();
        padColour.close();
    }
}
