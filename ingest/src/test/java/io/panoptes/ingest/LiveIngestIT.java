package io.panoptes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.panoptes.avro.Frame;
import io.panoptes.avro.PipelineState;
import io.panoptes.avro.SourceKind;
import io.panoptes.ingest.source.DecoderSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.runtime.retry.Backoff;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.LiveServer;
import io.panoptes.testkit.LoopbackPorts;
import io.panoptes.testkit.TestVideos;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class LiveIngestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Fast failure detection and reconnects, so faults resolve within seconds. */
    private static final UnaryOperator<IngestSettings.Builder> FAST =
            b ->
                    b.decoder(
                                    new DecoderSettings(
                                            1,
                                            Duration.ofSeconds(1),
                                            DecoderSettings.DEFAULT_MAX_PIXELS))
                            .reconnect(
                                    new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), 0));

    @Test
    void shouldIngestHttpMjpegDroppingFramesAboveMaxFps(KafkaCluster kafka) throws Exception {
        try (LiveServer camera =
                        LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start();
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(
                    SourceSpec.builder(camera.url()).streamId("mjpeg").maxFps(5.0).build());
            StreamMetrics metrics = ingest.service.streams().get("mjpeg");

            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 15);
            List<Frame> frames = ingest.framesOf("mjpeg", 15, WAIT);

            assertThat(metrics.droppedCount())
                    .isGreaterThan(metrics.acknowledged()); // ~24 fps in, 5 fps out
            assertThat(frames)
                    .allSatisfy(
                            f -> {
                                assertThat(f.getSourceKind()).isEqualTo(SourceKind.LIVE);
                                assertThat(f.getWidth()).isEqualTo(720);
                                assertThat(f.getCaptureTime())
                                        .isBetween(Instant.now().minusSeconds(60), Instant.now());
                            });
            assertThat(frames)
                    .extracting(Frame::getSeq)
                    .containsExactlyElementsOf(
                            java.util.stream.LongStream.range(0, frames.size()).boxed().toList());
        }
    }

    @Test
    void shouldReconnectAfterTheServerDiesAndContinueTheSequence(KafkaCluster kafka)
            throws Exception {
        LiveServer camera = LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start();
        try (camera;
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("restart").build());
            StreamMetrics metrics = ingest.service.streams().get("restart");
            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 10);

            camera.kill();
            await().atMost(WAIT).until(() -> metrics.state() == PipelineState.RECONNECTING);
            long before = metrics.acknowledged();
            camera.start();
            await().atMost(WAIT)
                    .until(
                            () ->
                                    metrics.state() == PipelineState.RUNNING
                                            && metrics.acknowledged() >= before + 10);

            List<Frame> frames = ingest.framesOf("restart", (int) before + 10, WAIT);
            assertThat(frames).extracting(Frame::getEpoch).containsOnly(frames.get(0).getEpoch());
            assertThat(frames)
                    .extracting(Frame::getSeq)
                    .containsExactlyElementsOf(
                            java.util.stream.LongStream.range(0, frames.size()).boxed().toList());
        }
    }

    @Test
    void shouldDetectAStalledServerWithinTheNetworkTimeout(KafkaCluster kafka) throws Exception {
        LiveServer camera = LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start();
        try (camera;
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("stall").build());
            StreamMetrics metrics = ingest.service.streams().get("stall");
            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 5);

            camera.freeze();
            long frozenAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> metrics.state() == PipelineState.RECONNECTING);
            assertThat(Duration.ofNanos(System.nanoTime() - frozenAt))
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(metrics.reason()).contains("lost http://127.0.0.1:" + camera.port());

            camera.kill();
            camera.start();
            await().atMost(WAIT).until(() -> metrics.state() == PipelineState.RUNNING);
        }
    }

    @Test
    void shouldKeepRetryingAnUnreachableCameraWithoutBlockingOtherSources(KafkaCluster kafka)
            throws Exception {
        try (IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            String unreachable = "http://127.0.0.1:" + LoopbackPorts.closed() + "/cam";
            ingest.service.add(SourceSpec.builder(unreachable).streamId("down").build());
            ingest.service.add(
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("file").build());

            await().atMost(WAIT)
                    .until(
                            () ->
                                    ingest.service.streams().get("file").state()
                                            == PipelineState.ENDED);
            StreamMetrics down = ingest.service.streams().get("down");
            await().atMost(WAIT).until(() -> down.state() == PipelineState.RECONNECTING);
            assertThat(down.reason()).contains("Connection refused");
            assertThat(ingest.service.streams().get("file").acknowledged()).isEqualTo(271);
        }
    }

    @Test
    void shouldLowerTheRateWhileWorkersLagAndRaiseItWhenTheyCatchUp(KafkaCluster kafka)
            throws Exception {
        String workers = kafka.uniqueName("slow-workers");
        try (LiveServer camera =
                        LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start();
                IngestHarness ingest =
                        new IngestHarness(
                                kafka, b -> FAST.apply(b).workerGroup(workers).liveLag(2, 10))) {
            commitGroupAt(
                    kafka, ingest, workers, false); // a worker group that reads nothing: lag grows
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("lagging").build());
            StreamMetrics metrics = ingest.service.streams().get("lagging");

            await().atMost(WAIT).until(() -> metrics.rateFactor() <= 0.25);
            long droppedWhileSlow = metrics.droppedCount();
            assertThat(droppedWhileSlow).isPositive();

            await().atMost(WAIT)
                    .untilAsserted(
                            () -> {
                                commitGroupAt(kafka, ingest, workers, true); // the workers catch up
                                assertThat(metrics.rateFactor()).isEqualTo(1.0);
                            });
        }
    }

    @Test
    void shouldIngestRtsp(KafkaCluster kafka) throws Exception {
        try (LiveServer camera = LiveServer.rtspTestPattern(LoopbackPorts.closed()).start();
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("rtsp").build());
            StreamMetrics metrics = ingest.service.streams().get("rtsp");

            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 20);
            assertThat(ingest.framesOf("rtsp", 20, WAIT))
                    .allSatisfy(f -> assertThat(f.getWidth()).isEqualTo(640));
        }
    }

    @Test
    void shouldIngestMjpegOverHttps(KafkaCluster kafka, @TempDir Path certificates)
            throws Exception {
        try (LiveServer camera =
                        LiveServer.mjpegHttps(
                                        TestVideos.megamind(), LoopbackPorts.closed(), certificates)
                                .start();
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("https").build());
            StreamMetrics metrics = ingest.service.streams().get("https");

            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 20);
            assertThat(ingest.framesOf("https", 20, WAIT))
                    .allSatisfy(f -> assertThat(f.getWidth()).isEqualTo(720));
        }
    }

    @Test
    void shouldIngestRtmp(KafkaCluster kafka) throws Exception {
        try (LiveServer camera =
                        LiveServer.rtmp(TestVideos.megamind(), LoopbackPorts.closed()).start();
                IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            ingest.service.add(SourceSpec.builder(camera.url()).streamId("rtmp").build());
            StreamMetrics metrics = ingest.service.streams().get("rtmp");

            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 20);
            assertThat(ingest.framesOf("rtmp", 20, WAIT))
                    .allSatisfy(f -> assertThat(f.getWidth()).isEqualTo(720));
        }
    }

    @Test
    void shouldIngestHls(KafkaCluster kafka, @TempDir Path dir) throws Exception {
        Process segmenter =
                new ProcessBuilder(
                                "ffmpeg",
                                "-hide_banner",
                                "-loglevel",
                                "error",
                                "-re",
                                "-stream_loop",
                                "-1",
                                "-i",
                                TestVideos.megamind().toString(),
                                "-an",
                                "-c:v",
                                "mpeg2video",
                                "-q:v",
                                "5",
                                "-g",
                                "12",
                                "-f",
                                "hls",
                                "-hls_time",
                                "1",
                                "-hls_list_size",
                                "6",
                                "-hls_flags",
                                "delete_segments",
                                dir.resolve("live.m3u8").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        HttpServer http = serveFolder(dir);
        try (IngestHarness ingest = new IngestHarness(kafka, FAST)) {
            await().atMost(WAIT).until(() -> dir.resolve("live.m3u8").toFile().exists());
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/live.m3u8";
            ingest.service.add(SourceSpec.builder(url).streamId("hls").build());
            StreamMetrics metrics = ingest.service.streams().get("hls");

            await().atMost(WAIT).until(() -> metrics.acknowledged() >= 20);
            assertThat(ingest.framesOf("hls", 20, WAIT))
                    .allSatisfy(f -> assertThat(f.getSourceKind()).isEqualTo(SourceKind.LIVE));
        } finally {
            http.stop(0);
            segmenter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Serves the files of {@code dir} over HTTP on a free loopback port (404 for anything else).
     */
    private static HttpServer serveFolder(Path dir) throws java.io.IOException {
        HttpServer http =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        Path file =
                                dir.resolve(exchange.getRequestURI().getPath().substring(1))
                                        .normalize();
                        if (!file.startsWith(dir) || !java.nio.file.Files.isRegularFile(file)) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        byte[] body = java.nio.file.Files.readAllBytes(file);
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                });
        http.start();
        return http;
    }

    /**
     * Commits the group's offsets on every frames partition: at the start (lagging) or at the end
     * (caught up).
     */
    private static void commitGroupAt(
            KafkaCluster kafka, IngestHarness ingest, String group, boolean atEnd) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                group,
                                ConsumerConfig.CLIENT_ID_CONFIG,
                                "lag-" + UUID.randomUUID()),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(ingest.topics.frames().name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            Map<TopicPartition, Long> offsets =
                    atEnd
                            ? consumer.endOffsets(partitions)
                            : partitions.stream().collect(Collectors.toMap(p -> p, p -> 0L));
            consumer.commitSync(
                    offsets.entrySet().stream()
                            .collect(
                                    Collectors.toMap(
                                            Map.Entry::getKey,
                                            e -> new OffsetAndMetadata(e.getValue()))));
        }
    }
}
