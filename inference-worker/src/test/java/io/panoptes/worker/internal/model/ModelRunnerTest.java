package io.panoptes.worker.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import ai.onnxruntime.OrtEnvironment;
import io.panoptes.avro.Detection;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRunnerTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final List<String> BRIGHT_DARK = List.of("bright", "dark");

    @Test
    void shouldFindTheWhiteSquareWithTheYoloV8Decoder() throws Exception {
        // dark = 1 - bright scores 1.0 on the 396 black cells, which do not overlap: the cap of 300
        // applies
        assertWhiteSquare(ModelFamily.YOLOV8, TestData.BRIGHT_SQUARE_YOLOV8, 300);
    }

    @Test
    void shouldFindTheWhiteSquareWithTheYoloV5Decoder() throws Exception {
        // objectness = bright, so the dark cells score 0 × 1
        assertWhiteSquare(ModelFamily.YOLOV5, TestData.BRIGHT_SQUARE_YOLOV5, 4);
    }

    private static void assertWhiteSquare(ModelFamily family, String file, int expectedTotal)
            throws Exception {
        ModelConfig config =
                ModelConfig.of("bright", TestData.file(file), family)
                        .withLabels(BRIGHT_DARK)
                        .withThresholds(0.5f, 0.45f);
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat image =
                        imread(TestData.file(TestData.WHITE_SQUARE_PNG).toString(), IMREAD_COLOR)) {
            List<Detection> detections = runner.detect(image).detections();

            List<Detection> bright =
                    detections.stream().filter(d -> d.getLabel().equals("bright")).toList();
            assertThat(bright)
                    .hasSize(4)
                    .allSatisfy(
                            d -> {
                                assertThat(d.getConfidence()).isEqualTo(1.0f);
                                assertThat(d.getBox().getW()).isEqualTo(32f);
                                assertThat(d.getBox().getH()).isEqualTo(32f);
                            });
            assertThat(bright)
                    .extracting(d -> d.getBox().getX() + "," + d.getBox().getY())
                    .containsExactlyInAnyOrder(
                            "128.0,192.0", "160.0,192.0", "128.0,224.0", "160.0,224.0");
            assertThat(detections).hasSize(expectedTotal);
        }
    }

    @Test
    void shouldMapBoxesBackThroughTheLetterbox() throws Exception {
        ModelConfig config =
                ModelConfig.of(
                                "bright",
                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                                ModelFamily.YOLOV8)
                        .withLabels(BRIGHT_DARK)
                        .withThresholds(0.9f, 0.45f);
        // a 1280x640 black frame with a white 128x128 square at (256, 256): scaled by 1/2, padded
        // 160 above and below
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat frame = new Mat(640, 1280, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            frame.apply(new org.bytedeco.opencv.opencv_core.Rect(256, 256, 128, 128))
                    .put(new Scalar(255, 255, 255, 0));

            List<Detection> bright =
                    runner.detect(frame).detections().stream()
                            .filter(d -> d.getLabel().equals("bright"))
                            .toList();

            assertThat(bright)
                    .extracting(
                            d ->
                                    d.getBox().getX()
                                            + ","
                                            + d.getBox().getY()
                                            + " "
                                            + d.getBox().getW())
                    .containsExactlyInAnyOrder(
                            "256.0,256.0 64.0",
                            "320.0,256.0 64.0",
                            "256.0,320.0 64.0",
                            "320.0,320.0 64.0");
        }
    }

    @Test
    void shouldFindTheFaceInMegamindFrame30AndNoneInBlack() throws Exception {
        ModelConfig config =
                ModelConfig.of(
                        "blazeface",
                        TestData.file(TestData.BLAZEFACE_FRONT),
                        ModelFamily.BLAZEFACE);
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat frame =
                        imread(
                                TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString(),
                                IMREAD_COLOR);
                Mat black = new Mat(528, 720, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            List<Detection> faces = runner.detect(frame).detections();

            assertThat(faces).isNotEmpty();
            Detection best = faces.get(0);
            float cx = best.getBox().getX() + best.getBox().getW() / 2;
            float cy = best.getBox().getY() + best.getBox().getH() / 2;
            assertThat(Math.hypot(cx - 293, cy - 272)).isLessThan(10);
            assertThat(best.getLabel()).isEqualTo("face");
            assertThat(best.getConfidence()).isGreaterThan(0.9f);
            assertThat(best.getKeypoints()).hasSize(6);
            assertThat(runner.detect(black).detections()).isEmpty();
        }
    }

    @Test
    void shouldDetectEachImageOfABatchAsIfItRanAlone() throws Exception {
        ModelConfig config =
                ModelConfig.of(
                                "dyn",
                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8_DYNBATCH),
                                ModelFamily.YOLOV8)
                        .withLabels(BRIGHT_DARK)
                        .withThresholds(0.5f, 0.45f);
        // the fixture's known answers: a square at (128, 192), one at (0, 0), and an all-black
        // image
        try (OnnxModel model = load(config);
                ModelRunner batched = new ModelRunner(ENV, model, 4);
                ModelRunner single = new ModelRunner(ENV, model);
                Mat square =
                        imread(TestData.file(TestData.WHITE_SQUARE_PNG).toString(), IMREAD_COLOR);
                Mat corner = new Mat(640, 640, CV_8UC3, new Scalar(0, 0, 0, 0));
                Mat black = new Mat(640, 640, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            corner.apply(new org.bytedeco.opencv.opencv_core.Rect(0, 0, 64, 64))
                    .put(new Scalar(255, 255, 255, 0));
            assertThat(model.dynamicBatch()).isTrue();
            assertThat(batched.batchCapacity()).isEqualTo(4);

            List<ModelRunner.Inference> three = batched.detect(List.of(square, corner, black));
            List<ModelRunner.Inference> two = batched.detect(List.of(black, square));

            assertThat(brightCorners(three.get(0)))
                    .containsExactlyInAnyOrder("128,192", "160,192", "128,224", "160,224");
            assertThat(brightCorners(three.get(1)))
                    .containsExactlyInAnyOrder("0,0", "32,0", "0,32", "32,32");
            assertThat(brightCorners(three.get(2))).isEmpty();
            assertThat(three.get(0).detections()).isEqualTo(single.detect(square).detections());
            assertThat(three.get(1).detections()).isEqualTo(single.detect(corner).detections());
            assertThat(three.get(2).detections()).isEqualTo(single.detect(black).detections());
            assertThat(two.get(0).detections()).isEqualTo(three.get(2).detections());
            assertThat(two.get(1).detections()).isEqualTo(three.get(0).detections());
            assertThat(three)
                    .extracting(ModelRunner.Inference::inferMs)
                    .containsOnly(three.get(0).inferMs());
        }
    }

    @Test
    void shouldRunAFixedBatchModelOneImageAtATimeAndRefuseOversizedBatches() throws Exception {
        ModelConfig config =
                ModelConfig.of(
                        "fixed", TestData.file(TestData.BRIGHT_SQUARE_YOLOV8), ModelFamily.YOLOV8);
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model, 8);
                Mat black = new Mat(64, 64, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            assertThat(model.dynamicBatch()).isFalse();
            assertThat(runner.batchCapacity()).isEqualTo(1);
            assertThatThrownBy(() -> runner.detect(List.of(black, black)))
                    .hasMessage("a batch of 2 images for model fixed, which runs 1 to 1");
        }
    }

    private static List<String> brightCorners(ModelRunner.Inference inference) {
        return inference.detections().stream()
                .filter(d -> d.getLabel().equals("bright"))
                .map(d -> Math.round(d.getBox().getX()) + "," + Math.round(d.getBox().getY()))
                .toList();
    }

    @Test
    void shouldNameTheShapesWhenAModelIsOfAnotherFamily() {
        ModelConfig v5AsV8 =
                ModelConfig.of(
                        "mixed", TestData.file(TestData.BRIGHT_SQUARE_YOLOV5), ModelFamily.YOLOV8);
        ModelConfig faceAsYolo =
                ModelConfig.of("face", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.YOLOV5);

        assertThatThrownBy(() -> load(v5AsV8))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model mixed (YOLOV8, ")
                .hasMessageContaining(
                        "expected one output [1, 4+C, N] with N anchors > 4+C, got [1, 400, 7]");
        assertThatThrownBy(() -> load(faceAsYolo))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(
                        "expected input [1 or dynamic batch, 3, H, W] (NCHW RGB), got [1, 128, 128, 3]");
    }

    @Test
    void shouldRefuseLabelsThatDoNotMatchTheClasses() {
        ModelConfig config =
                ModelConfig.of(
                                "bright",
                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                                ModelFamily.YOLOV8)
                        .withLabels(List.of("only-one"));

        assertThatThrownBy(() -> load(config))
                .hasMessageContaining(
                        "1 labels configured, but the output [1, 6, 400] has 2 classes");
    }

    @Test
    void shouldNameAMissingOrTruncatedModelFile(@TempDir Path dir) throws Exception {
        byte[] model = TestData.bytes(TestData.BRIGHT_SQUARE_YOLOV8);
        Path truncated =
                Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(model, model.length / 2));

        assertThatThrownBy(
                        () ->
                                load(
                                        ModelConfig.of(
                                                "gone",
                                                dir.resolve("gone.onnx"),
                                                ModelFamily.YOLOV8)))
                .hasMessage("model gone (YOLOV8, " + dir.resolve("gone.onnx") + "): no such file");
        assertThatThrownBy(() -> load(ModelConfig.of("cut", truncated, ModelFamily.YOLOV8)))
                .hasMessageContaining(
                        "model cut (YOLOV8, " + truncated + "): ONNX Runtime cannot load it");
    }

    @Test
    void shouldDescribeItsVersionByContent() throws Exception {
        try (OnnxModel model =
                load(
                        ModelConfig.of(
                                "b",
                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                                ModelFamily.YOLOV8))) {
            assertThat(model.version()).isEqualTo("sha256:83f718055ab4");
            assertThat(model.config().labels()).containsExactly("class0", "class1");
        }
    }

    private static OnnxModel load(ModelConfig config) {
        return TestModels.load(config, 1);
    }
}
