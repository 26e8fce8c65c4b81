package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.app.cli.CommandRun;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.TestVideos;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code panoptes local} as a user runs it: the jar in a process of its own. */
@Timeout(300)
class LocalCommandIT {

    private final CommandRun command = new CommandRun();

    @Test
    void shouldRunTheDemoToTheEndWithAnOutputVideoOfEveryFrame(@TempDir Path dir) throws Exception {
        TestVideos.megamind(); // the demo takes its video from the same cache

        Process local = local(dir, List.of());

        assertThat(local.waitFor(240, TimeUnit.SECONDS)).as("the demo ends").isTrue();
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(local.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("bootstrap.servers=127.0.0.1:")
                .contains("schema.registry.url=http://")
                .contains("summary: 270 frames in, 270 results out (0 skipped, 0 failed)")
                .contains("output: panoptes-local.mp4, 270 frames")
                .containsPattern("window .* face: \\d+ unique");
        assertThat(frames(dir.resolve("panoptes-local.mp4"))).isEqualTo(270);
    }

    @Test
    void shouldServeMjpegAndStopCleanlyOnSigtermMidRun(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process local =
                local(
                        dir,
                        List.of(
                                "--source",
                                TestVideos.megamind().toString(),
                                "--realtime",
                                "--no-output",
                                "--mjpeg-port",
                                String.valueOf(port),
                                "--api-port",
                                "0"));
        await().atMost(Duration.ofSeconds(120))
                .until(() -> Files.readString(dir.resolve("out.log")).contains("| results "));

        // the API of local: a second pipeline added with the CLI while the demo runs, and counts
        // through the API
        String api =
                java.util.regex.Pattern.compile("api=(\\S+)")
                        .matcher(Files.readString(dir.resolve("out.log")))
                        .results()
                        .findFirst()
                        .orElseThrow()
                        .group(1);
        assertThat(
                        command.run(
                                "pipelines",
                                "create",
                                "street",
                                "--api",
                                api,
                                "--source",
                                TestVideos.vtest().toString(),
                                "--max-fps",
                                "5"))
                .as(command.err())
                .isZero();
        assertThat(command.out()).contains("created pipeline street (version 1)");
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            command.clear();
                            return command.run("pipelines", "status", "street", "--api", api) == 0
                                    && command.out().contains("\"state\" : \"RUNNING\"");
                        });
        command.clear();
        assertThat(command.run("pipelines", "list", "--api", api)).isZero();
        assertThat(command.out()).containsPattern("street\\s+1\\s+RUNNING\\s+RUNNING");
        assertThat(command.run("pipelines", "pause", "street", "--api", api, "--if-version", "7"))
                .isEqualTo(1);
        assertThat(command.err())
                .contains("the API answered 409: pipeline street is at version 1, not 7");
        assertThat(command.run("pipelines", "status", "nowhere", "--api", api)).isEqualTo(1);
        java.net.http.HttpResponse<String> counts =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        api + "/v1/counts?stream=Megamind"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(counts.statusCode()).as(counts.body()).isEqualTo(200);
        assertThat(counts.body()).contains("\"stream\":\"Megamind\"", "answeredBy");

        java.net.HttpURLConnection mjpeg =
                (java.net.HttpURLConnection)
                        java.net
                                .URI
                                .create("http://127.0.0.1:" + port + "/")
                                .toURL()
                                .openConnection();
        mjpeg.setReadTimeout(10_000);
        assertThat(mjpeg.getContentType()).startsWith("multipart/x-mixed-replace; boundary=");
        byte[] start = mjpeg.getInputStream().readNBytes(4096);
        String head = new String(start, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(head).contains("Content-Type: image/jpeg");
        int body = head.indexOf("\r\n\r\n") + 4;
        assertThat(start[body] & 0xff).isEqualTo(0xff);
        assertThat(start[body + 1] & 0xff).isEqualTo(0xd8); // a JPEG starts
        mjpeg.disconnect();

        local.destroy(); // SIGTERM

        assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out.log")))
                .contains("panoptes local: stopped; committed results stay in the topics")
                .contains("worker stopped")
                .contains("aggregator stopped");
    }

    @Test
    void shouldKeepCameraCredentialsOutOfStreamIdsLogsAndMetrics(@TempDir Path dir)
            throws Exception {
        int camera =
                io.panoptes.testkit.LoopbackPorts
                        .closed(); // refused: the stream reconnects, as a camera that is down
        int metrics = io.panoptes.testkit.LoopbackPorts.closed();
        Process local =
                local(
                        dir,
                        List.of(
                                "--source",
                                "rtsp://camuser9:s3cret@127.0.0.1:" + camera + "/cam?token=t0ken",
                                "--no-output",
                                "--api-port",
                                "0",
                                "--metrics-port",
                                String.valueOf(metrics)));
        try {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> Files.readString(dir.resolve("out.log")).contains("RECONNECTING"));
            String scrape =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(
                                                            "http://127.0.0.1:"
                                                                    + metrics
                                                                    + "/metrics"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body();
            assertThat(scrape)
                    .contains("stream=\"127.0.0.1:" + camera + "/cam\"")
                    .doesNotContain("s3cret")
                    .doesNotContain("camuser9")
                    .doesNotContain("t0ken");
        } finally {
            local.destroy();
            assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(out)
                .contains(
                        "panoptes local: 127.0.0.1:"
                                + camera
                                + "/cam from rtsp://***@127.0.0.1:"
                                + camera
                                + "/cam?token=***")
                .doesNotContain("s3cret")
                .doesNotContain("camuser9")
                .doesNotContain("t0ken");
    }

    @Test
    void shouldExitNamingAnInputThatCannotBeOpened(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        Path garbage =
                Files.write(
                        dir.resolve("garbage.mp4"),
                        "this is not a video at all".repeat(100).getBytes());

        assertThat(command.run("local", "--source", dir.resolve("missing.mp4").toString()))
                .isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "panoptes local: cannot open "
                                + dir.resolve("missing.mp4")
                                + ": no such file or directory");
        assertThat(command.run("local", "--demo", "cars")).isEqualTo(1);
        assertThat(command.err())
                .contains("panoptes local: --demo must be one of [faces, people], got 'cars'");
        String video = TestVideos.megamind().toString();
        assertThat(command.run("local", "--source", video, "--max-fps", "0")).isEqualTo(1);
        assertThat(command.err())
                .contains("panoptes local: max fps of Megamind must be in (0, 1000], got 0.0");
        assertThat(command.run("local", "--source", empty.toString())).isEqualTo(1);
        assertThat(command.err()).contains("cannot open " + empty + ": the file is empty");
        assertThat(command.run("local", "--source", garbage.toString(), "--no-output"))
                .isEqualTo(1);
        assertThat(command.err())
                .contains("panoptes local: cannot ingest garbage:")
                .contains(garbage.toString());
    }

    /** {@code panoptes local args} from the jar in a JVM of its own, logging to dir/out.log. */
    static Process local(Path dir, List<String> args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find().resolve("app/target/panoptes.jar").toString(),
                                "local"));
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("out.log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        return builder.start();
    }

    /** Frames of a video, counted by the ffmpeg CLI's ffprobe. */
    private static int frames(Path video) throws Exception {
        Process probe =
                new ProcessBuilder(
                                "ffprobe",
                                "-v",
                                "error",
                                "-count_frames",
                                "-select_streams",
                                "v:0",
                                "-show_entries",
                                "stream=nb_read_frames",
                                "-of",
                                "csv=p=0",
                                video.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(probe.getInputStream().readAllBytes()).trim();
        assertThat(probe.waitFor()).as(out).isZero();
        return Integer.parseInt(out);
    }
}
