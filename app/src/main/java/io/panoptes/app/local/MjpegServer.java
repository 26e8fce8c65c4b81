package io.panoptes.app.local;

import io.javalin.http.Context;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.http.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/**
 * The annotated frames as MJPEG over HTTP ({@code multipart/x-mixed-replace}), for a browser or
 * ffplay: each client gets the latest frame as it is published; a slow client skips frames rather
 * than holding anything back. At most 8 clients; more get 503. Owns a socket and threads: close it.
 */
public final class MjpegServer implements AutoCloseable {

    private static final String BOUNDARY = "panoptes-frame";
    private static final int MAX_CLIENTS = 8;

    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private final Object lock = new Object();
    private final HttpServer server;
    private byte[] latest;
    private long version;
    private volatile boolean open = true;

    /**
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     */
    public MjpegServer(InetSocketAddress address) {
        server =
                HttpServer.builder("MJPEG")
                        .address(address)
                        .threads(MAX_CLIENTS + 4)
                        .routes(routes -> routes.get("/", this::serve))
                        .start();
    }

    public int port() {
        return server.port();
    }

    /** Publishes a JPEG to every client. */
    public void publish(byte[] jpeg) {
        synchronized (lock) {
            latest = jpeg;
            version++;
            lock.notifyAll();
        }
    }

    private void serve(Context ctx) throws InterruptedException {
        if (!clients.tryAcquire()) {
            throw new HttpProblem(503, null, "already " + MAX_CLIENTS + " viewers: retry later")
                    .withHeader("Retry-After", "5");
        }
        try {
            ctx.res().setStatus(200);
            ctx.res().setContentType("multipart/x-mixed-replace; boundary=" + BOUNDARY);
            ctx.res().setHeader("Cache-Control", "no-cache");
            stream(ctx.res().getOutputStream());
        } catch (IOException e) {
            // the client went away
        } finally {
            clients.release();
        }
    }

    private void stream(OutputStream out) throws IOException, InterruptedException {
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
            out.write(
                    ("--"
                                    + BOUNDARY
                                    + "\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                    + frame.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.write(frame);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    @Override
    public void close() {
        open = false;
        synchronized (lock) {
            lock.notifyAll();
        }
        server.close();
    }
}
