package io.panoptes.app.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The demos' videos, Megamind.avi and vtest.avi from Debian's opencv-doc package: taken from the
 * user cache when there (sha256-checked), else fetched by the repository's {@code
 * scripts/test-videos.sh} (which copies them from the shared test data or downloads the package,
 * once, with progress lines).
 */
public final class SampleVideo {

    public static final String MEGAMIND = "Megamind.avi";
    public static final String VTEST = "vtest.avi";
    // the same sums as scripts/test-videos.sh
    private static final Map<String, String> SHA256 =
            Map.of(
                    MEGAMIND, "0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5",
                    VTEST, "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf");

    private SampleVideo() {}

    /**
     * The cache folder the script also uses: $PANOPTES_CACHE_DIR/videos, else $XDG_CACHE_HOME or
     * ~/.cache, /panoptes/videos.
     */
    public static Path cacheDir() {
        String base = System.getenv("PANOPTES_CACHE_DIR");
        if (base == null) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            base =
                    (xdg != null
                                    ? Path.of(xdg)
                                    : Path.of(System.getProperty("user.home"), ".cache"))
                            .resolve("panoptes")
                            .toString();
        }
        return Path.of(base, "videos");
    }

    /** The default demo's video, Megamind.avi. */
    public static Path get() {
        return get(MEGAMIND);
    }

    /**
     * The video {@code name} (one of {@link #MEGAMIND}, {@link #VTEST}), fetched first when needed.
     *
     * @throws IllegalStateException saying how to get it when it is neither cached nor fetchable
     */
    public static Path get(String name) {
        Path file = cacheDir().resolve(name);
        if (valid(file, SHA256.get(name))) {
            return file;
        }
        Path script = repositoryScript();
        if (script == null) {
            throw new IllegalStateException(
                    "the demo video "
                            + file
                            + " is missing and this install has no scripts/test-videos.sh"
                            + " to fetch it: run the demo from the repository (./panoptes local), or give --source <video>");
        }
        System.err.println(
                "panoptes local: fetching the demo video (Debian's opencv-doc package, about 96 MB, once) ...");
        try {
            Process fetch =
                    new ProcessBuilder("bash", script.toString())
                            .redirectErrorStream(false)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            if (fetch.waitFor() != 0) {
                throw new IllegalStateException(
                        "scripts/test-videos.sh could not fetch the demo video (see its messages above)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the demo video", e);
        }
        if (!valid(file, SHA256.get(name))) {
            throw new IllegalStateException(
                    "scripts/test-videos.sh ran but " + file + " is missing or corrupt");
        }
        return file;
    }

    /** The script next to the jar's repository ($PANOPTES_HOME, set by ./panoptes), if any. */
    private static Path repositoryScript() {
        String home = System.getenv("PANOPTES_HOME");
        if (home == null) {
            return null;
        }
        Path script = Path.of(home, "scripts", "test-videos.sh");
        return Files.isRegularFile(script) ? script : null;
    }

    private static boolean valid(Path file, String sha256) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return sha256.equals(
                    HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()));
        } catch (IOException | NoSuchAlgorithmException e) {
            return false;
        }
    }
}
