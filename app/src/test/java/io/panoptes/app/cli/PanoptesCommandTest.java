package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PanoptesCommandTest {

    private final CommandRun command = new CommandRun();

    private int run(String... args) {
        return command.run(args);
    }

    @Test
    void shouldTeachByExampleInItsHelp() {
        assertThat(run("--help")).isZero();
        assertThat(command.out())
                .contains("topics")
                .contains("Examples:")
                .contains("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void shouldPrintItsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(command.out()).startsWith("panoptes ").contains("Java 17");
    }

    @Test
    void shouldDescribeTopicsCreate() {
        assertThat(run("topics", "create", "--help")).isZero();
        assertThat(command.out()).contains("--frames-partitions=N").contains("Idempotent");
    }

    @Test
    void shouldRefuseUnknownCommandsAndBadValuesWithUsage() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(command.err()).contains("Unmatched argument");
        assertThat(run("topics", "create", "--frames-retention", "soon")).isEqualTo(2);
        assertThat(command.err()).contains("'soon' is not a duration");
    }

    @Test
    void shouldReportInvalidSettingsInOneLine() {
        assertThat(run("topics", "create", "--frames-partitions", "0")).isEqualTo(1);
        assertThat(command.err().trim())
                .isEqualTo("panoptes topics create: framesPartitions must be in [1, 10000], got 0");
    }
}
