package io.panoptes.worker.model;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a model's file comes from when it is not local: an {@code http(s)} URL and the sha256 it
 * must have.
 */
public record ModelDownload(URI url, String sha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelDownload {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("model URL " + url + " must be http:// or https://");
        }
        sha256 = sha256 == null ? "" : sha256.trim().toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(
                    "model URL "
                            + url
                            + " needs a pinned sha256 (64 hex digits), got '"
                            + sha256
                            + "'");
        }
    }
}
