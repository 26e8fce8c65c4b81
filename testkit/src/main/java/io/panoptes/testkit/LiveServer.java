package io.panoptes.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A live video server on loopback for tests, run as a child process (recipes from the shared
 * LIVE-SOURCES notes): HTTP multipart MJPEG and RTMP from the {@code ffmpeg} CLI (each serves one
 * client, then exits), RTSP from a GStreamer server under {@code /usr/bin/python3}. Tests are
 * skipped, saying what to install, where the tools are missing. Close kills it.
 */
public final class LiveServer implements AutoCloseable {

    private final List<String> command;
    private final int port;
    private final String url;
    private Process process;

    private LiveServer(List<String> command, int port, String url) {
        this.command = command;
        this.port = port;
        this.url = url;
    }

    /**
     * {@code http://127.0.0.1:PORT/cam}: {@code video} looped forever at its native rate as
     * multipart MJPEG.
     */
    public static LiveServer mjpeg(Path video, int port) {
        requireFfmpeg();
        String url = "http://127.0.0.1:" + port + "/cam";
        return new LiveServer(
                List.of(
                        "ffmpeg",
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-re",
                        "-stream_loop",
                        "-1",
                        "-i",
                        video.toString(),
                        "-an",
                        "-f",
                        "mpjpeg",
                        "-q:v",
                        "5",
                        "-listen",
                        "1",
                        url),
                port,
                url);
    }

    /**
     * {@code https://127.0.0.1:PORT/cam}: like {@link #mjpeg} over TLS, with a throwaway
     * self-signed certificate made by the {@code openssl} CLI in {@code dir}.
     */
    public static LiveServer mjpegHttps(Path video, int port, Path dir) {
        requireFfmpeg();
        SystemTools.require(
                run(
                        List.of(
                                "openssl",
                                "req",
                                "-x509",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-days",
                                "1",
                                "-subj",
                                "/CN=127.0.0.1",
                                "-keyout",
                                dir.resolve("key.pem").toString(),
                                "-out",
                                dir.resolve("cert.pem").toString())),
                "the openssl CLI: apt-get install openssl");
        String url = "https://127.0.0.1:" + port + "/cam";
        return new LiveServer(
                List.of(
                        "ffmpeg",
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-re",
                        "-stream_loop",
                        "-1",
                        "-i",
                        video.toString(),
                        "-an",
                        "-f",
                        "mpjpeg",
                        "-q:v",
                        "5",
                        "-listen",
                        "1",
                        "-cert_file",
                        dir.resolve("cert.pem").toString(),
                        "-key_file",
                        dir.resolve("key.pem").toString(),
                        url),
                port,
                url);
    }

    /**
     * {@code rtmp://127.0.0.1:PORT/live/cam}: {@code video} looped forever as FLV over RTMP (ffmpeg
     * listening).
     */
    public static LiveServer rtmp(Path video, int port) {
        requireFfmpeg();
        String url = "rtmp://127.0.0.1:" + port + "/live/cam";
        return new LiveServer(
                List.of(
                        "ffmpeg",
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-re",
                        "-stream_loop",
                        "-1",
                        "-i",
                        video.toString(),
                        "-an",
                        "-c:v",
                        "flv",
                        "-q:v",
                        "5",
                        "-g",
                        "10",
                        "-f",
                        "flv",
                        "-listen",
                        "1",
                        url),
                port,
                url);
    }

    /** {@code rtsp://127.0.0.1:PORT/test}: an endless H.264 test pattern, 640x480 at 25 fps. */
    public static LiveServer rtspTestPattern(int port) {
        SystemTools.require(
                python(
                        "import gi; gi.require_version('GstRtspServer', '1.0');"
                                + " from gi.repository import GstRtspServer"),
                "/usr/bin/python3 with GStreamer's RTSP server: apt-get install python3-gi"
                        + " gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good"
                        + " gstreamer1.0-plugins-ugly gstreamer1.0-libav");
        Path script = extract("live/rtsp_server.py");
        return new LiveServer(
                List.of("/usr/bin/python3", script.toString(), String.valueOf(port), "test"),
                port,
                "rtsp://127.0.0.1:" + port + "/test");
    }

    public String url() {
        return url;
    }

    public int port() {
        return port;
    }

    /** Starts (or restarts) the server and waits until its port accepts connections. */
    public LiveServer start() {
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        if (!url.startsWith("rtmp") && !url.startsWith("http")) {
            awaitPort(Duration.ofSeconds(15));
        } else {
            pause(
                    Duration.ofMillis(
                            700)); // ffmpeg -listen serves one client: probing the port would use
            // it up
        }
        return this;
    }

    /** SIGSTOP: the server hangs without closing its sockets, like a stalled camera. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGKILL: the server dies; its sockets close. */
    public void kill() {
        if (process != null) {
            signal("CONT");
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("try") // connecting is the whole test
    private void awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                pause(Duration.ofMillis(100));
            }
        }
        throw new IllegalStateException(
                command.get(0) + " did not listen on port " + port + " within " + timeout);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void requireFfmpeg() {
        SystemTools.require(
                run(List.of("ffmpeg", "-version")), "the ffmpeg CLI: apt-get install ffmpeg");
    }

    private static boolean python(String code) {
        return run(List.of("/usr/bin/python3", "-c", code));
    }

    private static boolean run(List<String> command) {
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path extract(String resource) {
        try (InputStream in = LiveServer.class.getClassLoader().getResourceAsStream(resource)) {
            Path file = Files.createTempFile("panoptes-", "-" + Path.of(resource).getFileName());
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
    }
}
