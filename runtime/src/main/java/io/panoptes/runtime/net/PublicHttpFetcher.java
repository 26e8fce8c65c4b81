package io.panoptes.runtime.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * GETs what a user's URL points at (an image to infer on) without letting the URL reach the machine
 * or its network: every host name, the first and each redirect's, is resolved once by a resolver of
 * ours that refuses loopback, link-local, private, any-local and multicast addresses ({@link
 * PrivateAddresses}), and the connection goes to the very addresses it checked, so a DNS answer
 * that changes between the check and the connection (rebinding) cannot slip through. Bodies are
 * capped as they arrive. Jetty's client does the HTTP; owns it: close it.
 */
public final class PublicHttpFetcher implements AutoCloseable {

    /** What a fetch could not do, said so a user can act on it (no stack trace). */
    public static final class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }

    private static final int MAX_REDIRECTS = 5;

    private final HttpClient client = new HttpClient();
    private final Duration timeout;

    /** A fetcher refusing private addresses, giving each fetch {@code timeout} in all. */
    public PublicHttpFetcher(Duration timeout) {
        this(timeout, PrivateAddresses::isPrivate);
    }

    /** As above, refusing the addresses {@code refused} accepts (tests refuse some loopbacks). */
    PublicHttpFetcher(Duration timeout, Predicate<InetAddress> refused) {
        this.timeout = timeout;
        client.setFollowRedirects(true);
        client.setMaxRedirects(MAX_REDIRECTS);
        client.setConnectTimeout(Math.min(timeout.toMillis(), 10_000));
        client.setSocketAddressResolver(new Guard(refused));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client: " + e, e);
        }
    }

    /**
     * The body at {@code url}, at most {@code maxBytes}.
     *
     * @throws FetchException naming the URL and the cause: not http(s), a refused or unknown host
     *     (on any hop), no answer in time, a status other than 200, a body above the cap
     */
    public byte[] fetch(URI url, int maxBytes) throws FetchException, InterruptedException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new FetchException(url + " is not an http(s) URL with a host");
        }
        Request request = client.newRequest(url).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        ContentResponse response;
        try {
            response =
                    new CompletableResponseListener(request, maxBytes)
                            .send()
                            .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new FetchException(
                    "cannot fetch " + url + ": " + describe(e.getCause(), maxBytes));
        } catch (TimeoutException e) {
            request.abort(e);
            throw new FetchException(
                    "cannot fetch " + url + ": no answer within " + timeout.toSeconds() + " s");
        }
        if (response.getStatus() != 200) {
            throw new FetchException(url + " answered HTTP " + response.getStatus());
        }
        return response.getContent();
    }

    private static String describe(Throwable cause, int maxBytes) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        // Jetty's words for a body above the listener's cap
        return message.contains("Buffering capacity")
                ? "the body is larger than " + maxBytes + " bytes"
                : message;
    }

    /** Resolves once, refuses private answers, hands Jetty exactly what it checked. */
    private record Guard(Predicate<InetAddress> refused) implements SocketAddressResolver {

        @Override
        public void resolve(
                String host,
                int port,
                Map<String, Object> context,
                Promise<List<InetSocketAddress>> promise) {
            try {
                List<InetSocketAddress> addresses = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (refused.test(address)) {
                        promise.failed(
                                new UnknownHostException(
                                        host
                                                + " resolves to the local or private address "
                                                + address.getHostAddress()
                                                + ", which image URLs may not reach"));
                        return;
                    }
                    addresses.add(new InetSocketAddress(address, port));
                }
                promise.succeeded(addresses);
            } catch (UnknownHostException e) {
                promise.failed(new UnknownHostException("unknown host " + host));
            }
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // nothing more to free
        }
    }
}
