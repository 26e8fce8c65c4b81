package io.panoptes.aggregator.topology;

import static io.panoptes.aggregator.topology.TopologyFixture.T0;
import static io.panoptes.aggregator.topology.TopologyFixture.ok;
import static io.panoptes.aggregator.topology.TopologyFixture.person;
import static io.panoptes.aggregator.topology.TopologyFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.Point;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.WindowCount;
import io.panoptes.avro.Zone;
import io.panoptes.pipeline.geometry.DirectedLine;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.schemas.topics.DeadLetters;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatorTopologyTest {

    private static final WindowSpec TEN_SECONDS =
            WindowSpec.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(1));

    @TempDir Path stateDir;
    private TopologyFixture fixture;

    private TopologyFixture start(AggregatorSettings.Builder settings) {
        fixture = new TopologyFixture(settings.windows(TEN_SECONDS).reorderBuffer(8), stateDir);
        return fixture;
    }

    private TopologyFixture start() {
        return start(AggregatorSettings.builder());
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldRestoreOrderAndDropDuplicates() {
        TopologyFixture f = start();
        for (long seq : new long[] {0, 2, 1, 1, 3, 2, 0}) {
            f.send(ok("cam", seq, seq * 100));
        }

        assertThat(f.tracks()).extracting(Detections::getSeq).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void shouldStartANewSequenceOnAHigherEpochAndDropNothing() {
        TopologyFixture f = start();
        f.send(ok("cam", 0, 0));
        f.send(ok("cam", 1, 100));
        f.send(ok("cam", 3, 300)); // held back: 2 is missing
        f.send(result("cam", 2, 0, 1000, DetectionStatus.OK, SourceKind.FILE));
        f.send(result("cam", 2, 1, 1100, DetectionStatus.OK, SourceKind.FILE));
        f.send(ok("cam", 2, 200)); // of the superseded epoch: too late

        assertThat(f.tracks())
                .extracting(d -> d.getEpoch() + "/" + d.getSeq())
                .containsExactly("1/0", "1/1", "1/3", "2/0", "2/1");
    }

    @Test
    void shouldKeepTrackIdsThroughOcclusionsAndSkippedFramesAndTellObjectsApart() {
        TopologyFixture f = start();
        for (int seq = 0; seq < 30; seq++) {
            boolean occluded = seq >= 10 && seq < 15; // not detected for 5 frames
            boolean skipped = seq >= 20 && seq < 24; // the worker skipped 4 frames
            if (skipped) {
                f.send(
                        result(
                                "cam",
                                1,
                                seq,
                                seq * 40L,
                                DetectionStatus.SKIPPED_STALE,
                                SourceKind.LIVE));
            } else if (occluded) {
                f.send(ok("cam", seq, seq * 40L, person(400, 300)));
            } else {
                f.send(ok("cam", seq, seq * 40L, person(10 + 5 * seq, 100), person(400, 300)));
            }
        }

        List<Detections> tracked = f.tracks();
        assertThat(tracked).hasSize(30);
        Set<Long> movingIds =
                tracked.stream()
                        .flatMap(d -> d.getDetections().stream())
                        .filter(d -> d.getBox().getY() == 100)
                        .map(Detection::getTrackId)
                        .collect(Collectors.toSet());
        Set<Long> stillIds =
                tracked.stream()
                        .flatMap(d -> d.getDetections().stream())
                        .filter(d -> d.getBox().getY() == 300)
                        .map(Detection::getTrackId)
                        .collect(Collectors.toSet());
        assertThat(movingIds).as("one id through the occlusion and the skipped frames").hasSize(1);
        assertThat(stillIds).hasSize(1).doesNotContainAnyElementsOf(movingIds);
        assertThat(tracked.get(21).getStatus()).isEqualTo(DetectionStatus.SKIPPED_STALE);
    }

    @Test
    void shouldCountLineCrossingsOncePerTrackAndZonesFromThePipeline() {
        TopologyFixture f = start();
        PipelineSpec spec = SampleRecords.pipelineSpec();
        spec.setPipelineId("gate");
        spec.setZones(
                List.of(
                        new Zone(
                                "left",
                                List.of(
                                        new Point(0.0, 0.0),
                                        new Point(255.0, 0.0),
                                        new Point(255.0, 480.0),
                                        new Point(0.0, 480.0)))));
        // a vertical line at x = 300, from top to bottom
        spec.setLines(List.of(new Line("door", new Point(300.0, 0.0), new Point(300.0, 480.0))));
        f.pipelines.pipeInput("gate", spec);

        for (int seq = 0; seq < 35; seq++) {
            // walks right 10 px a frame over the line (anchor = box centre bottom: 220 .. 410),
            // then back (.. 260)
            float x = seq < 20 ? 200 + 10 * seq : 390 - 10 * (seq - 19);
            f.send(withPipeline(ok("door-cam", seq, seq * 100L, person(x, 100)), "gate"));
        }
        f.send(
                withPipeline(
                        result(
                                "door-cam",
                                1,
                                35,
                                3500,
                                DetectionStatus.END_OF_STREAM,
                                SourceKind.FILE),
                        "gate"));

        List<WindowCount> counts = f.counts();
        WindowCount whole = only(counts, null);
        assertThat(whole.getLineIn() + whole.getLineOut())
                .as("crossed twice, counted once")
                .isEqualTo(1);
        assertThat(whole.getUniqueTracks()).isEqualTo(1);
        assertThat(whole.getFramesSeen()).isEqualTo(35);
        assertThat(whole.getFinal$()).isTrue();
        WindowCount left = only(counts, "left");
        assertThat(left.getFramesSeen()).isEqualTo(35);
        assertThat(left.getMaxConcurrent()).isEqualTo(1);
        assertThat(left.getMeanPerFrame())
                .as("4 of 35 frames with the anchor in the zone")
                .isEqualTo(4 / 35.0);
    }

    @Test
    void shouldCloseEachStreamsWindowsOnItsOwnClock() {
        TopologyFixture f = start();
        // a live camera at T0..T0+3 s, and a file on the same partition racing ahead by minutes
        for (int seq = 0; seq < 4; seq++) {
            f.send(
                    result(
                            "live",
                            1,
                            seq,
                            seq * 1000L,
                            DetectionStatus.OK,
                            SourceKind.LIVE,
                            person(10, 10)));
        }
        for (int seq = 0; seq < 100; seq++) {
            f.send(ok("file", seq, seq * 5_000L, person(10, 10)));
        }
        assertThat(f.counts())
                .extracting(WindowCount::getStreamId)
                .as("only the file's windows closed")
                .containsOnly("file")
                .hasSize(49);

        f.send(result("live", 1, 4, 11_000, DetectionStatus.OK, SourceKind.LIVE, person(10, 10)));

        assertThat(f.counts())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getStreamId()).isEqualTo("live");
                            assertThat(c.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
                            assertThat(c.getFramesSeen()).isEqualTo(4);
                        });
    }

    @Test
    void shouldNotCountLateResultsOrLiveResultsFromTheFuture() {
        TopologyFixture f =
                start(AggregatorSettings.builder().maxFutureSkew(Duration.ofMinutes(1)));
        long now = System.currentTimeMillis() - T0;
        f.send(result("live", 1, 0, now, DetectionStatus.OK, SourceKind.LIVE, person(10, 10)));
        f.send(
                result(
                        "live",
                        1,
                        1,
                        now + 3_600_000,
                        DetectionStatus.OK,
                        SourceKind.LIVE,
                        person(10, 10))); // an hour ahead
        f.send(
                result(
                        "live",
                        1,
                        2,
                        now + 12_000,
                        DetectionStatus.OK,
                        SourceKind.LIVE,
                        person(10, 10)));
        f.send(
                result(
                        "live",
                        1,
                        3,
                        now - 1_000,
                        DetectionStatus.OK,
                        SourceKind.LIVE,
                        person(10, 10))); // time went backwards

        List<WindowCount> closed = f.counts();
        long framesCounted = closed.stream().mapToLong(WindowCount::getFramesSeen).sum();
        assertThat(closed)
                .allSatisfy(
                        c ->
                                assertThat(c.getWindowStart().toEpochMilli())
                                        .isLessThan(T0 + now + 3_000_000));
        assertThat(framesCounted)
                .as(
                        "the first frame only, or with the one that went back if its window was still open")
                .isBetween(1L, 2L);
        assertThat(f.tracks()).hasSize(4);
    }

    @Test
    void shouldCloseWindowsAndReleaseHeldBackResultsOfAnIdleStream() {
        TopologyFixture f = start(AggregatorSettings.builder().idleTimeout(Duration.ofSeconds(30)));
        f.send(ok("cam", 0, 0, person(10, 10)));
        f.send(ok("cam", 2, 200, person(10, 10))); // 1 never comes
        assertThat(f.tracks()).hasSize(1);
        assertThat(f.counts()).isEmpty();

        f.driver.advanceWallClockTime(Duration.ofSeconds(31));

        assertThat(f.tracks()).extracting(Detections::getSeq).containsExactly(2L);
        assertThat(f.counts())
                .singleElement()
                .satisfies(c -> assertThat(c.getFramesSeen()).isEqualTo(2));
    }

    @Test
    void shouldEmitRunningCountsWhenEarlyUpdatesAreOn() {
        TopologyFixture f = start(AggregatorSettings.builder().earlyUpdates(Duration.ofSeconds(5)));
        f.send(ok("cam", 0, 0, person(10, 10)));

        f.driver.advanceWallClockTime(Duration.ofSeconds(6));

        assertThat(f.counts())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getFinal$()).isFalse();
                            assertThat(c.getFramesSeen()).isEqualTo(1);
                        });
    }

    @Test
    void shouldSendRecordsThatFailToTheDlqWithPanoptesHeadersAndCarryOn() {
        TopologyFixture f = start();
        // deserialization failures are skipped here (their DLQ records are checked on a real
        // broker: AggregatorIT)
        f.rawDetections.pipeInput(new TestRecord<>("cam".getBytes(), "garbage bytes".getBytes()));
        f.rawDetections.pipeInput(
                new TestRecord<>(
                        "cam".getBytes(),
                        new byte[] {0, 0, 0, 0, 1, 2})); // a good header, a bad body
        f.rawDetections.pipeInput(
                new TestRecord<>("cam".getBytes(), (byte[]) null)); // fails in the processor
        f.send(ok("cam", 0, 0, person(10, 10)));

        TestRecord<byte[], byte[]> dead = f.dlq.readRecord();
        assertThat(new String(dead.key())).isEqualTo("cam");
        assertThat(dead.value()).isNull();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.STAGE)).isEqualTo("aggregator");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo(f.topics.detections().name());
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("2");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE))
                .contains("tombstone");
        assertThat(f.tracks()).extracting(Detections::getSeq).containsExactly(0L);
    }

    @Test
    void shouldCountAStreamWithoutPipelineWithTheConfiguredGeometryOrNone() {
        TopologyFixture f =
                start(
                        AggregatorSettings.builder()
                                .geometry(
                                        "configured",
                                        new Geometry(
                                                List.of(),
                                                List.of(new DirectedLine("mid", 0, 200, 640, 200)),
                                                "config")));
        for (int seq = 0; seq < 5; seq++) {
            f.send(ok("configured", seq, seq * 100L, person(100, 60 + 40 * seq)));
            f.send(ok("unknown", seq, seq * 100L, person(100, 60 + 40 * seq)));
        }
        f.send(result("configured", 1, 5, 600, DetectionStatus.END_OF_STREAM, SourceKind.FILE));
        f.send(result("unknown", 1, 5, 600, DetectionStatus.END_OF_STREAM, SourceKind.FILE));

        List<WindowCount> counts = f.counts();
        WindowCount configured =
                counts.stream()
                        .filter(c -> c.getStreamId().equals("configured"))
                        .findFirst()
                        .orElseThrow();
        WindowCount unknown =
                counts.stream()
                        .filter(c -> c.getStreamId().equals("unknown"))
                        .findFirst()
                        .orElseThrow();
        assertThat(configured.getLineIn() + configured.getLineOut()).isEqualTo(1);
        assertThat(unknown.getLineIn() + unknown.getLineOut()).isZero();
        assertThat(unknown.getFramesSeen()).isEqualTo(5);
    }

    private static WindowCount only(List<WindowCount> counts, String zone) {
        List<WindowCount> matching =
                counts.stream().filter(c -> java.util.Objects.equals(c.getZone(), zone)).toList();
        assertThat(matching).as("counts in zone " + zone).hasSize(1);
        return matching.get(0);
    }

    private static Detections withPipeline(Detections result, String pipelineId) {
        result.setPipelineId(pipelineId);
        return result;
    }
}
