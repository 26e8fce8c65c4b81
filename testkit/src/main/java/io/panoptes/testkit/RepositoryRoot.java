package io.panoptes.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root, for tests that run its scripts or launcher. */
public final class RepositoryRoot {

    private RepositoryRoot() {}

    /**
     * The folder named by the {@code panoptes.repo.root} system property (the build sets it), or
     * the nearest folder above the working directory that holds {@code scripts/test-videos.sh}.
     */
    public static Path find() {
        String configured = System.getProperty("panoptes.repo.root");
        if (configured != null && !configured.isBlank() && isRoot(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "cannot find the repository root above "
                        + Path.of("").toAbsolutePath()
                        + "; set -Dpanoptes.repo.root");
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("scripts/test-videos.sh"));
    }
}
