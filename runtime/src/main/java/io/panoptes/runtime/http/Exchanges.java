package io.panoptes.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the handlers of every server do alike: read a bounded body, answer JSON and problems. */
public final class Exchanges {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DRAIN_CHUNK = 64 * 1024;

    private Exchanges() {}

    /** Answers {@code body} as JSON with {@code status}. */
    public static void json(Context ctx, int status, Object body) {
        json(ctx, status, "application/json", body);
    }

    /** Answers {@code body} as JSON with {@code status}, under a JSON media type of its own. */
    public static void json(Context ctx, int status, String contentType, Object body) {
        try {
            ctx.status(status).contentType(contentType).result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot write the answer as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The error body of {@code problem}: {@code {"error": ..., "field": ...}}. */
    static Map<String, Object> errorBody(String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    /**
     * The request body, at most {@code maxBytes}. A larger one is refused with 413 naming {@code
     * field}, after reading (a bounded amount of) what the client still sends, so that it hears the
     * answer; the connection is then closed.
     *
     * @throws HttpProblem 413 when too large, 400 when it cannot be read
     */
    public static byte[] body(Context ctx, int maxBytes, String field) {
        long declared = ctx.contentLength();
        try (InputStream in = ctx.bodyInputStream()) {
            if (declared > maxBytes) {
                throw tooLarge(
                        ctx,
                        in,
                        maxBytes,
                        field,
                        "the body of "
                                + declared
                                + " bytes is above the limit of "
                                + maxBytes
                                + " bytes");
            }
            if (declared >= 0) {
                return declaredLength(
                        in,
                        (int) declared,
                        field); // one buffer of the right size, filled in large reads
            }
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(
                        ctx,
                        in,
                        maxBytes,
                        field,
                        "the body is above the limit of " + maxBytes + " bytes");
            }
            return body;
        } catch (IOException | UncheckedIOException e) {
            throw new HttpProblem(400, field, "cannot read the body: " + e.getMessage());
        }
    }

    private static byte[] declaredLength(InputStream in, int length, String field)
            throws IOException {
        byte[] body = new byte[length];
        int read = in.readNBytes(body, 0, length);
        if (read < length) {
            throw new HttpProblem(
                    400,
                    field,
                    "the body ended after " + read + " of the " + length + " bytes it declared");
        }
        return body;
    }

    private static HttpProblem tooLarge(
            Context ctx, InputStream in, int maxBytes, String field, String reason)
            throws IOException {
        long drained = 0;
        byte[] sink = new byte[DRAIN_CHUNK];
        for (int n; drained < 4L * maxBytes && (n = in.read(sink)) > 0; ) {
            drained += n;
        }
        ctx.header("Connection", "close");
        return new HttpProblem(413, field, reason);
    }
}
