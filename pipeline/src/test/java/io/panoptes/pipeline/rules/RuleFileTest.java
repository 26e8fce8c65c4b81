package io.panoptes.pipeline.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.EventKind;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.geometry.ShapeText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFileTest {

    private static final Map<String, Geometry> SHAPES =
            ShapeText.parse(
                    List.of("cam-1:door=0,0,100,0,100,100"), List.of("cam-1:gate=0,50,200,50"));

    @TempDir Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("rules.yaml"), yaml);
    }

    @Test
    void shouldLoadEveryKindFromYaml() throws Exception {
        List<Rule> rules =
                RuleFile.load(
                        write(
                                """
                rules:
                  - id: crowd
                    kind: count_threshold
                    stream: cam-1
                    label: person
                    zone: door
                    threshold: 5
                    cooldown: 5m
                  - {id: entering, kind: LINE_CROSSING, line: gate, direction: IN}
                  - {id: lingering, kind: DWELL, zone: door, duration: 30s}
                  - {id: stopped, kind: ABSENCE, label: box, duration: 10s}
                  - {id: arrivals, kind: ZONE_ENTER, zone: door}
                """),
                        SHAPES);

        assertThat(rules)
                .extracting(Rule::kind)
                .containsExactly(
                        EventKind.COUNT_THRESHOLD,
                        EventKind.LINE_CROSSING,
                        EventKind.DWELL,
                        EventKind.ABSENCE,
                        EventKind.ZONE_ENTER);
        assertThat(rules.get(0).cooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(rules.get(0).metric()).isEqualTo("maxConcurrent");
        assertThat(rules.get(1).direction()).isEqualTo("in");
        assertThat(rules.get(1).appliesTo("any-stream")).isTrue();
        assertThat(rules.get(0).appliesTo("cam-2")).isFalse();
    }

    @Test
    void shouldNameTheFileTheRuleAndTheFieldOfEachMistake() throws Exception {
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write(
                                                "rules:\n  - {id: a, kind: ABSENCE, duration: 10s, treshold: 3}\n"),
                                        SHAPES))
                .hasMessageContaining("rules.yaml: unknown field 'treshold' at line 2");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write(
                                                "rules:\n  - {id: a, kind: ZONE_ENTER, zone: kitchen}\n"),
                                        SHAPES))
                .hasMessageContaining("rule 'a': unknown zone 'kitchen': configure it with --zone");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write(
                                                "rules:\n  - {id: a, kind: ZONE_ENTER, stream: cam-2, zone: door}\n"),
                                        SHAPES))
                .hasMessageContaining("unknown zone 'door' on stream cam-2");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write(
                                                "rules:\n  - {id: a, kind: DWELL, zone: door, duration: soon}\n"),
                                        SHAPES))
                .hasMessageContaining("rule 'a': field 'duration': 'soon' is not a duration");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write("rules:\n  - {id: a, kind: COUNT_THRESHOLD}\n"),
                                        SHAPES))
                .hasMessageContaining("rule 'a': field 'threshold' is required for this kind");
        assertThatThrownBy(
                        () -> RuleFile.load(write("rules:\n  - {id: a, kind: TELEPORT}\n"), SHAPES))
                .hasMessageContaining("field 'kind': unknown kind 'TELEPORT'");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write("rules:\n  - {kind: ABSENCE, duration: 1s}\n"),
                                        SHAPES))
                .hasMessageContaining("rule #1: a rule needs an id");
        assertThatThrownBy(
                        () ->
                                RuleFile.load(
                                        write(
                                                "rules:\n  - {id: a, kind: ABSENCE, duration: 1s}\n"
                                                        + "  - {id: a, kind: ABSENCE, duration: 2s}\n"),
                                        SHAPES))
                .hasMessageContaining("rule 'a' is defined twice");
        assertThatThrownBy(() -> RuleFile.load(write("rules: [\n"), SHAPES))
                .hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> RuleFile.load(dir.resolve("missing.yaml"), SHAPES))
                .hasMessageContaining("missing.yaml cannot be read");
    }
}
