package io.panoptes.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a Confluent-compatible schema registry over REST.
 *
 * @param url base URL, {@code http} or {@code https} (HTTPS uses the JDK's default trust store)
 * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, if the registry
 *     asks for it
 * @param connectTimeout time to open a connection
 * @param requestTimeout time for one request to answer
 * @param maxAttempts attempts per request when the registry is unreachable or answers 5xx/429
 * @param initialBackoff wait after the first failed attempt; doubles per attempt, with jitter
 */
public record RegistryClientConfig(
        URI url,
        Optional<String> basicAuthUserInfo,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        Duration initialBackoff) {

    public RegistryClientConfig {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "schema registry url must be http:// or https://, got '" + url + "'");
        }
        basicAuthUserInfo = basicAuthUserInfo == null ? Optional.empty() : basicAuthUserInfo;
        basicAuthUserInfo.ifPresent(
                info -> {
                    if (!info.contains(":")) {
                        throw new IllegalArgumentException(
                                "basic auth user info must be 'user:password'");
                    }
                });
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(initialBackoff, "initialBackoff");
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException(
                    "maxAttempts must be in [1, 20], got " + maxAttempts);
        }
    }

    /** Defaults: 5 s connect and request timeouts, 3 attempts, 200 ms initial backoff. */
    public static RegistryClientConfig of(String url) {
        return builder(url).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** Builder with the defaults of {@link #of(String)}. */
    public static final class Builder {
        private final String url;
        private String basicAuthUserInfo;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofMillis(200);

        private Builder(String url) {
            this.url = url;
        }

        public Builder basicAuth(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        public Builder initialBackoff(Duration backoff) {
            this.initialBackoff = backoff;
            return this;
        }

        public RegistryClientConfig build() {
            URI uri;
            try {
                uri = URI.create(Objects.requireNonNull(url, "url").replaceAll("/+$", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "schema registry url '" + url + "' is not a URL: " + e.getMessage(), e);
            }
            return new RegistryClientConfig(
                    uri,
                    Optional.ofNullable(basicAuthUserInfo),
                    connectTimeout,
                    requestTimeout,
                    maxAttempts,
                    initialBackoff);
        }
    }
}
