package io.panoptes.ingest.source;

/**
 * Decoded frames from one source, read by one thread. {@link #open()} and {@link #next()} block for
 * at most the configured network timeouts. Close releases the decoder's native memory.
 */
public interface FrameSource extends AutoCloseable {

    /** Connects or opens the file. @throws SourceException naming the source and the cause */
    void open();

    /**
     * The next frame, or null when a finite source has ended or a live one was lost (then the
     * caller closes this source and opens a new one).
     *
     * @throws SourceException when the data cannot be decoded
     */
    CapturedFrame next();

    /** Frames per second the source declares; 0 when unknown. */
    double frameRate();

    /** How many frames the container declares (an estimate for some formats); 0 when unknown. */
    long declaredFrames();

    /** How long the container says it lasts, in microseconds; 0 when unknown. */
    default long durationMicros() {
        return 0;
    }

    @Override
    void close();
}
