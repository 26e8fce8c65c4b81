package io.panoptes.app.bench;

import io.panoptes.app.cli.PanoptesCommand;
import io.panoptes.app.local.Bundled;
import io.panoptes.app.local.OutputVideo;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.ingest.encode.EncodedImage;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.encode.FrameEncoder;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine;

/**
 * {@code panoptes local} end to end (embedded broker, ingest, worker, aggregator, output video)
 * against a plain loop doing the same non-Kafka work on one thread — decode, JPEG encode, JPEG
 * decode, BlazeFace, blur, output encode — on vtest.avi (795 frames, 79.5 s of video), in one run.
 * Targets: ≥ 0.8×; p95 frame→result ≤ 150 ms when paced at the video's rate (Megamind, 24 fps);
 * peak RSS ≤ 1.5 GiB.
 *
 * <p>Run: {@code scripts/benchmark.sh local}.
 */
public final class LocalBenchmark {

    private static final Pattern SUMMARY = Pattern.compile("summary: (\\d+) frames in, (\\d+) results out .* ([0-9.]+) s, ([0-9.]+) fps");
    private static final Pattern LATENCY = Pattern.compile("frame->result p50 (\\d+) ms, p95 (\\d+) ms");

    public static void main(String[] args) throws Exception {
        Path vtest = TestVideos.vtest();
        Path dir = Files.createTempDirectory("local-bench");
        // the paced run first: it also warms the JVM up, as the plain loop's first 100 frames do for it
        String paced = run("local", "--source", TestVideos.megamind().toString(), "--realtime", "--no-output");
        Matcher latency = LATENCY.matcher(paced);
        if (!latency.find()) {
            throw new IllegalStateException("no latency in:\n" + paced);
        }
        long p95 = Long.parseLong(latency.group(2));

        String fast = run("local", "--source", vtest.toString(), "--output", dir.resolve("local.mp4").toString());
        Matcher summary = SUMMARY.matcher(fast);
        if (!summary.find()) {
            throw new IllegalStateException("no summary in:\n" + fast);
        }
        long frames = Long.parseLong(summary.group(2));
        double localFps = Double.parseDouble(summary.group(4));
        long rssAfterLocal = peakRssMiB();

        plainLoop(vtest, dir.resolve("warm-up.mp4"), 100);
        double plainFps = plainLoop(vtest, dir.resolve("plain.mp4"), Integer.MAX_VALUE);
        double ratio = localFps / plainFps;
        boolean pass = ratio >= 0.8 && p95 <= 150 && rssAfterLocal <= 1536;
        System.out.printf(Locale.ROOT, "local %.1f fps vs plain loop %.1f fps over %d frames: %.2fx (target >= 0.8)%n", localFps, plainFps,
                frames, ratio);
        System.out.printf(Locale.ROOT, "paced at 24 fps: frame->result p50 %s ms, p95 %d ms (target <= 150)%n", latency.group(1), p95);
        System.out.printf(Locale.ROOT, "peak RSS after the local run %d MiB (target <= 1536); %s%n", rssAfterLocal, pass ? "PASS" : "FAIL");
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.exit(pass ? 0 : 1);
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = PanoptesCommand.commandLine();
        command.setOut(new PrintWriter(out));
        int exit = command.execute(args);
        if (exit != 0) {
            throw new IllegalStateException("panoptes " + String.join(" ", args) + " exited " + exit + ":\n" + out);
        }
        return out.toString();
    }

    /** The same work on one thread, without Kafka: frames per second over at most {@code limit} frames. */
    private static double plainLoop(Path video, Path output, int limit) throws Exception {
        ModelConfig face = Bundled.blazeFace(Path.of(System.getProperty("user.home"), ".cache", "panoptes", "models"));
        try (ModelCatalog catalog = new ModelCatalog(Map.of(face.id(), face), 1, 1);
                ModelRunner runner = new ModelRunner(catalog.environment(), catalog.get(face.id()));
                FrameEncoder encoder = new FrameEncoder(EncodingSettings.defaults());
                FrameImageDecoder decoder = new FrameImageDecoder(Long.MAX_VALUE, null); Mat decoded = new Mat();
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.start();
            FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(output.toFile(), grabber.getImageWidth(), grabber.getImageHeight());
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
                decoder.decode(Frame.newBuilder().setStreamId("plain").setSeq(frames).setCaptureTime(now).setIngestTime(now)
                        .setEncoding(FrameEncoding.JPEG).setPayload(ByteBuffer.wrap(jpeg.bytes())).build(), decoded);
                OutputVideo.draw(decoded, runner.detect(decoded).detections(), OutputVideo.Style.BLUR);
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

    private static long peakRssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
