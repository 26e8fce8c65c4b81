package io.panoptes.app.cli;

/** A failure the user can act on: printed as one line, with an exit code, without a stack trace. */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code when Kafka or another service could not be reached. */
    public static final int UNREACHABLE = 3;

    private final int exitCode;

    public UserException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public UserException(String message) {
        this(message, 1, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
