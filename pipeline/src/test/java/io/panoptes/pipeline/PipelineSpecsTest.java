package io.panoptes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.DesiredState;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.Point;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.Zone;
import io.panoptes.pipeline.source.SourcePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a valid pipeline is: each refusal names its field, as the API answers it and ingest reports
 * it.
 */
class PipelineSpecsTest {

    @TempDir Path sources;

    private String video;
    private SourcePolicy policy;

    @BeforeEach
    void video() throws Exception {
        video = Files.createFile(sources.resolve("vtest.avi")).toString();
        policy = new SourcePolicy(List.of(sources), false);
    }

    private PipelineSpec spec(UnaryOperator<PipelineSpec.Builder> change) {
        return change.apply(PipelineSpec.newBuilder().setPipelineId("door").setSource(video))
                .build();
    }

    private List<String> fields(PipelineSpec spec) {
        return PipelineSpecs.validate(spec, policy).stream().map(Violation::field).toList();
    }

    @Test
    void shouldAcceptAValidSpecWithZonesLinesAndRules() {
        PipelineSpec spec =
                spec(
                        b ->
                                b.setMaxFps(5.0)
                                        .setMaxStalenessMillis(500L)
                                        .setZones(List.of(zone("hall", 0, 0, 100, 0, 100, 100)))
                                        .setLines(List.of(line("gate", 0, 50, 100, 50)))
                                        .setRules(
                                                List.of(
                                                        rule(
                                                                "crowd",
                                                                EventKind.COUNT_THRESHOLD,
                                                                b2 ->
                                                                        b2.setZone("hall")
                                                                                .setThreshold(3.0)),
                                                        rule(
                                                                "entering",
                                                                EventKind.LINE_CROSSING,
                                                                b2 -> b2.setLine("gate")))));

        assertThat(PipelineSpecs.validate(spec, policy)).isEmpty();
    }

    @Test
    void shouldRefuseBadIdsAndSourcesNamingTheField() {
        assertThat(fields(spec(b -> b.setPipelineId("../etc")))).containsExactly("pipelineId");
        assertThat(fields(spec(b -> b.setSource("/etc/passwd")))).containsExactly("source");
        assertThat(fields(spec(b -> b.setSource("rtsp://10.0.0.7/cam")))).containsExactly("source");
        assertThat(fields(spec(b -> b.setSource(" ")))).containsExactly("source");
        assertThat(
                        PipelineSpecs.validate(
                                        spec(b -> b.setSource("rtsp://admin:s3cret@10.0.0.7/cam")),
                                        policy)
                                .get(0)
                                .message())
                .contains("rtsp://***@10.0.0.7/cam")
                .doesNotContain("s3cret");
    }

    @Test
    void shouldRefuseRatesAndStalenessOutOfRange() {
        assertThat(fields(spec(b -> b.setMaxFps(-1.0)))).containsExactly("maxFps");
        assertThat(fields(spec(b -> b.setMaxFps(1e9)))).containsExactly("maxFps");
        assertThat(fields(spec(b -> b.setMaxFps(Double.NaN)))).containsExactly("maxFps");
        assertThat(fields(spec(b -> b.setMaxStalenessMillis(0L))))
                .containsExactly("maxStalenessMillis");
    }

    @Test
    void shouldCheckACascadeSecondStage() {
        java.util.function.Function<io.panoptes.avro.CascadeSpec.Builder, List<String>> cascade =
                c ->
                        fields(
                                spec(
                                        b ->
                                                b.setCascade(
                                                        c.setModel(
                                                                        c.hasModel()
                                                                                ? c.getModel()
                                                                                : "plates")
                                                                .build())));
        assertThat(cascade.apply(io.panoptes.avro.CascadeSpec.newBuilder())).isEmpty();
        assertThat(cascade.apply(io.panoptes.avro.CascadeSpec.newBuilder().setModel("a/b")))
                .containsExactly("cascade.model");
        assertThat(cascade.apply(io.panoptes.avro.CascadeSpec.newBuilder().setMaxCrops(0)))
                .containsExactly("cascade.maxCrops");
        assertThat(cascade.apply(io.panoptes.avro.CascadeSpec.newBuilder().setPadding(-0.1f)))
                .containsExactly("cascade.padding");
    }

    @Test
    void shouldRefuseBadShapesNamingTheItem() {
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setZones(
                                                        List.of(
                                                                zone("ok", 0, 0, 9, 0, 9, 9),
                                                                zone(
                                                                        "bow", 0, 0, 10, 10, 10, 0,
                                                                        0, 10))))))
                .containsExactly("zones[1].polygon");
        assertThat(fields(spec(b -> b.setZones(List.of(zone("two", 0, 0, 9, 9))))))
                .containsExactly("zones[0].polygon");
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setZones(
                                                        List.of(
                                                                zone("a", 0, 0, 9, 0, 9, 9),
                                                                zone("a", 1, 1, 8, 1, 8, 8))))))
                .containsExactly("zones[1].name");
        assertThat(fields(spec(b -> b.setLines(List.of(line("dot", 5, 5, 5, 5))))))
                .containsExactly("lines[0]");
        assertThat(fields(spec(b -> b.setLines(List.of(line("", 0, 0, 5, 5))))))
                .containsExactly("lines[0].name");
        List<Line> many = new ArrayList<>();
        for (int i = 0; i <= PipelineSpecs.MAX_ITEMS; i++) {
            many.add(line("l" + i, 0, 0, 5, 5));
        }
        assertThat(fields(spec(b -> b.setLines(many)))).containsExactly("lines");
    }

    @Test
    void shouldRefuseRulesThatNameWhatIsNotThere() {
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setRules(
                                                        List.of(
                                                                rule(
                                                                        "r",
                                                                        EventKind.DWELL,
                                                                        r ->
                                                                                r.setZone("nowhere")
                                                                                        .setDurationMillis(
                                                                                                1000L)))))))
                .containsExactly("rules[0].zone");
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setRules(
                                                        List.of(
                                                                rule(
                                                                        "r",
                                                                        EventKind.LINE_CROSSING,
                                                                        r ->
                                                                                r.setLine(
                                                                                        "nowhere")))))))
                .containsExactly("rules[0].line");
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setRules(
                                                        List.of(
                                                                rule(
                                                                        "r",
                                                                        EventKind.COUNT_THRESHOLD,
                                                                        r -> r))))))
                .containsExactly("rules[0]");
        assertThat(fields(spec(b -> b.setRules(List.of(rule("r", EventKind.UNKNOWN, r -> r))))))
                .containsExactly("rules[0]");
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setRules(
                                                        List.of(
                                                                rule(
                                                                        "r",
                                                                        EventKind.ABSENCE,
                                                                        r ->
                                                                                r.setDurationMillis(
                                                                                        1000L)),
                                                                rule(
                                                                        "r",
                                                                        EventKind.ABSENCE,
                                                                        r ->
                                                                                r.setDurationMillis(
                                                                                        2000L)))))))
                .containsExactly("rules[1].id");
        assertThat(
                        fields(
                                spec(
                                        b ->
                                                b.setRules(
                                                        List.of(
                                                                rule(
                                                                        "r",
                                                                        EventKind.COUNT_THRESHOLD,
                                                                        r ->
                                                                                r.setThreshold(1.0)
                                                                                        .setParams(
                                                                                                Map
                                                                                                        .of(
                                                                                                                "metric",
                                                                                                                "weight"))))))))
                .containsExactly("rules[0]");
    }

    @Test
    void shouldReportEveryViolationAtOnce() {
        List<Violation> violations =
                PipelineSpecs.validate(
                        spec(
                                b ->
                                        b.setPipelineId("-bad")
                                                .setMaxFps(0.0)
                                                .setLines(List.of(line("dot", 1, 1, 1, 1)))),
                        policy);

        assertThat(violations)
                .extracting(Violation::field)
                .containsExactly("pipelineId", "maxFps", "lines[0]");
        assertThat(PipelineSpecs.describe(violations))
                .startsWith("pipelineId: '-bad' must be")
                .contains("; maxFps: ");
    }

    @Test
    void shouldReadAnUnknownDesiredStateAsRunningAndCompareSources() {
        PipelineSpec unknown = spec(b -> b.setDesiredState(DesiredState.UNKNOWN));
        PipelineSpec paused =
                spec(
                        b ->
                                b.setDesiredState(DesiredState.PAUSED)
                                        .setZones(List.of(zone("z", 0, 0, 9, 0, 9, 9))));

        assertThat(PipelineSpecs.desired(unknown)).isEqualTo(DesiredState.RUNNING);
        assertThat(PipelineSpecs.desired(paused)).isEqualTo(DesiredState.PAUSED);
        assertThat(PipelineSpecs.sameSource(unknown, paused))
                .as("zones are the aggregator's")
                .isTrue();
        assertThat(PipelineSpecs.sameSource(unknown, spec(b -> b.setMaxFps(2.0)))).isFalse();
        assertThat(PipelineSpecs.sameSource(unknown, spec(b -> b.setModel("yolo")))).isFalse();
        assertThat(
                        PipelineSpecs.sameSource(
                                unknown,
                                spec(b -> b.setSourceOptions(Map.of("rtsp_transport", "tcp")))))
                .isFalse();
    }

    private static Zone zone(String name, double... xy) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < xy.length; i += 2) {
            points.add(new Point(xy[i], xy[i + 1]));
        }
        return new Zone(name, points);
    }

    private static Line line(String name, double x1, double y1, double x2, double y2) {
        return new Line(name, new Point(x1, y1), new Point(x2, y2));
    }

    private static RuleSpec rule(
            String id, EventKind kind, UnaryOperator<RuleSpec.Builder> change) {
        return change.apply(RuleSpec.newBuilder().setId(id).setKind(kind)).build();
    }
}
