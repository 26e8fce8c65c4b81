package io.panoptes.schemas.claimcheck;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * Keeps payloads as files under a root folder shared by producers and consumers (a local disk in
 * the embedded mode, a shared volume in a cluster): {@code <root>/<stream>/<epoch>/<seq>.<ext>},
 * written to a temporary name and renamed, so a reader never sees half a file. Reading is limited
 * to files under the root and to {@code maxBytes}.
 */
public final class FilesystemPayloadStore implements PayloadStore {

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

    private final Path root;
    private final long maxBytes;

    public FilesystemPayloadStore(Path root, long maxBytes) {
        this.root = root.toAbsolutePath().normalize();
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public Path root() {
        return root;
    }

    @Override
    public URI put(String streamId, long epoch, long seq, String extension, byte[] payload) {
        Path dir =
                root.resolve(UNSAFE.matcher(streamId).replaceAll("_"))
                        .resolve(Long.toString(epoch));
        Path file = dir.resolve(seq + "." + UNSAFE.matcher(extension).replaceAll(""));
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + seq + "-", ".tmp");
            Files.write(temp, payload);
            Files.move(
                    temp,
                    file,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return file.toUri();
        } catch (IOException e) {
            throw new ClaimCheckException(
                    "cannot store the payload of "
                            + streamId
                            + " epoch "
                            + epoch
                            + " seq "
                            + seq
                            + " ("
                            + payload.length
                            + " bytes) under "
                            + root
                            + ": "
                            + e,
                    e);
        }
    }

    @Override
    public byte[] get(URI reference) {
        if (!"file".equals(reference.getScheme())) {
            throw new ClaimCheckException("claim check " + reference + " is not a file: URI", null);
        }
        Path file = Path.of(reference).toAbsolutePath().normalize();
        if (!file.startsWith(root)) {
            throw new ClaimCheckException(
                    "claim check " + reference + " is outside the payload store " + root, null);
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ClaimCheckException(
                        "claim check "
                                + reference
                                + " holds "
                                + size
                                + " bytes, more than the limit of "
                                + maxBytes,
                        null);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ClaimCheckException("cannot read claim check " + reference + ": " + e, e);
        }
    }
}
