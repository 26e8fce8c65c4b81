package io.panoptes.app.bench;

import io.panoptes.app.local.OutputVideo;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.internal.encode.EncodedImage;
import io.panoptes.ingest.internal.encode.FrameEncoder;
import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.internal.model.ModelCatalog;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.model.BundledModels;
import io.panoptes.worker.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@code panoptes local} end to end (embedded broker, ingest, worker, aggregator, output video)
 * against a plain loop doing the same non-Kafka work on one thread — decode, JPEG encode, JPEG
 * decode, BlazeFace, blur, output encode — on vtest.avi looped 4 times (3,180 frames, 318 s of
 * video), in one run; {@code panoptes local} runs as its own process with the JVM's defaults, as
 * users run it. Targets: ≥ 0.8×; p95 frame→result ≤ 150 ms when paced at the video's rate (Megamind
 * looped 3 times, 24 fps); peak RSS ≤ 1.5 GiB.
 *
 * <p>Run: {@code scripts/benchmark.sh local}.
 */
public final class LocalBenchmark {

    private static final Pattern SUMMARY =
            Pattern.compile(
                    "summary: (\\d+) frames in, (\\d+) results out .* ([0-9.]+) s, ([0-9.]+) fps");
    private static final Pattern LATENCY =
            Pattern.compile("frame->result p50 (\\d+) ms, p95 (\\d+) ms");
    private static final Pattern MEMORY = Pattern.compile("peak RSS (\\d+) MiB");

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("local-bench");
        Path input =
                dir.resolve(
                        "vtest-x4.avi"); // 3,180 frames, 318 s of video: warm-up is a small part of
        // the run
        ffmpeg(
                "-v",
                "error",
                "-stream_loop",
                "3",
                "-i",
                TestVideos.vtest().toString(),
                "-c",
                "copy",
                input.toString());

        // as a user runs it: its own process, the JVM's defaults
        String fast =
                process(
                        dir,
                        "local",
                        "--source",
                        input.toString(),
                        "--output",
                        dir.resolve("local.mp4").toString());
        Matcher summary = SUMMARY.matcher(fast);
        Matcher memory = MEMORY.matcher(fast);
        if (!summary.find() || !memory.find()) {
            throw new IllegalStateException("no summary in:\n" + fast);
        }
        long frames = Long.parseLong(summary.group(2));
        double localFps = Double.parseDouble(summary.group(4));
        long rss = Long.parseLong(memory.group(1));

        Path megamind =
                dir.resolve(
                        "megamind-x3.avi"); // 810 frames, 34 s at 24 fps: the JIT's first seconds
        // weigh little
        ffmpeg(
                "-v",
                "error",
                "-stream_loop",
                "2",
                "-i",
                TestVideos.megamind().toString(),
                "-an",
                "-c",
                "copy",
                megamind.toString());
        String paced =
                process(dir, "local", "--source", megamind.toString(), "--realtime", "--no-output");
        Matcher latency = LATENCY.matcher(paced);
        if (!latency.find()) {
            throw new IllegalStateException("no latency in:\n" + paced);
        }
        long p95 = Long.parseLong(latency.group(2));

        plainLoop(input, dir.resolve("warm-up.mp4"), 200);
        double plainFps = plainLoop(input, dir.resolve("plain.mp4"), Integer.MAX_VALUE);
        double ratio = localFps / plainFps;
        boolean pass = ratio >= 0.8 && p95 <= 150 && rss <= 1536;
        System.out.printf(
                Locale.ROOT,
                "local %.1f fps vs plain loop %.1f fps over %d frames: %.2fx (target >= 0.8)%n",
                localFps,
                plainFps,
                frames,
                ratio);
        System.out.printf(
                Locale.ROOT,
                "paced at 24 fps: frame->result p50 %s ms, p95 %d ms (target <= 150)%n",
                latency.group(1),
                p95);
        System.out.printf(
                Locale.ROOT,
                "peak RSS of the local process %d MiB (target <= 1536); %s%n",
                rss,
                pass ? "PASS" : "FAIL");
        System.out.println(BenchmarkMachine.line());
        System.exit(pass ? 0 : 1);
    }

    /** {@code panoptes ARGS} in a process of its own, as the launcher starts it; its output. */
    private static String process(Path dir, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find()
                                        .resolve("app/target/panoptes.jar")
                                        .toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("local.log");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process process = builder.start();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)
                || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "panoptes " + String.join(" ", args) + " failed:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    private static void ffmpeg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-y"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg " + String.join(" ", args) + " failed");
        }
    }

    /**
     * The same work on one thread, without Kafka: frames per second over at most {@code limit}
     * frames.
     */
    private static double plainLoop(Path video, Path output, int limit) throws Exception {
        ModelConfig face = BundledModels.FACE.config();
        try (ModelCatalog catalog = new ModelCatalog(Map.of(face.id(), face), 1, 1);
                ModelRunner runner =
                        new ModelRunner(
                                catalog.environment(), catalog.acquireWaiting(face.id()).model());
                FrameEncoder encoder = new FrameEncoder(EncodingSettings.defaults());
                FrameImageDecoder decoder = new FrameImageDecoder(Long.MAX_VALUE, null);
                Mat decoded = new Mat();
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.start();
            FFmpegFrameRecorder recorder =
                    new FFmpegFrameRecorder(
                            output.toFile(), grabber.getImageWidth(), grabber.getImageHeight());
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setFrameRate(grabber.getFrameRate());
            recorder.setVideoBitrate(4_000_000);
            recorder.start();
            long start = System.nanoTime();
            int frames = 0;
            org.bytedeco.javacv.Frame grabbed;
            while (frames < limit && (grabbed = grabber.grabImage()) != null) {
                Mat bgr = converter.convert(grabbed);
                EncodedImage jpeg = encoder.encode(bgr);
                Instant now = Instant.now();
                decoder.decode(
                        Frame.newBuilder()
                                .setStreamId("plain")
                                .setSeq(frames)
                                .setCaptureTime(now)
                                .setIngestTime(now)
                                .setEncoding(FrameEncoding.JPEG)
                                .setPayload(ByteBuffer.wrap(jpeg.bytes()))
                                .build(),
                        decoded);
                OutputVideo.draw(
                        decoded, runner.detect(decoded).detections(), OutputVideo.Style.BLUR);
                recorder.record(converter.convert(decoded));
                frames++;
            }
            double fps = frames / ((System.nanoTime() - start) / 1e9);
            recorder.stop();
            recorder.release();
            grabber.stop();
            return fps;
        }
    }
}
