package io.panoptes.worker.model;

/**
 * A model cannot be loaded or does not fit its family; the message names the model, the file and
 * the shapes.
 */
public class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
