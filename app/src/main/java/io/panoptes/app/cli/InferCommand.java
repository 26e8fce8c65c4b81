package io.panoptes.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.InferenceException;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a model on one JPEG or PNG image here and prints the detections as JSON.",
            "",
            "No Kafka involved; the answer is the same as a worker's POST /v1/infer.",
            "",
            "Examples:",
            "  panoptes infer photo.jpg                  # faces, with the bundled BlazeFace",
            "  panoptes infer street.png --model yolov8n.onnx --model-family yolov8 \\",
            "      --labels person,bicycle,car --confidence 0.4"
        })
public final class InferCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A JPEG or PNG file.")
    private Path image;

    @Mixin private ModelOptions models;

    @Option(
            names = "--confidence",
            paramLabel = "0-1",
            description = "Minimum score (default: the model family's).")
    private Float confidence;

    @Option(
            names = "--classes",
            split = ",",
            paramLabel = "LABEL[,LABEL...]",
            description = "Only these labels.")
    private List<String> classes;

    @Override
    public Integer call() throws Exception {
        byte[] bytes = read(image);
        ModelConfig config = models.config();
        try (ImageInference inference =
                ImageInference.of(List.of(config), WorkerSettings.DEFAULT_MAX_PIXELS)) {
            Map<String, Object> answer =
                    inference.infer(
                            config.id(),
                            bytes,
                            new ImageInference.Options(
                                    confidence,
                                    null,
                                    classes == null ? null : new HashSet<>(classes)));
            spec.commandLine()
                    .getOut()
                    .println(
                            new ObjectMapper()
                                    .writerWithDefaultPrettyPrinter()
                                    .writeValueAsString(answer));
        } catch (InferenceException e) {
            throw new UserException(
                    switch (e.reason()) {
                        case NOT_AN_IMAGE ->
                                "cannot read " + image + ": it is neither a JPEG nor a PNG";
                        case UNDECODABLE -> "cannot decode " + image + ": " + e.getMessage();
                        default -> e.getMessage();
                    },
                    1,
                    e);
        }
        return 0;
    }

    private static byte[] read(Path image) {
        try {
            byte[] bytes = Files.readAllBytes(image);
            if (bytes.length == 0) {
                throw new UserException("cannot read " + image + ": the file is empty");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new UserException("cannot read " + image + ": no such file", 1, e);
        } catch (IOException e) {
            throw new UserException("cannot read " + image + ": " + e.getMessage(), 1, e);
        }
    }
}
