package io.panoptes.aggregator.counting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.DirectedLine;
import io.panoptes.pipeline.geometry.Polygon;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamCounterTest {

    private static final long T0 = 1_764_000_000_000L; // a whole 10 s boundary
    private static final WindowSpec TEN_SECONDS =
            WindowSpec.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void shouldAssignTumblingAndHoppingWindows() {
        assertThat(TEN_SECONDS.startsContaining(T0 + 12_000)).containsExactly(T0 + 10_000);
        WindowSpec hopping =
                new WindowSpec(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ZERO);
        assertThat(hopping.startsContaining(T0 + 12_000)).containsExactly(T0 + 5_000, T0 + 10_000);
        assertThat(hopping.startsContaining(T0 + 10_000)).containsExactly(T0 + 5_000, T0 + 10_000);
        assertThatThrownBy(
                        () ->
                                new WindowSpec(
                                        Duration.ofSeconds(5),
                                        Duration.ofSeconds(10),
                                        Duration.ZERO))
                .hasMessageContaining("window advance must be in (0, size PT5S], got PT10S");
    }

    @Test
    void shouldEmitFinalCountsWhenTheStreamsClockPassesTheEndPlusGrace() {
        StreamCounter counter = counter(List.of(), List.of());
        List<WindowCount> emitted = new ArrayList<>();
        for (int second = 0; second <= 10; second++) {
            emitted.addAll(
                    counter.accept(ok(second * 1000L, person(1, 100, 100), person(2, 300, 100))));
        }
        assertThat(emitted).as("grace not yet over at 10 s").isEmpty();

        emitted.addAll(counter.accept(ok(11_000, person(1, 100, 100))));

        assertThat(emitted)
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getStreamId()).isEqualTo("cam-1");
                            assertThat(c.getLabel()).isEqualTo("person");
                            assertThat(c.getZone()).isNull();
                            assertThat(c.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
                            assertThat(c.getWindowEnd())
                                    .isEqualTo(Instant.ofEpochMilli(T0 + 10_000));
                            assertThat(c.getUniqueTracks()).isEqualTo(2);
                            assertThat(c.getMaxConcurrent()).isEqualTo(2);
                            assertThat(c.getMeanPerFrame()).isEqualTo(2.0);
                            assertThat(c.getFramesSeen()).isEqualTo(10);
                            assertThat(c.getFinal$()).isTrue();
                        });
    }

    @Test
    void shouldCountZonesCoverageAndCloseEverythingAtTheEndOfTheStream() {
        Polygon door =
                Polygon.of(
                        "door",
                        List.of(
                                new double[] {0, 0},
                                new double[] {200, 0},
                                new double[] {200, 200},
                                new double[] {0, 200}));
        StreamCounter counter = counter(List.of(door), List.of());
        counter.accept(ok(0, person(1, 50, 50), person(2, 400, 50)));
        counter.accept(result(1_000, DetectionStatus.SKIPPED_STALE));
        counter.accept(result(2_000, DetectionStatus.FAILED));
        counter.accept(ok(3_000, person(1, 60, 50)));

        List<WindowCount> rows = counter.accept(result(4_000, DetectionStatus.END_OF_STREAM));

        assertThat(rows)
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.getFramesSeen()).isEqualTo(2);
                            assertThat(r.getFramesSkipped()).isEqualTo(2);
                            assertThat(r.getFinal$()).isTrue();
                        });
        WindowCount inDoor =
                rows.stream().filter(r -> "door".equals(r.getZone())).findFirst().orElseThrow();
        assertThat(inDoor.getUniqueTracks()).isEqualTo(1);
        assertThat(inDoor.getMeanPerFrame()).isEqualTo(1.0);
        WindowCount whole =
                rows.stream().filter(r -> r.getZone() == null).findFirst().orElseThrow();
        assertThat(whole.getUniqueTracks()).isEqualTo(2);
        assertThat(whole.getMeanPerFrame()).isEqualTo(1.5);
    }

    @Test
    void shouldCountEachTrackOncePerLineInItsDirection() {
        DirectedLine threshold =
                new DirectedLine("threshold", 0, 300, 720, 300); // left of start→end is above
        StreamCounter counter = counter(List.of(), List.of(threshold));
        // bottom edges: track 1 walks down across the line (IN), back up and down again (counted
        // once)
        float[] track1 = {260, 320, 280, 330, 340};
        // track 2 walks up across it (OUT)
        float[] track2 = {340, 320, 280, 260, 250};
        for (int i = 0; i < track1.length; i++) {
            counter.accept(
                    ok(i * 1000L, person(1, 100, track1[i] - 80), person(2, 500, track2[i] - 80)));
        }

        WindowCount whole = counter.closeAll().get(0);

        assertThat(whole.getLineIn()).isEqualTo(1);
        assertThat(whole.getLineOut()).isEqualTo(1);
    }

    @Test
    void shouldCountNeitherLateResultsNorLiveResultsFromTheFuture() {
        StreamCounter counter = counter(List.of(), List.of());
        counter.accept(ok(0, person(1, 10, 10)));
        counter.accept(ok(25_000, person(1, 10, 10))); // closes [0, 10) and [10, 20)

        assertThat(counter.accept(ok(5_000, person(7, 10, 10)))).isEmpty();
        assertThat(counter.lateResults()).isEqualTo(1);

        Detections future = ok(0, person(1, 10, 10));
        future.setCaptureTime(Instant.now().plus(Duration.ofHours(1)));
        assertThat(counter.accept(future)).isEmpty();
        assertThat(counter.futureResults()).isEqualTo(1);
        assertThat(counter.watermark()).hasValue(Instant.ofEpochMilli(T0 + 25_000));
    }

    private static StreamCounter counter(List<Polygon> zones, List<DirectedLine> lines) {
        return new StreamCounter("cam-1", "p", TEN_SECONDS, zones, lines, Duration.ofMinutes(1));
    }

    private static Detections ok(long offsetMillis, Detection... detections) {
        Detections result = result(offsetMillis, DetectionStatus.OK);
        result.setDetections(List.of(detections));
        return result;
    }

    private static Detections result(long offsetMillis, DetectionStatus status) {
        Instant time = Instant.ofEpochMilli(T0 + offsetMillis);
        return new Detections(
                "cam-1",
                1L,
                offsetMillis / 1000,
                "p",
                SourceKind.LIVE,
                time,
                time,
                new ModelRef("m", null),
                status,
                null,
                720,
                528,
                List.of(),
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }

    /** A tracked person whose box is 40x80 with its top-left at (x, y). */
    private static Detection person(long track, float x, float y) {
        return new Detection(
                0,
                "person",
                0.9f,
                new Box(x, y, 40f, 80f),
                track,
                List.of(),
                java.util.List.of(),
                null,
                null);
    }
}
