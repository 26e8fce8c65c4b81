package io.panoptes.pipeline.source;

import io.panoptes.avro.SourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** What a source URI points at, which decides how it is opened and whether it ends. */
public enum SourceType {
    /** A video file: anything FFmpeg reads. */
    FILE(SourceKind.FILE),
    /** One still image. */
    IMAGE(SourceKind.FILE),
    /** A folder of still images, published in name order. */
    IMAGE_FOLDER(SourceKind.FILE),
    /** {@code rtsp://} or {@code rtsps://}. */
    RTSP(SourceKind.LIVE),
    /** {@code rtmp://} or {@code rtmps://}. */
    RTMP(SourceKind.LIVE),
    /** {@code http(s)://}: MJPEG, HLS playlists, progressive video. */
    HTTP(SourceKind.LIVE),
    /** A V4L2 camera such as {@code /dev/video0}. */
    DEVICE(SourceKind.LIVE);

    private static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "ppm", "pgm");

    private final SourceKind defaultKind;

    SourceType(SourceKind defaultKind) {
        this.defaultKind = defaultKind;
    }

    public SourceKind defaultKind() {
        return defaultKind;
    }

    public boolean isNetwork() {
        return this == RTSP || this == RTMP || this == HTTP;
    }

    /** Classifies {@code uri}: a URL by its scheme, a path by what is on disk and its extension. */
    public static SourceType of(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("rtsp://") || lower.startsWith("rtsps://")) {
            return RTSP;
        }
        if (lower.startsWith("rtmp://") || lower.startsWith("rtmps://")) {
            return RTMP;
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return HTTP;
        }
        if (lower.startsWith("/dev/video") || lower.startsWith("v4l2:")) {
            return DEVICE;
        }
        Path path = localPath(uri);
        if (Files.isDirectory(path)) {
            return IMAGE_FOLDER;
        }
        return isImage(path) ? IMAGE : FILE;
    }

    /** The local path of a {@code file:} URI or a plain path. */
    public static Path localPath(String uri) {
        return uri.startsWith("file:") ? Path.of(java.net.URI.create(uri)) : Path.of(uri);
    }

    public static boolean isImage(Path path) {
        String name =
                path.getFileName() == null
                        ? ""
                        : path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1));
    }
}
