package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import ai.onnxruntime.OrtEnvironment;
import io.panoptes.avro.Box;
import io.panoptes.avro.CascadeSpec;
import io.panoptes.avro.Detection;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.internal.model.ModelCatalog;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelTask;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/** Crops at and beyond the frame's edges: clamped, or left out when nothing of them is inside. */
class CascadeStageTest {

    @Test
    void shouldClampCropsToTheFrameAndLeaveOutThoseWhollyOutsideIt() throws Exception {
        ModelConfig colour =
                ModelConfig.of(
                                "colour",
                                TestData.file(TestData.CLS_COLOUR_YOLOV8),
                                ModelFamily.YOLOV8)
                        .withTask(ModelTask.CLASSIFY)
                        .withLabels(List.of("red", "green", "blue"));
        CascadeSpec cascade =
                CascadeSpec.newBuilder()
                        .setModel("colour")
                        .setMaxCrops(8)
                        .setPadding(0.25f)
                        .build();
        List<Detection> found =
                List.of(
                        detection(10, 10, 40, 40), // inside, padded by 10 px each side
                        detection(90, 90, 40, 40), // partly beyond the right and bottom edges
                        detection(150, 20, 30, 30), // wholly outside the 100x100 frame
                        detection(20, 60, 0, 0)); // padded to nothing: no pixel to look at
        try (ModelCatalog catalog = new ModelCatalog(Map.of("colour", colour), 1, 1);
                ModelCatalog.Lease lease = catalog.acquireWaiting("colour");
                ModelRunner runner =
                        new ModelRunner(OrtEnvironment.getEnvironment(), lease.model());
                Mat red = new Mat(100, 100, CV_8UC3, new Scalar(0, 0, 255, 0))) {
            List<ModelRunner.Inference> out =
                    new CascadeStage(cascade, runner)
                            .run(
                                    List.of(red),
                                    List.of(
                                            new ModelRunner.Inference(
                                                    found, List.of(), 1f, 2f, 3f)));

            List<Detection> all = out.get(0).detections();
            List<Detection> crops = all.subList(found.size(), all.size());
            assertThat(crops).hasSize(2);
            assertThat(crops).extracting(Detection::getParentIndex).containsExactly(0, 1);
            assertThat(crops.get(0).getBox()).isEqualTo(new Box(0f, 0f, 60f, 60f));
            assertThat(crops.get(1).getBox()).isEqualTo(new Box(80f, 80f, 20f, 20f));
            assertThat(crops).allSatisfy(c -> assertThat(c.getLabel()).isEqualTo("red"));
            assertThat(out.get(0).inferMs()).as("the second stage's time counts").isGreaterThan(2f);
        }
    }

    private static Detection detection(float x, float y, float w, float h) {
        return Detection.newBuilder()
                .setClassId(0)
                .setLabel("thing")
                .setConfidence(0.9f)
                .setBox(new Box(x, y, w, h))
                .build();
    }
}
