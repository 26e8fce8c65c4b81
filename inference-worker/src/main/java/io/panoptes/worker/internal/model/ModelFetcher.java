package io.panoptes.worker.internal.model;

import io.panoptes.runtime.net.PrivateAddresses;
import io.panoptes.worker.model.ModelDownload;
import io.panoptes.worker.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads model files once into an on-disk cache, named by their pinned sha256, and serves them
 * from there afterwards without any network. A download goes to a temporary file, is checked
 * against the sha256 and the size cap as it streams, and is renamed into place only when whole and
 * right, so a partial or wrong file is never used. URLs that resolve to loopback, link-local,
 * private or other local addresses are refused unless allowed (a model URL must not become a way
 * into the worker's network). Thread-safe.
 */
public final class ModelFetcher {

    private static final Logger log = LoggerFactory.getLogger(ModelFetcher.class);

    private final Path cacheDir;
    private final long maxBytes;
    private final boolean allowPrivateNetworks;
    private final HttpClient http;

    public ModelFetcher(
            Path cacheDir, long maxBytes, boolean allowPrivateNetworks, Duration timeout) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("model size cap must be >= 1 byte, got " + maxBytes);
        }
        this.cacheDir = cacheDir;
        this.maxBytes = maxBytes;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /** The cache file for a download (it may not exist yet). */
    public Path cachePath(ModelDownload download) {
        return cachePath(cacheDir, download);
    }

    /** The file a download is cached as in {@code cacheDir}: named by its sha256. */
    public static Path cachePath(Path cacheDir, ModelDownload download) {
        return cacheDir.resolve("sha256-" + download.sha256() + ".onnx");
    }

    /**
     * The local file of {@code download}: the cached copy when there is a right one, else
     * downloaded now.
     *
     * @throws ModelLoadException naming the model and URL: refused address, unreachable with
     *     nothing cached, partial download, size above the cap, checksum mismatch
     */
    public synchronized Path fetch(String modelId, ModelDownload download) {
        Path cached = cachePath(download);
        String what = "model " + modelId + " (" + download.url() + ")";
        if (Files.isRegularFile(cached) && download.sha256().equals(sha256(cached, what))) {
            return cached;
        }
        refusePrivate(what, download.url());
        try {
            Files.createDirectories(cacheDir);
            Path temp = Files.createTempFile(cacheDir, ".download-", ".part");
            try {
                download(what, download, temp);
                Files.move(
                        temp,
                        cached,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new ModelLoadException(
                    what
                            + ": cannot download into "
                            + cacheDir
                            + " ("
                            + e
                            + "), and there is no"
                            + " cached copy "
                            + cached.getFileName(),
                    e);
        }
        log.info("{}: downloaded and verified, cached as {}", what, cached);
        return cached;
    }

    private void download(String what, ModelDownload download, Path temp) throws IOException {
        HttpResponse<InputStream> response;
        try {
            response =
                    http.send(
                            HttpRequest.newBuilder(download.url())
                                    .timeout(Duration.ofMinutes(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ModelLoadException(
                        what + ": the server answered HTTP " + response.statusCode(), null);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw new ModelLoadException(
                        what + ": " + declared + " bytes, above the model size cap of " + maxBytes,
                        null);
            }
            MessageDigest digest = sha256();
            long received = copy(what, in, temp, digest);
            if (declared >= 0 && received != declared) {
                throw new ModelLoadException(
                        what + ": partial download, " + received + " of " + declared + " bytes",
                        null);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(download.sha256())) {
                throw new ModelLoadException(
                        what
                                + ": checksum mismatch: expected sha256 "
                                + download.sha256()
                                + ", downloaded "
                                + actual,
                        null);
            }
        }
    }

    private long copy(String what, InputStream in, Path temp, MessageDigest digest)
            throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            int n;
            while ((n = readOrPartial(what, in, buffer, received)) > 0) {
                received += n;
                if (received > maxBytes) {
                    throw new ModelLoadException(
                            what + ": more than the model size cap of " + maxBytes + " bytes",
                            null);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return received;
    }

    private static int readOrPartial(String what, InputStream in, byte[] buffer, long received) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new ModelLoadException(
                    what
                            + ": partial download, the connection ended after "
                            + received
                            + " bytes ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    private void refusePrivate(String what, URI url) {
        if (allowPrivateNetworks) {
            return;
        }
        try {
            Optional<InetAddress> local = PrivateAddresses.firstPrivate(url.getHost());
            if (local.isPresent()) {
                throw new ModelLoadException(
                        what
                                + ": "
                                + url.getHost()
                                + " resolves to the local or private address "
                                + local.get().getHostAddress()
                                + ", which model URLs may not reach unless allowed"
                                + " (--allow-private-model-urls)",
                        null);
            }
        } catch (UnknownHostException e) {
            throw new ModelLoadException(
                    what + ": unknown host " + url.getHost() + ", and there is no cached copy", e);
        }
    }

    /**
     * Checks that the local file of model {@code modelId} has the pinned {@code sha256}.
     *
     * @throws ModelLoadException naming the model, the file and both checksums
     */
    public static void verify(String modelId, Path file, String sha256) {
        String what = "model " + modelId + " (" + file + ")";
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(what + ": no such file", null);
        }
        String actual = sha256(file, what);
        if (!actual.equals(sha256)) {
            throw new ModelLoadException(
                    what
                            + ": checksum mismatch: expected sha256 "
                            + sha256
                            + ", the file has "
                            + actual,
                    null);
        }
    }

    private static String sha256(Path file, String what) {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelLoadException(what + ": cannot read " + file + ": " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
