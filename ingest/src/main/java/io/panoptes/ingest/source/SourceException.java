package io.panoptes.ingest.source;

/**
 * A source cannot be opened or read. The message names the source and the cause. {@link
 * #retriable()} says whether trying again may help (a refused connection, a timeout) or not (a
 * missing file, data that is not video, dimensions above the pixel cap).
 */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retriable;

    public SourceException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
