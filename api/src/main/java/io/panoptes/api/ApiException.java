package io.panoptes.api;

/**
 * A request the API refuses, with the HTTP status to answer and, for a bad request, the field at
 * fault; the client gets {@code {"error": message, "field": field}}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String field;

    public ApiException(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, field, field + ": " + message);
    }

    public static ApiException notFound(String pipelineId) {
        return new ApiException(404, null, "no pipeline " + pipelineId);
    }

    public int status() {
        return status;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
