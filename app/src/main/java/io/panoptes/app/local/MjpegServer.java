package io.panoptes.app.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The annotated frames as MJPEG over HTTP ({@code multipart/x-mixed-replace}), for a browser or
 * ffplay: each client gets the latest frame as it is published; a slow client skips frames rather
 * than holding anything back. At most 8 clients. Owns a socket and threads: close it.
 */
public final class MjpegServer implements AutoCloseable {

    private static final String BOUNDARY = "panoptes-frame";
    private static final int MAX_CLIENTS = 8;

    private final HttpServer server;
    private final ExecutorService clients = Executors.newFixedThreadPool(MAX_CLIENTS, r -> {
        Thread t = new Thread(r, "mjpeg-client");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger connected = new AtomicInteger();
    private final Object lock = new Object();
    private byte[] latest;
    private long version;
    private volatile boolean open = true;

    public MjpegServer(InetSocketAddress address) {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve MJPEG on " + address + ": " + e.getMessage(), e);
        }
        server.setExecutor(clients);
        server.createContext("/", this::serve);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Publishes a JPEG to every client. */
    public void publish(byte[] jpeg) {
        synchronized (lock) {
            latest = jpeg;
            version++;
            lock.notifyAll();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        if (connected.incrementAndGet() > MAX_CLIENTS - 1) {
            connected.decrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
            return;
        }
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            long seen = -1;
            while (open) {
                byte[] frame;
                synchronized (lock) {
                    while (open && version == seen) {
                        lock.wait(1000);
                    }
                    frame = latest;
                    seen = version;
                }
                if (frame == null) {
                    continue;
                }
                out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + frame.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(frame);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connected.decrementAndGet();
        }
    }

    @Override
    public void close() {
        open = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        server.stop(0);
        clients.shutdownNow();
    }
}
