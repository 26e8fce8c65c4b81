package io.panoptes.aggregator.topology;

import static io.panoptes.aggregator.topology.TopologyFixture.ok;
import static io.panoptes.aggregator.topology.TopologyFixture.person;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.pipeline.geometry.ShapeText;
import io.panoptes.pipeline.rules.Rule;
import io.panoptes.schemas.SampleRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule kind through the real topology, with exact expectations. */
class AggregatorRulesTest {

    @TempDir Path stateDir;
    private final List<TopologyFixture> fixtures = new ArrayList<>();

    private TopologyFixture start(Rule... rules) {
        AggregatorSettings.Builder settings =
                AggregatorSettings.builder()
                        .windows(WindowSpec.tumbling(Duration.ofSeconds(10), Duration.ZERO))
                        .rules(List.of(rules));
        ShapeText.parse(
                        List.of("cam:yard=300,0,640,0,640,480,300,480"),
                        List.of("cam:gate=200,0,200,480"))
                .forEach(settings::geometry);
        TopologyFixture fixture =
                new TopologyFixture(settings, stateDir.resolve("run-" + fixtures.size()));
        fixtures.add(fixture);
        return fixture;
    }

    @AfterEach
    void close() {
        fixtures.forEach(TopologyFixture::close);
    }

    private static Rule rule(
            String id,
            EventKind kind,
            String label,
            String zone,
            String line,
            Double threshold,
            Duration duration,
            Duration cooldown,
            String direction) {
        return new Rule(
                id, kind, "cam", label, zone, line, threshold, duration, cooldown, null, direction);
    }

    /**
     * A person walking right 10 px per frame (100 ms apart), from x = 100 to x = 100 + 10 × (frames
     * - 1).
     */
    private static void walkRight(TopologyFixture f, int frames) {
        for (int seq = 0; seq < frames; seq++) {
            f.send(ok("cam", seq, seq * 100L, person(100 + 10 * seq, 100)));
        }
    }

    @Test
    void shouldFireOnceWhenATrackCrossesALineInTheRuledDirection() {
        TopologyFixture f =
                start(
                        rule(
                                "any-crossing",
                                EventKind.LINE_CROSSING,
                                "person",
                                null,
                                "gate",
                                null,
                                null,
                                null,
                                null),
                        rule(
                                "leaving",
                                EventKind.LINE_CROSSING,
                                null,
                                null,
                                "gate",
                                null,
                                null,
                                null,
                                "out"));
        walkRight(f, 20); // anchor 120 → 310: crosses x = 200 once, left to right of a line drawn
        // downwards: out

        List<Event> events = f.events();
        assertThat(events)
                .extracting(Event::getRuleId)
                .containsExactlyInAnyOrder("any-crossing", "leaving");
        assertThat(events)
                .allSatisfy(
                        e -> {
                            assertThat(e.getKind()).isEqualTo(EventKind.LINE_CROSSING);
                            assertThat(e.getStreamId()).isEqualTo("cam");
                            assertThat(e.getAttributes())
                                    .containsEntry("line", "gate")
                                    .containsEntry("direction", "out")
                                    .containsEntry("label", "person")
                                    .containsKey("trackId");
                            assertThat(e.getDetections()).hasSize(1);
                        });
    }

    @Test
    void shouldReportZoneEntryDwellAndExitOncePerVisit() {
        TopologyFixture f =
                start(
                        rule(
                                "in",
                                EventKind.ZONE_ENTER,
                                null,
                                "yard",
                                null,
                                null,
                                null,
                                null,
                                null),
                        rule(
                                "linger",
                                EventKind.DWELL,
                                "person",
                                "yard",
                                null,
                                null,
                                Duration.ofSeconds(3),
                                null,
                                null),
                        rule(
                                "out",
                                EventKind.ZONE_EXIT,
                                null,
                                "yard",
                                null,
                                null,
                                null,
                                null,
                                null));
        long seq = 0;
        for (int x = 250; x <= 330; x += 10) { // walks in: anchor crosses x = 300 at x = 290
            f.send(ok("cam", seq, seq * 100, person(x, 100)));
            seq++;
        }
        for (int i = 0; i < 50; i++) { // stays 5 s
            f.send(ok("cam", seq, seq * 100, person(330, 100)));
            seq++;
        }
        for (int x = 320; x >= 240; x -= 10) { // walks out
            f.send(ok("cam", seq, seq * 100, person(x, 100)));
            seq++;
        }

        List<Event> events = f.events();
        assertThat(events).extracting(Event::getRuleId).containsExactly("in", "linger", "out");
        assertThat(events.get(1).getAttributes()).containsEntry("dwellSeconds", "3");
        assertThat(Long.parseLong(events.get(2).getAttributes().get("dwellSeconds")))
                .isBetween(5L, 7L);
        assertThat(events)
                .extracting(e -> e.getAttributes().get("trackId"))
                .containsOnly(events.get(0).getAttributes().get("trackId"));
    }

    @Test
    void shouldReportAnAbsenceOncePerEpisode() {
        TopologyFixture f =
                start(
                        rule(
                                "conveyor-stopped",
                                EventKind.ABSENCE,
                                "box",
                                null,
                                null,
                                null,
                                Duration.ofSeconds(10),
                                null,
                                null));
        long seq = 0;
        for (int phase = 0; phase < 2; phase++) {
            for (int i = 0; i < 5; i++) { // a box for 0.5 s
                f.send(ok("cam", seq, seq * 100, box()));
                seq++;
            }
            for (int i = 0; i < 150; i++) { // then 15 s of frames without one
                f.send(ok("cam", seq, seq * 100, person(10, 10)));
                seq++;
            }
        }

        List<Event> events = f.events();
        assertThat(events)
                .hasSize(2)
                .allSatisfy(
                        e -> {
                            assertThat(e.getKind()).isEqualTo(EventKind.ABSENCE);
                            assertThat(e.getAttributes())
                                    .containsEntry("label", "box")
                                    .containsEntry("absentSeconds", "10");
                        });
        assertThat(events.get(0).getEventId()).isNotEqualTo(events.get(1).getEventId());
    }

    @Test
    void shouldFailAnInspectionOncePerRunOfFramesClassifiedAsTheFailingClass() {
        TopologyFixture f =
                start(
                        rule(
                                "scratched",
                                EventKind.CLASSIFIED,
                                "scratch",
                                null,
                                null,
                                0.8,
                                null,
                                null,
                                null));
        String[] frames = {"ok", "scratch", "scratch", "ok", "scratch:0.6", "scratch", "ok"};
        for (int seq = 0; seq < frames.length; seq++) {
            String[] label = frames[seq].split(":");
            float confidence = label.length > 1 ? Float.parseFloat(label[1]) : 0.95f;
            Detections result = ok("cam", seq, seq * 100L);
            result.setClassifications(
                    List.of(
                            new io.panoptes.avro.Classification(
                                    label[0].equals("ok") ? 0 : 1, label[0], confidence)));
            f.send(result);
        }

        List<Event> events = f.events();
        assertThat(events).hasSize(2);
        assertThat(events)
                .allSatisfy(
                        e -> {
                            assertThat(e.getKind()).isEqualTo(EventKind.CLASSIFIED);
                            assertThat(e.getAttributes()).containsEntry("label", "scratch");
                        });
        assertThat(events)
                .extracting(e -> e.getAttributes().get("seq"))
                .as("the 0.6 frame is below the threshold: the second run starts at 5")
                .containsExactly("1", "5");
        assertThatThrownBy(
                        () ->
                                rule(
                                        "x",
                                        EventKind.CLASSIFIED,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null))
                .hasMessageContaining("field 'label' is required");
    }

    @Test
    void shouldFireACountThresholdOnceWhileItHoldsAndAgainAfterItDropped() {
        TopologyFixture f =
                start(
                        rule(
                                "crowd",
                                EventKind.COUNT_THRESHOLD,
                                "person",
                                null,
                                null,
                                5.0,
                                null,
                                null,
                                null));
        int[] peoplePerWindow = {6, 7, 2, 6};
        long seq = 0;
        for (int window = 0; window < peoplePerWindow.length; window++) {
            for (int i = 0; i < 10; i++) {
                f.send(
                        ok(
                                "cam",
                                seq,
                                window * 10_000L + i * 1000,
                                people(peoplePerWindow[window])));
                seq++;
            }
        }
        f.send(
                TopologyFixture.result(
                        "cam", 1, seq, 40_000, DetectionStatus.END_OF_STREAM, SourceKind.FILE));

        List<Event> events = f.events();
        assertThat(events)
                .hasSize(2)
                .allSatisfy(
                        e ->
                                assertThat(e.getAttributes())
                                        .containsEntry("metric", "maxConcurrent"));
        assertThat(events)
                .extracting(e -> e.getAttributes().get("value"))
                .containsExactly("6.0", "6.0");
        assertThat(events.get(1).getTime().toEpochMilli() - events.get(0).getTime().toEpochMilli())
                .isEqualTo(30_000);
    }

    @Test
    void shouldSpaceFiringsByTheCooldownAndGiveTheSameIdsOnAReplay() {
        Rule entry =
                rule(
                        "in",
                        EventKind.ZONE_ENTER,
                        null,
                        "yard",
                        null,
                        null,
                        null,
                        Duration.ofSeconds(5),
                        null);
        List<List<String>> ids = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            TopologyFixture f = start(entry);
            for (int seq = 0;
                    seq < 40;
                    seq++) { // a new person enters every frame for 4 s, each a new track
                f.send(ok("cam", seq, seq * 100L, people(1 + seq / 4)));
            }
            ids.add(f.events().stream().map(Event::getEventId).toList());
        }
        assertThat(ids.get(0)).as("once per 5 s").hasSize(1).isEqualTo(ids.get(1));
    }

    @Test
    void shouldApplyTheRulesOfTheStreamsPipeline() {
        TopologyFixture f = start();
        PipelineSpec spec = SampleRecords.pipelineSpec();
        spec.setPipelineId("p");
        spec.setLines(
                List.of(
                        new io.panoptes.avro.Line(
                                "gate",
                                new io.panoptes.avro.Point(200.0, 0.0),
                                new io.panoptes.avro.Point(200.0, 480.0))));
        spec.setZones(List.of());
        spec.setRules(
                List.of(
                        new RuleSpec(
                                "cross",
                                EventKind.LINE_CROSSING,
                                null,
                                null,
                                "gate",
                                null,
                                null,
                                null,
                                Map.of()),
                        new RuleSpec(
                                "broken",
                                EventKind.COUNT_THRESHOLD,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                Map.of())));
        f.pipelines.pipeInput("p", spec);
        for (int seq = 0; seq < 20; seq++) {
            var result = ok("cam", seq, seq * 100L, person(100 + 10 * seq, 100));
            result.setPipelineId("p");
            f.send(result);
        }

        assertThat(f.events())
                .extracting(Event::getRuleId, Event::getPipelineId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cross", "p"));
    }

    private static Detection box() {
        return new Detection(
                1,
                "box",
                0.9f,
                new Box(50f, 50f, 20f, 20f),
                null,
                List.of(),
                java.util.List.of(),
                null,
                null);
    }

    /** {@code n} people standing apart in the yard. */
    private static Detection[] people(int n) {
        Detection[] people = new Detection[n];
        for (int i = 0; i < n; i++) {
            people[i] = person(320 + 50 * (i % 6), 20 + 90 * (i / 6));
        }
        return people;
    }
}
