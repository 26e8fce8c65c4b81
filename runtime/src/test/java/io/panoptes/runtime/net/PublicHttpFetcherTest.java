package io.panoptes.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real sockets on loopback; the refused addresses are chosen so both sides of the guard run. */
class PublicHttpFetcherTest {

    private static final byte[] BODY = "an image".getBytes();

    private HttpServer server;
    private String base;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/image", exchange -> answer(exchange, 200, BODY));
        server.createContext("/large", exchange -> answer(exchange, 200, new byte[4096]));
        server.createContext("/missing", exchange -> answer(exchange, 404, new byte[0]));
        server.createContext(
                "/to-private",
                exchange -> {
                    exchange.getResponseHeaders()
                            .add(
                                    "Location",
                                    "http://127.0.0.2:" + server.getAddress().getPort() + "/image");
                    answer(exchange, 302, new byte[0]);
                });
        server.createContext(
                "/slow",
                exchange -> {
                    try {
                        Thread.sleep(3_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    answer(exchange, 200, BODY);
                });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldRefusePrivateAddressesBeforeConnecting() {
        try (PublicHttpFetcher fetcher = new PublicHttpFetcher(Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/image"), 1024))
                    .isInstanceOf(PublicHttpFetcher.FetchException.class)
                    .hasMessageContaining("resolves to the local or private address 127.0.0.1");
            assertThatThrownBy(() -> fetcher.fetch(URI.create("http://169.254.169.254/"), 1024))
                    .hasMessageContaining("169.254.169.254");
            assertThatThrownBy(() -> fetcher.fetch(URI.create("file:///etc/passwd"), 1024))
                    .hasMessageContaining("is not an http(s) URL");
            assertThatThrownBy(() -> fetcher.fetch(URI.create("http://no-such-host.invalid/"), 1))
                    .hasMessageContaining("unknown host no-such-host.invalid");
        }
    }

    @Test
    void shouldCheckEveryRedirectAndCapTheBody() throws Exception {
        try (PublicHttpFetcher fetcher =
                new PublicHttpFetcher(Duration.ofSeconds(2), PublicHttpFetcherTest::only127002)) {
            assertThat(fetcher.fetch(URI.create(base + "/image"), 1024)).isEqualTo(BODY);
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/to-private"), 1024))
                    .hasMessageContaining("127.0.0.2")
                    .hasMessageContaining("which image URLs may not reach");
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/large"), 1024))
                    .hasMessageContaining("the body is larger than 1024 bytes");
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/missing"), 1024))
                    .hasMessageContaining("answered HTTP 404");
            assertThatThrownBy(() -> fetcher.fetch(URI.create(base + "/slow"), 1024))
                    .hasMessageContaining("cannot fetch")
                    .hasMessageContaining(base + "/slow");
        }
    }

    private static boolean only127002(InetAddress address) {
        return address.getHostAddress().equals("127.0.0.2");
    }

    private static void answer(
            com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
            throws java.io.IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
