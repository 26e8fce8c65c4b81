package io.panoptes.runtime.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request a server refuses: the HTTP status to answer, the request field at fault (or null) and
 * headers to send with it. Every server of the HTTP layer answers it with the one error body,
 * {@code {"error": message, "field": field}} ({@code field} only when known). Cheap to throw: no
 * stack trace is taken.
 */
public final class HttpProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public HttpProblem(int status, String field, String message) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException(
                    "a problem's status must be in [400, 599], got " + status);
        }
        this.status = status;
        this.field = field;
    }

    /** 400 naming the field, with a message that starts with it. */
    public static HttpProblem badRequest(String field, String message) {
        return new HttpProblem(400, field, field + ": " + message);
    }

    /** The same problem with one more header to answer with (e.g. {@code Retry-After}). */
    public HttpProblem withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }
}
