package io.panoptes.ingest.source;

import io.panoptes.pipeline.source.SourceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The still images of a folder, in name order, as frames. An image that cannot be decoded (or is
 * above the pixel cap) is skipped with one log line naming it and the cause; the rest are read.
 */
public final class ImageFolderSource implements FrameSource {

    private static final Logger log = LoggerFactory.getLogger(ImageFolderSource.class);

    private final Path folder;
    private final DecoderSettings settings;
    private final Deque<Path> remaining = new ArrayDeque<>();
    private FfmpegSource current;
    private long skipped;

    public ImageFolderSource(Path folder, DecoderSettings settings) {
        this.folder = folder;
        this.settings = settings;
    }

    @Override
    public void open() {
        if (!Files.isDirectory(folder)) {
            throw new SourceException("no such folder: " + folder, false, null);
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(Files::isRegularFile)
                    .filter(SourceType::isImage)
                    .sorted()
                    .forEach(remaining::add);
        } catch (IOException e) {
            throw new SourceException("cannot list " + folder + ": " + e, false, e);
        }
        if (remaining.isEmpty()) {
            throw new SourceException(
                    "no images (jpg, png, bmp, webp, tiff, ppm) in " + folder, false, null);
        }
    }

    @Override
    public CapturedFrame next() {
        closeCurrent();
        while (!remaining.isEmpty()) {
            Path image = remaining.poll();
            FfmpegSource source =
                    new FfmpegSource(image.toString(), SourceType.IMAGE, Map.of(), settings);
            try {
                source.open();
                CapturedFrame frame = source.next();
                if (frame != null) {
                    current = source;
                    return frame;
                }
                source.close();
                skip(image, "no picture in it");
            } catch (SourceException e) {
                source.close();
                skip(image, e.getMessage());
            }
        }
        return null;
    }

    private void skip(Path image, String reason) {
        skipped++;
        log.warn("skipping image {}: {}", image, reason);
    }

    /** Images skipped so far because they could not be decoded. */
    public long skipped() {
        return skipped;
    }

    @Override
    public double frameRate() {
        return 0;
    }

    @Override
    public long declaredFrames() {
        return 0;
    }

    @Override
    public void close() {
        closeCurrent();
        remaining.clear();
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
