package io.panoptes.worker.model;

import io.panoptes.worker.internal.model.ModelFetcher;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where models given by URL are cached, the largest file accepted, and whether URLs may reach
 * loopback, link-local or private addresses.
 */
public record ModelCache(Path dir, long maxBytes, boolean allowPrivateNetworks) {

    public ModelCache {
        java.util.Objects.requireNonNull(dir, "dir");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("model size cap must be >= 1 byte, got " + maxBytes);
        }
    }

    /**
     * {@code ~/.cache/panoptes/models} (or under $PANOPTES_CACHE_DIR), 2 GiB per model, public
     * addresses only.
     */
    public static ModelCache defaults() {
        String base = System.getenv("PANOPTES_CACHE_DIR");
        Path root =
                base != null && !base.isBlank()
                        ? Path.of(base)
                        : Path.of(System.getProperty("user.home"), ".cache", "panoptes");
        return new ModelCache(root.resolve("models"), 2L << 30, false);
    }

    /** Where a download is (or will be) cached; no network, no client. */
    public Path cachePath(ModelDownload download) {
        return ModelFetcher.cachePath(dir, download);
    }

    public ModelFetcher fetcher() {
        return new ModelFetcher(dir, maxBytes, allowPrivateNetworks, Duration.ofSeconds(30));
    }
}
