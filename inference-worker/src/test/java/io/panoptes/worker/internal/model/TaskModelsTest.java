package io.panoptes.worker.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import ai.onnxruntime.OrtEnvironment;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Keypoint;
import io.panoptes.avro.Vertex;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelTask;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/**
 * Classification, pose and segmentation on synthetic models whose outputs are fixed functions of
 * the input (scripts/models/build_task_models.py), so every answer is known. The white square of
 * the test image covers the cells at columns 4-5, rows 6-7: boxes from (128, 192) to (192, 256).
 */
class TaskModelsTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** softmax([10, 0, 0])[0]: a frame of one pure colour. */
    private static final float PURE = (float) (Math.exp(10) / (Math.exp(10) + 2));

    @Test
    void shouldClassifyTheCentreSquareOfTheFrame() throws Exception {
        ModelConfig config =
                config(TestData.CLS_COLOUR_YOLOV8, ModelTask.CLASSIFY, "red", "green", "blue");
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat thirds = thirds()) {
            List<Classification> top = runner.detect(thirds, 0f, 0.5f).classifications();

            // a stretched frame would be a third of each colour; the centre crop is all red
            assertThat(top).hasSize(3);
            assertThat(top.get(0).getLabel()).isEqualTo("red");
            assertThat(top.get(0).getConfidence()).isCloseTo(PURE, within(1e-4f));
            assertThat(top.get(1).getConfidence()).isCloseTo((1 - PURE) / 2, within(1e-4f));
            assertThat(runner.detect(thirds).detections()).isEmpty();
            assertThat(runner.detect(thirds, 0.5f, 0.5f).classifications())
                    .as("the confidence threshold applies")
                    .extracting(Classification::getLabel)
                    .containsExactly("red");
        }
    }

    @Test
    void shouldCarryPoseKeypointsWithTheirConfidence() throws Exception {
        ModelConfig config = config(TestData.POSE_CELLS_YOLOV8, ModelTask.POSE, "cell");
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat image = whiteSquare()) {
            List<Detection> cells = runner.detect(image, 0.5f, 0.45f).detections();

            assertThat(cells).hasSize(4);
            for (Detection cell : cells) {
                List<Keypoint> points = cell.getKeypoints();
                assertThat(points).hasSize(2);
                assertThat(points.get(0).getX()).isEqualTo(cell.getBox().getX());
                assertThat(points.get(0).getY()).isEqualTo(cell.getBox().getY());
                assertThat(points.get(0).getConfidence()).isEqualTo(1f);
                assertThat(points.get(1).getX()).isEqualTo(cell.getBox().getX() + 32);
                assertThat(points.get(1).getY()).isEqualTo(cell.getBox().getY() + 32);
                assertThat(points.get(1).getConfidence()).isEqualTo(0f);
                assertThat(points.get(0).getName()).as("only COCO's 17 are named").isNull();
            }
            assertThat(cells).extracting(d -> d.getBox().getX()).containsOnly(128f, 160f);
            assertThat(cells).extracting(d -> d.getBox().getY()).containsOnly(192f, 224f);
        }
    }

    @Test
    void shouldTraceEachMaskAsAPolygonInSourcePixels() throws Exception {
        ModelConfig config = config(TestData.SEG_CELLS_YOLOV8, ModelTask.SEGMENT, "bright", "dark");
        try (OnnxModel model = load(config);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat image = whiteSquare()) {
            List<Detection> all = runner.detect(image, 0.5f, 0.45f).detections();

            List<Detection> bright =
                    all.stream().filter(d -> d.getLabel().equals("bright")).toList();
            assertThat(bright).hasSize(4);
            for (Detection cell : bright) {
                List<Vertex> polygon = cell.getPolygon();
                assertThat(polygon).hasSizeBetween(4, 8);
                float x = cell.getBox().getX();
                float y = cell.getBox().getY();
                // traced on the prototypes' grid (4 px a cell): within a cell of the box
                assertThat(polygon)
                        .allSatisfy(
                                v -> {
                                    assertThat(v.getX()).isBetween(x, x + 32);
                                    assertThat(v.getY()).isBetween(y, y + 32);
                                });
                assertThat(polygon.stream().mapToDouble(Vertex::getX).min().orElseThrow())
                        .isCloseTo(x, within(4.0));
                assertThat(polygon.stream().mapToDouble(Vertex::getX).max().orElseThrow())
                        .isCloseTo(x + 32, within(4.0));
                assertThat(polygon.stream().mapToDouble(Vertex::getY).max().orElseThrow())
                        .isCloseTo(y + 32, within(4.0));
            }
            assertThat(all.stream().filter(d -> d.getLabel().equals("dark")))
                    .as("a black cell's mask is empty")
                    .isNotEmpty()
                    .allSatisfy(d -> assertThat(d.getPolygon()).isEmpty());
        }
    }

    @Test
    void shouldRefuseAModelWhoseOutputsDoNotFitItsTaskNamingBoth() {
        assertThatThrownBy(() -> load(config(TestData.BRIGHT_SQUARE_YOLOV8, ModelTask.CLASSIFY)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model m (YOLOV8 CLASSIFY")
                .hasMessageContaining("expected one output [1, C] (class probabilities)")
                .hasMessageContaining("[1, 6, 400]");
        assertThatThrownBy(() -> load(config(TestData.BRIGHT_SQUARE_YOLOV8, ModelTask.SEGMENT)))
                .hasMessageContaining("(prototypes)");
        assertThatThrownBy(() -> load(config(TestData.CLS_COLOUR_YOLOV8, ModelTask.POSE)))
                .hasMessageContaining("[1, 4+C+3K, N]");
        assertThatThrownBy(
                        () ->
                                load(
                                        config(
                                                TestData.CLS_COLOUR_YOLOV8,
                                                ModelTask.CLASSIFY,
                                                "a",
                                                "b")))
                .hasMessageContaining("2 labels configured, but the output [1, 3] has 3 classes");
        assertThatThrownBy(
                        () ->
                                load(
                                        ModelConfig.of(
                                                        "m",
                                                        TestData.file(TestData.BLAZEFACE_FRONT),
                                                        ModelFamily.BLAZEFACE)
                                                .withTask(ModelTask.POSE)))
                .hasMessageContaining("family BLAZEFACE only detects, not POSE");
    }

    private static ModelConfig config(String file, ModelTask task, String... labels) {
        return ModelConfig.of("m", TestData.file(file), ModelFamily.YOLOV8)
                .withTask(task)
                .withLabels(List.of(labels));
    }

    /** 300x100: green, red, blue thirds (BGR). */
    private static Mat thirds() {
        Mat image = new Mat(100, 300, CV_8UC3, new Scalar(0, 255, 0, 0));
        try (Mat middle = new Mat(image, new Rect(100, 0, 100, 100));
                Mat right = new Mat(image, new Rect(200, 0, 100, 100))) {
            middle.put(new Scalar(0, 0, 255, 0));
            right.put(new Scalar(255, 0, 0, 0));
        }
        return image;
    }

    private static Mat whiteSquare() {
        return imread(TestData.file(TestData.WHITE_SQUARE_PNG).toString(), IMREAD_COLOR);
    }

    private static OnnxModel load(ModelConfig config) {
        return TestModels.load(config, 1);
    }
}
