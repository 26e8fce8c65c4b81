package io.panoptes.api;

import static io.panoptes.api.JsonFields.enumValue;
import static io.panoptes.api.JsonFields.fraction;
import static io.panoptes.api.JsonFields.optionalText;
import static io.panoptes.api.JsonFields.positiveInt;
import static io.panoptes.api.JsonFields.requiredText;
import static io.panoptes.api.JsonFields.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.ModelTask;
import io.panoptes.pipeline.Violation;
import io.panoptes.pipeline.model.ModelSpecs;
import io.panoptes.runtime.http.HttpProblem;
import java.util.List;
import java.util.Set;

/**
 * A model as clients send it: the JSON shape of {@code ModelSpec} (field names as in the contract,
 * family and task by name), checked field by field and then by {@link ModelSpecs#validate}, which
 * workers run again on what they read, so that what the API accepts is what loads.
 */
final class ModelRequest {

    private static final Set<String> FIELDS =
            Set.of(
                    "modelId",
                    "source",
                    "sha256",
                    "family",
                    "task",
                    "labels",
                    "inputWidth",
                    "inputHeight",
                    "confidence",
                    "iou",
                    "maxDetections");

    private ModelRequest() {}

    /**
     * The spec {@code body} describes for model {@code pathId}, at version 0 (the store sets
     * versions).
     *
     * @throws HttpProblem 400 naming the field at fault
     */
    static ModelSpec parse(JsonNode body, String pathId) {
        JsonFields.requireKnownFields(body, FIELDS, "model");
        ModelSpec spec =
                ModelSpec.newBuilder()
                        .setModelId(JsonFields.id(body, "modelId", pathId))
                        .setSource(requiredText(body, "source"))
                        .setSha256(optionalText(body, "sha256"))
                        .setFamily(
                                enumValue(body, "family", ModelLayout.class, ModelLayout.UNKNOWN))
                        .setTask(enumValue(body, "task", ModelTask.class, ModelTask.DETECT))
                        .setLabels(strings(body, "labels"))
                        .setInputWidth(positiveInt(body, "inputWidth"))
                        .setInputHeight(positiveInt(body, "inputHeight"))
                        .setConfidence(fraction(body, "confidence"))
                        .setIou(fraction(body, "iou"))
                        .setMaxDetections(positiveInt(body, "maxDetections"))
                        .build();
        List<Violation> violations = ModelSpecs.validate(spec);
        if (!violations.isEmpty()) {
            throw HttpProblem.badRequest(violations.get(0).field(), violations.get(0).message());
        }
        return spec;
    }
}
