package io.panoptes.actions;

import io.panoptes.avro.Event;
import io.panoptes.runtime.net.PrivateAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs each event as JSON to a URL, signed the Standard Webhooks way: {@code webhook-id} (the
 * event id, for receivers to drop duplicates), {@code webhook-timestamp} (seconds) and {@code
 * webhook-signature} ({@code v1,} + base64 HMAC-SHA256 of {@code id.timestamp.body} with the
 * secret; a {@code whsec_} secret is base64, anything else is used as its UTF-8 bytes). The
 * destination is checked when the sink is made: http(s) only, its host in the allow-list when one
 * is given, and no loopback, link-local or private address unless allowed.
 */
public final class WebhookSink implements Sink {

    private final URI url;
    private final byte[] key;

    /** How long one delivery may take unless told otherwise. */
    public static final String DEFAULT_TIMEOUT = "10s";

    private final Duration timeout;
    private final HttpClient http;
    private final Clock clock;

    /**
     * @param allowedHosts hosts the URL may name; empty for any public host
     * @throws IllegalArgumentException naming the URL and why it is refused
     */
    public WebhookSink(
            URI url,
            String secret,
            Duration timeout,
            Set<String> allowedHosts,
            boolean allowPrivate,
            Clock clock) {
        this.url = check(url, allowedHosts, allowPrivate);
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("webhook " + url + ": a signing secret is required");
        }
        this.key =
                secret.startsWith("whsec_")
                        ? decode(url, secret.substring(6))
                        : secret.getBytes(StandardCharsets.UTF_8);
        this.timeout = timeout;
        this.clock = clock;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    private static byte[] decode(URI url, String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "webhook " + url + ": a whsec_ secret must be base64 after the prefix");
        }
    }

    private static URI check(URI url, Set<String> allowedHosts, boolean allowPrivate) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException(
                    "webhook " + url + ": only http(s) URLs with a host are allowed");
        }
        if (!allowedHosts.isEmpty()
                && !allowedHosts.contains(url.getHost().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "webhook "
                            + url
                            + ": host "
                            + url.getHost()
                            + " is not in the allow-list "
                            + allowedHosts);
        }
        if (!allowPrivate) {
            try {
                Optional<InetAddress> local = PrivateAddresses.firstPrivate(url.getHost());
                if (local.isPresent()) {
                    throw new IllegalArgumentException(
                            "webhook "
                                    + url
                                    + ": "
                                    + url.getHost()
                                    + " resolves to the local or private"
                                    + " address "
                                    + local.get().getHostAddress()
                                    + ", which webhooks may not reach unless allowed"
                                    + " (--allow-private-webhooks)");
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(
                        "webhook " + url + ": unknown host " + url.getHost(), e);
            }
        }
        return url;
    }

    @Override
    public String name() {
        return url.toString();
    }

    @Override
    public Delivery deliver(Event event, byte[] json) {
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        HttpRequest request =
                HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "panoptes-actions")
                        .header("webhook-id", event.getEventId())
                        .header("webhook-timestamp", timestamp)
                        .header(
                                "webhook-signature",
                                "v1," + signature(event.getEventId(), timestamp, json))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                        .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                return Delivery.delivered(String.valueOf(status));
            }
            if (status == 410) {
                return new Delivery(Delivery.Outcome.GONE, "410 Gone");
            }
            if (status == 408 || status == 429 || status >= 500) {
                return Delivery.retryable("HTTP " + status);
            }
            return new Delivery(Delivery.Outcome.REJECTED, "HTTP " + status);
        } catch (IOException e) {
            return Delivery.retryable(
                    e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.retryable("interrupted");
        }
    }

    /** Base64 HMAC-SHA256 of {@code id.timestamp.body}, as Standard Webhooks signs. */
    String signature(String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
