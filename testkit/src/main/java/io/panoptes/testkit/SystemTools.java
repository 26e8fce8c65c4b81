package io.panoptes.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a program of the system (ffmpeg, /usr/bin/python3 with Debian's packages,
 * GStreamer, docker-compose): skipped with a message saying what to install on a machine without
 * it, but failed when {@code CI=true}, so that an install that failed in CI cannot pass silently.
 */
public final class SystemTools {

    private SystemTools() {}

    /**
     * Skips the test (or fails it in CI) unless {@code available}.
     *
     * @param what what is missing and how to install it, e.g. {@code "the ffmpeg CLI: apt-get
     *     install ffmpeg"}
     */
    public static void require(boolean available, String what) {
        if (!available && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(
                    "CI=true and this test needs " + what + " (.ci/run installs it)");
        }
        Assumptions.assumeTrue(available, "this test needs " + what);
    }

    /** {@link #require} for an executable file. */
    public static void requireExecutable(Path program, String what) {
        require(Files.isExecutable(program), what);
    }
}
