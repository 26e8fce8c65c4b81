package io.panoptes.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.PipelineState;
import io.panoptes.avro.SourceKind;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class FileIngestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void shouldPublishEveryFrameOfMegamindThenEndOfStream(KafkaCluster kafka) throws Exception {
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            ingest.service.add(
                    SourceSpec.builder(TestVideos.megamind().toString())
                            .streamId("megamind")
                            .pipelineId("demo")
                            .build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            List<Frame> frames = ingest.framesOf("megamind", 271, WAIT);

            assertThat(frames).hasSize(271);
            assertThat(frames)
                    .extracting(Frame::getSeq)
                    .containsExactlyElementsOf(
                            java.util.stream.LongStream.range(0, 271).boxed().toList());
            assertThat(frames).extracting(Frame::getEpoch).containsOnly(frames.get(0).getEpoch());
            List<Frame> pictures = frames.subList(0, 270);
            assertThat(pictures)
                    .allSatisfy(
                            f -> {
                                assertThat(f.getEndOfStream()).isFalse();
                                assertThat(f.getSourceKind()).isEqualTo(SourceKind.FILE);
                                assertThat(f.getEncoding()).isEqualTo(FrameEncoding.JPEG);
                                assertThat(f.getWidth()).isEqualTo(720);
                                assertThat(f.getHeight()).isEqualTo(528);
                                assertThat(f.getPipelineId()).isEqualTo("demo");
                            });
            for (int i = 1; i < pictures.size(); i++) {
                assertThat(pictures.get(i).getCaptureTime())
                        .isAfter(pictures.get(i - 1).getCaptureTime());
            }
            // file capture times follow the video's clock: 270 frames at 23.976 fps span about 11.2
            // s
            Duration span =
                    Duration.between(
                            pictures.get(0).getCaptureTime(), pictures.get(269).getCaptureTime());
            assertThat(span.toMillis()).isBetween(11_000L, 11_400L);
            assertDecodableJpeg(pictures.get(30));
            Frame end = frames.get(270);
            assertThat(end.getEndOfStream()).isTrue();
            assertThat(end.getPayload()).isNull();
            assertThat(ingest.service.streams().get("megamind").state())
                    .isEqualTo(PipelineState.ENDED);
            assertThat(ingest.service.streams().get("megamind").acknowledged()).isEqualTo(271);
        }
    }

    @Test
    void shouldEndAnAviWhoseRepeatedFramesAreEmptyChunksWithoutCallingItTruncated(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        io.panoptes.testkit.SystemTools.requireExecutable(
                Path.of("/usr/bin/ffmpeg"), "the ffmpeg CLI: apt-get install ffmpeg");
        // 15 fps for 10 s, every 6th frame kept: the AVI muxer fills the gaps with empty chunks,
        // so the container declares 150 frames and 25 decode (ffmpeg plays it without an error)
        Path avi = dir.resolve("repeats.avi");
        Process ffmpeg =
                new ProcessBuilder(
                                "/usr/bin/ffmpeg",
                                "-v",
                                "error",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc=size=320x240:rate=15",
                                "-t",
                                "10",
                                "-vf",
                                "select='not(mod(n\\,6))'",
                                "-fps_mode",
                                "passthrough",
                                "-c:v",
                                "cinepak",
                                avi.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(ffmpeg.getInputStream().readAllBytes());
        assertThat(ffmpeg.waitFor()).as(out).isZero();
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            ingest.service.add(SourceSpec.builder(avi.toString()).streamId("repeats").build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            StreamMetrics metrics = ingest.service.streams().get("repeats");
            assertThat(metrics.state()).as(metrics.reason()).isEqualTo(PipelineState.ENDED);
            assertThat(metrics.acknowledged()).as("25 frames and the end").isEqualTo(26);
            List<Frame> frames = ingest.framesOf("repeats", 26, WAIT);
            assertThat(
                            Duration.between(
                                    frames.get(0).getCaptureTime(),
                                    frames.get(24).getCaptureTime()))
                    .as("the frames keep their places in time: 24 gaps of 0.4 s")
                    .isEqualTo(Duration.ofMillis(9600));
        }
    }

    @Test
    void shouldPublishTheFramesBeforeTheCutOfATruncatedVideoThenFailAndEnd(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        Path truncated = dir.resolve("truncated.avi");
        try (InputStream in = Files.newInputStream(TestVideos.megamind());
                OutputStream out = Files.newOutputStream(truncated)) {
            out.write(in.readNBytes(600_000));
        }
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            ingest.service.add(SourceSpec.builder(truncated.toString()).streamId("cut").build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            StreamMetrics metrics = ingest.service.streams().get("cut");
            assertThat(metrics.state()).isEqualTo(PipelineState.FAILED);
            assertThat(metrics.reason()).contains("truncated or corrupt");
            long published = metrics.acknowledged();
            assertThat(published).isBetween(100L, 200L);
            List<Frame> frames = ingest.framesOf("cut", (int) published, WAIT);
            assertThat(frames.get(frames.size() - 1).getEndOfStream()).isTrue();
        }
    }

    @Test
    void shouldFailBadFilesClearlyWhileAGoodOneCompletes(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        byte[] noise = new byte[50_000];
        new Random(3).nextBytes(noise);
        Path random = Files.write(dir.resolve("noise.mp4"), noise);
        Path text = Files.writeString(dir.resolve("readme.avi"), "not a video");
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            ingest.service.add(
                    SourceSpec.builder(dir.resolve("missing.avi").toString())
                            .streamId("missing")
                            .build());
            ingest.service.add(SourceSpec.builder(random.toString()).streamId("random").build());
            ingest.service.add(SourceSpec.builder(text.toString()).streamId("text").build());
            ingest.service.add(
                    SourceSpec.builder(TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString())
                            .streamId("good")
                            .build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            assertThat(ingest.service.failures())
                    .containsOnlyKeys("missing", "random", "text")
                    .hasEntrySatisfying(
                            "missing",
                            r ->
                                    assertThat(r)
                                            .isEqualTo(
                                                    "no such file: " + dir.resolve("missing.avi")))
                    .hasEntrySatisfying(
                            "random",
                            r -> assertThat(r).contains("noise.mp4").contains("Invalid data"))
                    .hasEntrySatisfying(
                            "text",
                            r ->
                                    assertThat(r)
                                            .contains("readme.avi")
                                            .contains("not a video or image"));
            assertThat(ingest.service.streams().get("good").state()).isEqualTo(PipelineState.ENDED);
            assertThat(ingest.frames(2, WAIT))
                    .extracting(r -> r.value().getStreamId())
                    .containsOnly("good");
        }
    }

    @Test
    void shouldPublishAnImageFolderSkippingUndecodableFiles(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        Files.copy(TestData.file(TestData.MEGAMIND_FRAME_030_PNG), dir.resolve("1.png"));
        Files.write(dir.resolve("2.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Files.copy(TestData.file(TestData.WHITE_SQUARE_PNG), dir.resolve("3.png"));
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            ingest.service.add(SourceSpec.builder(dir.toString()).streamId("folder").build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            List<Frame> frames = ingest.framesOf("folder", 3, WAIT);
            assertThat(frames).extracting(Frame::getWidth).containsExactly(720, 640, 0);
            assertThat(frames.get(2).getEndOfStream()).isTrue();
            assertThat(ingest.service.streams().get("folder").state())
                    .isEqualTo(PipelineState.ENDED);
        }
    }

    @Test
    void shouldClaimCheckFramesAboveTheRecordLimit(KafkaCluster kafka, @TempDir Path store)
            throws Exception {
        try (IngestHarness ingest =
                new IngestHarness(
                        kafka,
                        b ->
                                b.claimCheckDir(store)
                                        .maxRecordBytes(128 * 1024)
                                        .encoding(
                                                new EncodingSettings(FrameEncoding.PNG, 85, 0)))) {
            ingest.service.add(
                    SourceSpec.builder(TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString())
                            .streamId("big")
                            .build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            Frame frame = ingest.framesOf("big", 2, WAIT).get(0);
            assertThat(frame.getPayload()).isNull();
            Path stored = Path.of(URI.create(frame.getPayloadRef()));
            assertThat(stored).startsWith(store).hasExtension("png");
            assertThat(Files.size(stored)).isGreaterThan(128 * 1024);
        }
    }

    @Test
    void shouldMakeAFileWaitForItsMaxFpsWithoutDroppingFrames(KafkaCluster kafka) throws Exception {
        try (IngestHarness ingest = new IngestHarness(kafka, b -> b)) {
            long start = System.nanoTime();
            ingest.service.add(
                    SourceSpec.builder(TestVideos.megamind().toString())
                            .streamId("slow")
                            .maxFps(100.0)
                            .build());
            assertThat(ingest.service.awaitEnded(WAIT)).isTrue();

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThan(Duration.ofMillis(2_600));
            assertThat(ingest.service.streams().get("slow").acknowledged()).isEqualTo(271);
            assertThat(ingest.service.streams().get("slow").droppedCount()).isZero();
        }
    }

    private static void assertDecodableJpeg(Frame frame) {
        byte[] bytes = new byte[frame.getPayload().remaining()];
        frame.getPayload().duplicate().get(bytes);
        try (Mat encoded = new Mat(new BytePointer(bytes));
                Mat decoded = imdecode(encoded, IMREAD_COLOR)) {
            assertThat(decoded.cols()).isEqualTo(720);
            assertThat(decoded.rows()).isEqualTo(528);
        }
    }
}
