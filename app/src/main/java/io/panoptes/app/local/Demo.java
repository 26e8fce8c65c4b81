package io.panoptes.app.local;

import io.panoptes.worker.model.BundledModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code panoptes local --demo NAME} runs when the user does not say otherwise: a sample
 * video, a bundled model, how detections are drawn, and for {@code people} a zone, a counting line
 * and rules. Coordinates are the video's pixels (vtest.avi is 768x576).
 */
public enum Demo {
    /** Faces in Megamind.avi, blurred (BlazeFace). */
    FACES(SampleVideo.MEGAMIND, BundledModels.FACE, true, List.of(), List.of(), null, List.of()),
    /**
     * People on the footpath of vtest.avi (10 fps, so the COCO detector's ~25 fps on 2 cores keeps
     * up with it in real time): a line by the lamp post (crossing it eastwards is "in") and the
     * path east of it as a zone; persons are counted and tracked.
     */
    PEOPLE(
            SampleVideo.VTEST,
            BundledModels.COCO,
            false,
            List.of("east-path=448,150,768,80,768,420,448,360"),
            List.of("crossing=320,400,320,170"),
            "/demo/people-rules.yaml",
            List.of("person"));

    private final String video;
    private final BundledModels model;
    private final boolean blur;
    private final List<String> zones;
    private final List<String> lines;
    private final String rules;
    private final List<String> summaryLabels;

    Demo(
            String video,
            BundledModels model,
            boolean blur,
            List<String> zones,
            List<String> lines,
            String rules,
            List<String> summaryLabels) {
        this.video = video;
        this.model = model;
        this.blur = blur;
        this.zones = zones;
        this.lines = lines;
        this.rules = rules;
        this.summaryLabels = summaryLabels;
    }

    /**
     * The demo of this name.
     *
     * @throws IllegalArgumentException listing the demos
     */
    public static Demo parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--demo must be one of "
                            + Arrays.stream(values())
                                    .map(d -> d.name().toLowerCase(Locale.ROOT))
                                    .toList()
                            + ", got '"
                            + name
                            + "'");
        }
    }

    /** The sample video, fetched first when needed. */
    public Path video() {
        return SampleVideo.get(video);
    }

    public BundledModels model() {
        return model;
    }

    /** Whether detections are blurred rather than boxed. */
    public boolean blur() {
        return blur;
    }

    /** Its zones as {@code --zone} takes them, for {@code stream}. */
    public List<String> zones(String stream) {
        return zones.stream().map(z -> stream + ":" + z).toList();
    }

    /** Its lines as {@code --line} takes them, for {@code stream}. */
    public List<String> lines(String stream) {
        return lines.stream().map(l -> stream + ":" + l).toList();
    }

    /** Its rule file, written into {@code dir}, if it has rules. */
    public Optional<Path> rules(Path dir) {
        if (rules == null) {
            return Optional.empty();
        }
        try (InputStream in = Demo.class.getResourceAsStream(rules)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + rules);
            }
            Path file = dir.resolve(Path.of(rules).getFileName().toString());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's rules into " + dir, e);
        }
    }

    /** The labels whose counts the summary prints; empty for all. */
    public List<String> summaryLabels() {
        return summaryLabels;
    }
}
