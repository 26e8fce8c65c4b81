package io.panoptes.ingest.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.StreamMetrics;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.source.DecoderSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.TestVideos;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Ingest throughput (decode + BGR + JPEG + produce to the embedded broker, acknowledged) against
 * the ffmpeg CLI doing decode + MJPEG encode to null on the same input with matching settings (one
 * thread for decoding and one for encoding; JPEG quality 85 ≈ ffmpeg {@code -q:v 5}), in one run,
 * alternating, over at least 30 s of work each. Target ≥ 1.0×. CPU: the ingest stream thread, the
 * producer's I/O thread, and the rest of the JVM (broker, GC, JIT) reported separately.
 *
 * <p>Run: {@code scripts/benchmark.sh ingest [seconds-of-work] [rounds]}.
 */
public final class IngestBenchmark {

    private static final double TARGET = 1.0;
    private static final int FFMPEG_QSCALE = 5;
    private static final int VTEST_FRAMES = 795;

    public static void main(String[] args) throws Exception {
        double workSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path video = TestVideos.vtest();
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder()
                        .brokerProperty(
                                "message.max.bytes",
                                String.valueOf(TopicSettings.DEFAULT_FRAMES_MAX_MESSAGE_BYTES))
                        .start()) {
            Topics topics = Topics.create("bench.", new InMemorySchemaRegistry());
            try (Admin admin =
                    Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                new TopicAdmin(admin, Duration.ofSeconds(30))
                        .ensure(
                                TopicSettings.builder()
                                        .prefix("bench.")
                                        .framesPartitions(1)
                                        .partitions(1)
                                        .controlPartitions(1)
                                        .framesRetention(Duration.ofMinutes(10))
                                        .build()
                                        .specs());
            }
            ingest(broker, topics, video, 1); // warm-up
            ffmpeg(video, 1);
            double ingestFps = 0;
            double ffmpegFps = 0;
            for (int round = 1; round <= rounds; round++) {
                // ingest loops the input until it has done workSeconds of work; ffmpeg then gets as
                // many loops
                Ingest ours = ingest(broker, topics, video, workSeconds);
                int loops = (int) (ours.frames / VTEST_FRAMES);
                Ffmpeg theirs = ffmpeg(video, loops);
                System.out.printf(
                        Locale.ROOT,
                        "round %d input: vtest.avi (768x576, %d frames) x %d loops = %d frames per side%n",
                        round,
                        VTEST_FRAMES,
                        loops,
                        ours.frames);
                System.out.printf(
                        Locale.ROOT,
                        "round %d: ingest %.1f fps (%.1f s), ffmpeg %.1f fps (%.1f s)%n",
                        round,
                        ours.fps(),
                        ours.wallSeconds,
                        theirs.fps(),
                        theirs.wallSeconds);
                System.out.printf(
                        Locale.ROOT,
                        "  ingest per frame: decode %.2f ms, scale+encode %.2f ms; CPU s: stream threads %.1f,"
                                + " producer I/O %.1f, rest of JVM (broker, GC, JIT) %.1f%n",
                        ours.decodeMs,
                        ours.encodeMs,
                        ours.streamCpu,
                        ours.producerCpu,
                        ours.otherCpu);
                System.out.printf(
                        Locale.ROOT,
                        "  ffmpeg CPU s: user %.1f, sys %.1f%n",
                        theirs.userSeconds,
                        theirs.sysSeconds);
                ingestFps += ours.fps() / rounds;
                ffmpegFps += theirs.fps() / rounds;
            }
            double ratio = ingestFps / ffmpegFps;
            System.out.printf(
                    Locale.ROOT,
                    "%ningest %.1f fps vs ffmpeg %.1f fps: %.2fx (target >= %.1f) %s%n",
                    ingestFps,
                    ffmpegFps,
                    ratio,
                    TARGET,
                    ratio >= TARGET ? "PASS" : "FAIL");
            System.out.println(BenchmarkMachine.line());
            System.exit(ratio >= TARGET ? 0 : 1);
        }
    }

    record Ingest(
            long frames,
            double wallSeconds,
            double decodeMs,
            double encodeMs,
            double streamCpu,
            double producerCpu,
            double otherCpu) {
        double fps() {
            return frames / wallSeconds;
        }
    }

    record Ffmpeg(long frames, double wallSeconds, double userSeconds, double sysSeconds) {
        double fps() {
            return frames / wallSeconds;
        }
    }

    private static Ingest ingest(
            EmbeddedKafkaBroker broker, Topics topics, Path video, double minSeconds)
            throws Exception {
        IngestSettings settings =
                IngestSettings.builder()
                        .decoder(
                                new DecoderSettings(
                                        1,
                                        Duration.ofSeconds(5),
                                        DecoderSettings.DEFAULT_MAX_PIXELS))
                        .encoding(EncodingSettings.defaults())
                        .fileLagBound(0)
                        .build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        long frames = 0;
        double decodeMs = 0;
        double encodeMs = 0;
        long streamCpu = 0;
        long producerCpu;
        try (IngestService service =
                RoleService.started(
                        new IngestService(
                                settings,
                                Map.of("bootstrap.servers", broker.bootstrapServers()),
                                topics,
                                meters))) {
            int loops = 0;
            do {
                service.add(
                        SourceSpec.builder(video.toString()).streamId("vtest-" + loops++).build());
                service.awaitEnded(Duration.ofMinutes(10));
            } while ((System.nanoTime() - start) / 1e9 < minSeconds);
            for (StreamMetrics m : service.streams().values()) {
                frames += m.acknowledged() - 1; // minus the end-of-stream record
                decodeMs += m.decodeMillisPerFrame() / loops;
                encodeMs += m.encodeMillisPerFrame() / loops;
                streamCpu += m.threadCpuNanos();
            }
            producerCpu = threadCpuNanos("kafka-producer-network-thread");
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double other = (processCpuNanos() - cpuBefore - streamCpu - producerCpu) / 1e9;
        return new Ingest(
                frames, wall, decodeMs, encodeMs, streamCpu / 1e9, producerCpu / 1e9, other);
    }

    private static Ffmpeg ffmpeg(Path video, int loops) throws IOException, InterruptedException {
        String command =
                "TIMEFORMAT='%R %U %S'; time ffmpeg -hide_banner -loglevel error -threads 1 -stream_loop "
                        + (loops - 1)
                        + " -i '"
                        + video
                        + "' -an -threads 1 -c:v mjpeg -q:v "
                        + FFMPEG_QSCALE
                        + " -f null - 2>&1";
        Process process =
                new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out =
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg failed: " + out);
        }
        String[] times = out.substring(out.lastIndexOf('\n') + 1).trim().split("\\s+");
        return new Ffmpeg(
                (long) VTEST_FRAMES * loops,
                Double.parseDouble(times[0]),
                Double.parseDouble(times[1]),
                Double.parseDouble(times[2]));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long threadCpuNanos(String namePrefix) {
        var threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith(namePrefix)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
