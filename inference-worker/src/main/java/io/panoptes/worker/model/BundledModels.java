package io.panoptes.worker.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The models in the jar, usable by name wherever a model is chosen ({@code panoptes local}, {@code
 * worker}, {@code infer}): {@code face} (MediaPipe BlazeFace) and {@code coco} (a
 * MobileNetV3-CenterNet COCO-80 detector; see NOTICE for its licence). ONNX Runtime loads files, so
 * a model is copied out of the jar into the model cache once.
 */
public enum BundledModels {
    FACE(
            "face",
            ModelFamily.BLAZEFACE,
            "/models/blazeface/face_detection_front_128x128.onnx",
            null),
    COCO(
            "coco",
            ModelFamily.CENTERNET,
            "/models/coco-centernet/centernet_coco_512.onnx",
            "/models/coco-centernet/labels.txt");

    private final String id;
    private final ModelFamily family;
    private final String resource;
    private final String labels;

    BundledModels(String id, ModelFamily family, String resource, String labels) {
        this.id = id;
        this.family = family;
        this.resource = resource;
        this.labels = labels;
    }

    public String id() {
        return id;
    }

    /** The bundled model of this name ({@code face}, {@code coco}), if there is one. */
    public static Optional<BundledModels> named(String name) {
        for (BundledModels model : values()) {
            if (model.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(model);
            }
        }
        return Optional.empty();
    }

    /** The names, for messages. */
    public static Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (BundledModels model : values()) {
            names.add(model.id);
        }
        return names;
    }

    /** This model under its own id, extracted into the default model cache when not there yet. */
    public ModelConfig config() {
        return config(ModelCache.defaults().dir());
    }

    /** This model under its own id, extracted into {@code cacheDir} when not there yet. */
    public ModelConfig config(Path cacheDir) {
        ModelConfig config = ModelConfig.of(id, extract(cacheDir), family);
        return labels == null ? config : config.withLabels(readLabels());
    }

    private Path extract(Path cacheDir) {
        Path file = cacheDir.resolve("bundled-" + id + "-" + Path.of(resource).getFileName());
        try (InputStream in = BundledModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource);
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
                Files.createDirectories(cacheDir);
                Path tmp = Files.createTempFile(cacheDir, id, ".tmp");
                Files.write(tmp, bytes);
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot extract the bundled model "
                            + id
                            + " into "
                            + cacheDir
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private List<String> readLabels() {
        try (InputStream in = BundledModels.class.getResourceAsStream(labels)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + labels);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + labels + ": " + e.getMessage(), e);
        }
    }
}
