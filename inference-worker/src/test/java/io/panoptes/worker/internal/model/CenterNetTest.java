package io.panoptes.worker.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.onnxruntime.OrtEnvironment;
import io.panoptes.avro.Detection;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.BundledModels;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled COCO detector ({@code coco}, the CenterNet family) on the first frame of vtest.avi.
 */
class CenterNetTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir static Path cache;
    private static ModelConfig coco;

    @BeforeAll
    static void extract() {
        coco = BundledModels.COCO.config(cache);
    }

    @Test
    void shouldFindThePeopleAndVehiclesOfVtest() throws Exception {
        try (OnnxModel model = load(coco);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat frame = vtestFrame()) {
            List<Detection> found = runner.detect(frame).detections();

            // the model's README: 3-8 persons and 1-2 vehicles per frame at score >= 0.4
            List<Detection> persons = labelled(found, "person");
            assertThat(persons).hasSizeBetween(3, 8);
            assertThat(found.stream().filter(d -> List.of("car", "truck").contains(d.getLabel())))
                    .hasSizeBetween(1, 2);
            assertThat(found)
                    .allSatisfy(
                            d -> {
                                assertThat(d.getConfidence()).isBetween(0.4f, 1f);
                                assertThat(d.getBox().getX() + d.getBox().getW())
                                        .isLessThanOrEqualTo(768);
                                assertThat(d.getBox().getY() + d.getBox().getH())
                                        .isLessThanOrEqualTo(576);
                            });
            assertThat(persons)
                    .as("people standing are taller than wide")
                    .allSatisfy(
                            d -> assertThat(d.getBox().getH()).isGreaterThan(d.getBox().getW()));
            assertThat(model.config().labels()).hasSize(80).startsWith("person", "bicycle", "car");
        }
    }

    @Test
    void shouldStretchTheFrameAndMapEachAxisBackByItsOwnScale() throws Exception {
        // the frame twice as wide stretches to the same 512x512 input: the same boxes, x doubled
        try (OnnxModel model = load(coco);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat frame = vtestFrame();
                Mat wide = new Mat();
                Size size = new Size(1536, 576)) {
            resize(frame, wide, size, 0, 0, INTER_LINEAR);
            List<Detection> original = labelled(runner.detect(frame).detections(), "person");
            List<Detection> stretched = labelled(runner.detect(wide).detections(), "person");

            assertThat(stretched).hasSameSizeAs(original);
            for (Detection d : original) {
                assertThat(stretched)
                        .anySatisfy(
                                s -> {
                                    assertThat(s.getBox().getX())
                                            .isCloseTo(
                                                    2 * d.getBox().getX(),
                                                    org.assertj.core.data.Offset.offset(4f));
                                    assertThat(s.getBox().getW())
                                            .isCloseTo(
                                                    2 * d.getBox().getW(),
                                                    org.assertj.core.data.Offset.offset(4f));
                                    assertThat(s.getBox().getY())
                                            .isCloseTo(
                                                    d.getBox().getY(),
                                                    org.assertj.core.data.Offset.offset(2f));
                                    assertThat(s.getBox().getH())
                                            .isCloseTo(
                                                    d.getBox().getH(),
                                                    org.assertj.core.data.Offset.offset(2f));
                                });
            }
        }
    }

    @Test
    void shouldFindNothingInBlack() throws Exception {
        try (OnnxModel model = load(coco);
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat black = new Mat(576, 768, CV_8UC3, new Scalar(0, 0, 0, 0))) {
            assertThat(runner.detect(black).detections()).isEmpty();
        }
    }

    @Test
    void shouldRefuseAModelOfAnotherLayoutNamingTheExpectedOutput() {
        ModelConfig yolo =
                ModelConfig.of(
                        "not-centernet",
                        TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                        ModelFamily.CENTERNET);

        assertThatThrownBy(() -> load(yolo).close())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model not-centernet (CENTERNET")
                .hasMessageContaining("NHWC");
    }

    @Test
    void shouldKeepOnlyTheClassesItHasLabelsFor() throws Exception {
        // the output does not say how many classes there are: the labels do (80 by default); a
        // class index beyond them is dropped, never labelled "class7"
        try (OnnxModel model = load(coco.withLabels(List.of("person", "bicycle")));
                ModelRunner runner = new ModelRunner(ENV, model);
                Mat frame = vtestFrame()) {
            assertThat(runner.detect(frame).detections())
                    .extracting(Detection::getLabel)
                    .containsOnly("person");
        }
    }

    private static List<Detection> labelled(List<Detection> detections, String label) {
        return detections.stream().filter(d -> d.getLabel().equals(label)).toList();
    }

    private static Mat vtestFrame() {
        return imread(TestData.file(TestData.VTEST_FRAME_000_JPG).toString(), IMREAD_COLOR);
    }

    private static OnnxModel load(ModelConfig config) {
        return TestModels.load(config, 2);
    }
}
