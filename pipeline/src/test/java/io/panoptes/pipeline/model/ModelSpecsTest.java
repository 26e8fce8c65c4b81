package io.panoptes.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.ModelTask;
import io.panoptes.pipeline.Violation;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ModelSpecsTest {

    @Test
    void shouldAcceptUrlsPathsAndBundledModels() {
        assertThat(violations(s -> {})).isEmpty();
        assertThat(violations(s -> s.setSource("bundled:coco").setFamily(ModelLayout.CENTERNET)))
                .isEmpty();
        assertThat(violations(s -> s.setSource("/srv/models/yolo.onnx").setSha256(null))).isEmpty();
    }

    @Test
    void shouldNameTheFieldAndTheCauseOfEveryMistake() {
        assertThat(violations(s -> s.setModelId("../up"))).containsExactly("modelId");
        assertThat(violations(s -> s.setSha256(null))).containsExactly("sha256");
        assertThat(violations(s -> s.setSha256("ABC"))).containsExactly("sha256");
        assertThat(violations(s -> s.setSource("models/yolo.onnx"))).containsExactly("source");
        assertThat(violations(s -> s.setSource("ftp://host/yolo.onnx"))).containsExactly("source");
        assertThat(violations(s -> s.setSource("https:///no-host"))).containsExactly("source");
        assertThat(violations(s -> s.setSource("bundled:../x"))).containsExactly("source");
        assertThat(violations(s -> s.setSource(" "))).containsExactly("source");
        assertThat(violations(s -> s.setFamily(ModelLayout.UNKNOWN))).containsExactly("family");
        assertThat(violations(s -> s.setFamily(ModelLayout.CENTERNET).setTask(ModelTask.POSE)))
                .containsExactly("task");
        assertThat(violations(s -> s.setTask(ModelTask.UNKNOWN))).containsExactly("task");
        assertThat(violations(s -> s.setLabels(List.of("car", " ")))).containsExactly("labels[1]");
        assertThat(violations(s -> s.setLabels(Collections.nCopies(10_001, "x"))))
                .containsExactly("labels");
        assertThat(violations(s -> s.setInputWidth(640))).containsExactly("inputHeight");
        assertThat(violations(s -> s.setInputWidth(0).setInputHeight(99_999)))
                .containsExactly("inputWidth", "inputHeight");
        assertThat(violations(s -> s.setConfidence(1.5f))).containsExactly("confidence");
        assertThat(violations(s -> s.setIou(0f))).containsExactly("iou");
        assertThat(violations(s -> s.setMaxDetections(0))).containsExactly("maxDetections");
    }

    @Test
    void shouldSayWhichTasksAFamilySupports() {
        List<Violation> all =
                ModelSpecs.validate(
                        valid().setFamily(ModelLayout.BLAZEFACE)
                                .setTask(ModelTask.SEGMENT)
                                .build());
        assertThat(all.get(0).message())
                .isEqualTo("SEGMENT is not a task of family BLAZEFACE: it supports [DETECT]");
    }

    private static List<String> violations(Consumer<ModelSpec.Builder> change) {
        ModelSpec.Builder spec = valid();
        change.accept(spec);
        return ModelSpecs.validate(spec.build()).stream().map(Violation::field).toList();
    }

    private static ModelSpec.Builder valid() {
        return ModelSpec.newBuilder()
                .setModelId("people")
                .setSource("https://models.example.com/yolov8n.onnx")
                .setSha256("0123456789abcdef".repeat(4))
                .setFamily(ModelLayout.YOLOV8);
    }
}
