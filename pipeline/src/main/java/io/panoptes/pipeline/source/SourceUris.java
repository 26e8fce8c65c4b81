package io.panoptes.pipeline.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What may be shown of a source URI, and the stream id a source gets when none is given. Camera
 * URLs carry credentials ({@code rtsp://user:password@cam/...}, {@code ?user=...&pwd=...}); they
 * must never reach a log line, an error, a record key or a metric tag, so both are made here only.
 */
public final class SourceUris {

    /**
     * Query parameters that carry credentials (by the start or the whole of their lowercase name).
     */
    private static final Set<String> SECRET_PARAMETERS =
            Set.of(
                    "user",
                    "username",
                    "login",
                    "pass",
                    "password",
                    "passwd",
                    "pwd",
                    "token",
                    "access_token",
                    "auth",
                    "authorization",
                    "key",
                    "apikey",
                    "api_key",
                    "secret",
                    "sig",
                    "signature",
                    "credential",
                    "credentials",
                    "session");

    private static final Pattern URL =
            Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#]*)([^?#]*)(\\?[^#]*)?(#.*)?$");

    private SourceUris() {}

    /**
     * {@code uri} with the user info of a URL replaced by {@code ***} and credential query values
     * by {@code ***}.
     */
    public static String redact(String uri) {
        Matcher url = URL.matcher(uri);
        if (!url.matches()) {
            return uri;
        }
        String authority = url.group(2);
        int at = authority.lastIndexOf('@');
        String host = at < 0 ? authority : "***@" + authority.substring(at + 1);
        String query =
                url.group(4) == null ? "" : "?" + String.join("&", parameters(url.group(4), true));
        return url.group(1)
                + host
                + url.group(3)
                + query
                + (url.group(5) == null ? "" : url.group(5));
    }

    /**
     * The stream id of a source given without one: a network source's host, port, path and query
     * without its scheme and credentials; a file's name without its extension; a folder's name.
     */
    public static String defaultStreamId(String uri) {
        SourceType type = SourceType.of(uri);
        if (type.isNetwork()) {
            Matcher url = URL.matcher(uri);
            if (!url.matches()) {
                return uri.replaceFirst("^[a-zA-Z]+://", "");
            }
            String authority = url.group(2);
            List<String> kept = url.group(4) == null ? List.of() : parameters(url.group(4), false);
            return authority.substring(authority.lastIndexOf('@') + 1)
                    + url.group(3)
                    + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        }
        String name = SourceType.localPath(uri).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && type != SourceType.IMAGE_FOLDER ? name.substring(0, dot) : name;
    }

    /** The query's parameters, each secret one with its value masked ({@code mask}) or left out. */
    private static List<String> parameters(String query, boolean mask) {
        List<String> parameters = new ArrayList<>();
        for (String parameter : query.substring(1).split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            if (!isSecret(name)) {
                parameters.add(parameter);
            } else if (mask) {
                parameters.add(name + "=***");
            }
        }
        return parameters;
    }

    private static boolean isSecret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_PARAMETERS.contains(lower)
                || SECRET_PARAMETERS.stream().anyMatch(s -> s.length() > 3 && lower.contains(s));
    }
}
