package io.panoptes.app.local;

import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What `panoptes local` brings along: the BlazeFace model, copied out of the jar once (ONNX Runtime
 * loads files).
 */
public final class Bundled {

    private static final String BLAZEFACE = "/models/blazeface/face_detection_front_128x128.onnx";

    private Bundled() {}

    /** BlazeFace as model {@code face}, extracted into {@code cacheDir} when not there yet. */
    public static ModelConfig blazeFace(Path cacheDir) {
        Path file = cacheDir.resolve("blazeface-face_detection_front_128x128.onnx");
        try (InputStream in = Bundled.class.getResourceAsStream(BLAZEFACE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + BLAZEFACE);
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
                Files.createDirectories(cacheDir);
                Path tmp = Files.createTempFile(cacheDir, "blazeface", ".tmp");
                Files.write(tmp, bytes);
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot extract the bundled BlazeFace model into "
                            + cacheDir
                            + ": "
                            + e.getMessage(),
                    e);
        }
        return ModelConfig.of("face", file, ModelFamily.BLAZEFACE);
    }
}
