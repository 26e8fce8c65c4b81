package io.panoptes.pipeline.source;

import io.panoptes.runtime.net.PrivateAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which sources a pipeline may name, since anyone who can create pipelines makes this process open
 * them: local files only under configured folders (so a spec cannot read {@code /etc} or another
 * tenant's recordings), and network sources on loopback, link-local or private addresses only when
 * allowed (so a URL cannot probe the cluster's network).
 *
 * @param fileRoots folders whose files and subfolders may be read; empty forbids local files
 * @param allowPrivateNetworks whether network sources may resolve to non-public addresses
 */
public record SourcePolicy(List<Path> fileRoots, boolean allowPrivateNetworks) {

    public SourcePolicy {
        fileRoots = fileRoots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    }

    /** Anything goes: for sources a user names on the command line of their own process. */
    public static SourcePolicy unrestricted() {
        return new SourcePolicy(List.of(Path.of("/")), true);
    }

    /**
     * Checks {@code uri}.
     *
     * @throws IllegalArgumentException naming the source and why it is refused
     */
    public void check(String uri) {
        SourceType type;
        try {
            type = SourceType.of(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "source "
                            + SourceUris.redact(uri)
                            + " is not a valid path or URL: "
                            + e.getMessage(),
                    e);
        }
        if (type.isNetwork()) {
            checkHost(uri);
        } else if (type != SourceType.DEVICE) {
            checkLocal(SourceType.localPath(uri));
        } else if (fileRoots.stream().noneMatch(root -> Path.of("/dev").startsWith(root))) {
            throw new IllegalArgumentException(
                    "source "
                            + uri
                            + " is a camera device, and /dev is not among the allowed source folders "
                            + fileRoots);
        }
    }

    private void checkLocal(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path real = absolute;
        try {
            if (Files.exists(absolute)) {
                real = absolute.toRealPath(); // a link inside a root may point outside it
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "source " + path + " cannot be resolved: " + e.getMessage(), e);
        }
        Path resolved = real;
        if (fileRoots.stream().noneMatch(resolved::startsWith)) {
            throw new IllegalArgumentException(
                    "source "
                            + path
                            + " is outside the allowed source folders "
                            + (fileRoots.isEmpty()
                                    ? "(none are configured: local files are not allowed)"
                                    : fileRoots.toString()));
        }
    }

    private void checkHost(String uri) {
        String host;
        try {
            host = URI.create(uri).getHost();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "source " + SourceUris.redact(uri) + " is not a valid URL: " + e.getMessage(),
                    e);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("source " + SourceUris.redact(uri) + " has no host");
        }
        if (allowPrivateNetworks) {
            return;
        }
        Optional<InetAddress> local;
        try {
            local = PrivateAddresses.firstPrivate(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "source " + SourceUris.redact(uri) + ": host " + host + " does not resolve", e);
        }
        local.ifPresent(
                address -> {
                    throw new IllegalArgumentException(
                            "source "
                                    + SourceUris.redact(uri)
                                    + " resolves to the non-public address "
                                    + address.getHostAddress()
                                    + ", and private networks are not allowed for sources");
                });
    }
}
