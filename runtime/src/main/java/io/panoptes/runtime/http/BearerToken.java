package io.panoptes.runtime.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The check every server with a token makes: the token presented equals the expected one, compared
 * in constant time; otherwise 401 with a {@code WWW-Authenticate} challenge saying what is wrong.
 */
public final class BearerToken {

    private BearerToken() {}

    /**
     * The token of an {@code Authorization: Bearer <token>} header; null for none or another
     * scheme.
     */
    public static String fromHeader(String authorization) {
        if (authorization == null) {
            return null;
        }
        String trimmed = authorization.trim();
        return trimmed.regionMatches(true, 0, "Bearer ", 0, 7) ? trimmed.substring(7).trim() : "";
    }

    /**
     * @param presented the token the request carries; null when it carries none
     * @param howToSend what a request without one should send, for the message
     * @throws HttpProblem 401 when {@code presented} is not {@code expected}
     */
    public static void require(String expected, String presented, String howToSend) {
        if (presented == null
                || !MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8),
                        presented.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpProblem(
                            401,
                            "Authorization",
                            presented == null
                                    ? "missing " + howToSend
                                    : "the bearer token is not valid")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"panoptes\"");
        }
    }
}
