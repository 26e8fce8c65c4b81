package io.panoptes.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.schemas.ContractClasses;
import io.panoptes.worker.http.InferenceHttpServer;
import io.panoptes.worker.image.FrameDecodeException;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelRunner;
import io.panoptes.worker.model.OnnxModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
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

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A JPEG or PNG file.")
    private Path image;

    @Mixin
    private ModelOptions models;

    @Option(names = "--confidence", paramLabel = "0-1", description = "Minimum score (default: the model family's).")
    private Float confidence;

    @Option(names = "--classes", split = ",", paramLabel = "LABEL[,LABEL...]", description = "Only these labels.")
    private List<String> classes;

    @Override
    public Integer call() throws Exception {
        ContractClasses.trust();
        byte[] bytes = read(image);
        FrameEncoding encoding = encoding(image, bytes);
        ModelConfig config = models.config();
        try (ModelCatalog catalog = new ModelCatalog(Map.of(config.id(), config), 1, 1);
                FrameImageDecoder decoder = new FrameImageDecoder(7680L * 4320L, null); Mat decoded = new Mat()) {
            OnnxModel loaded;
            try {
                loaded = catalog.get(config.id());
            } catch (ModelLoadException e) {
                throw new UserException(e.getMessage(), 1, e);
            }
            Instant now = Instant.now();
            try {
                decoder.decode(Frame.newBuilder().setStreamId(image.toString()).setSeq(0).setCaptureTime(now).setIngestTime(now)
                        .setEncoding(encoding).setPayload(ByteBuffer.wrap(bytes)).build(), decoded);
            } catch (FrameDecodeException e) {
                throw new UserException("cannot decode " + image + ": " + e.getMessage(), 1, e);
            }
            try (ModelRunner runner = new ModelRunner(catalog.environment(), loaded)) {
                ModelRunner.Inference inference = runner.detect(decoded, confidence != null ? confidence : loaded.config().confidence(),
                        loaded.config().iou());
                spec.commandLine().getOut().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                        InferenceHttpServer.answer(loaded, decoded, inference, classes == null ? null : new HashSet<>(classes))));
            }
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
        } catch (IOException e) {
            throw new UserException("cannot read " + image + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file" : e.getMessage()), 1, e);
        }
    }

    private static FrameEncoding encoding(Path image, byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
            return FrameEncoding.JPEG;
        }
        if (bytes.length >= 4 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
            return FrameEncoding.PNG;
        }
        throw new UserException("cannot read " + image + ": it is neither a JPEG nor a PNG");
    }

}
