package io.panoptes.actions;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A webhook receiver on loopback that keeps every request and answers as told (by request number,
 * from 1).
 */
final class Receiver implements AutoCloseable {

    record Request(String id, String timestamp, String signature, byte[] body, int status) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final AtomicInteger count = new AtomicInteger();
    volatile IntUnaryOperator status = n -> 200;
    volatile long delayMillis;

    Receiver(int port) throws IOException {
        server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext(
                "/hook",
                exchange -> {
                    try (exchange) {
                        byte[] body = exchange.getRequestBody().readAllBytes();
                        int answer = status.applyAsInt(count.incrementAndGet());
                        requests.add(
                                new Request(
                                        exchange.getRequestHeaders().getFirst("webhook-id"),
                                        exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                                        exchange.getRequestHeaders().getFirst("webhook-signature"),
                                        body,
                                        answer));
                        if (delayMillis > 0) {
                            Thread.sleep(delayMillis);
                        }
                        exchange.sendResponseHeaders(answer, -1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.start();
    }

    Receiver() throws IOException {
        this(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** Ids of requests it acknowledged (2xx). */
    List<String> acknowledged() {
        return requests.stream().filter(r -> r.status() / 100 == 2).map(Request::id).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
