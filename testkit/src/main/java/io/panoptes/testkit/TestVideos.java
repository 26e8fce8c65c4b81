package io.panoptes.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The sample videos, which are not committed: {@code scripts/test-videos.sh} copies them from the
 * shared test data next to the repository or fetches them from Debian, checks their sha256 and
 * caches them. The script runs once per JVM.
 */
public final class TestVideos {

    /**
     * 720x528, 23.976 fps, 270 frames, MPEG-4 Part 2 with an AC-3 audio stream; frame 0 is black.
     */
    public static final String MEGAMIND = "Megamind.avi";

    /** 768x576, 10 fps, 795 frames, MS MPEG-4 v3, no audio: a street scene. */
    public static final String VTEST = "vtest.avi";

    private static Path cacheDir;

    private TestVideos() {}

    public static Path megamind() {
        return video(MEGAMIND);
    }

    public static Path vtest() {
        return video(VTEST);
    }

    public static synchronized Path video(String name) {
        if (cacheDir == null) {
            cacheDir = runScript();
        }
        Path file = cacheDir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(
                    "scripts/test-videos.sh did not provide " + name + " in " + cacheDir);
        }
        return file;
    }

    private static Path runScript() {
        Path script = RepositoryRoot.find().resolve("scripts/test-videos.sh");
        try {
            Process process =
                    new ProcessBuilder("bash", script.toString())
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            String out =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                            .trim();
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        script
                                + " failed (see its message above); the sample videos"
                                + " come from ../shared/testdata or Debian's opencv-doc package");
            }
            return Path.of(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }
}
