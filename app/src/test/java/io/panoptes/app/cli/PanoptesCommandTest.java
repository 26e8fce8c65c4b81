package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PanoptesCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = PanoptesCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    @Test
    void shouldTeachByExampleInItsHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("topics").contains("Examples:").contains("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void shouldPrintItsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("panoptes ").contains("Java 17");
    }

    @Test
    void shouldDescribeTopicsCreate() {
        assertThat(run("topics", "create", "--help")).isZero();
        assertThat(out.toString()).contains("--frames-partitions=N").contains("Idempotent");
    }

    @Test
    void shouldRefuseUnknownCommandsAndBadValuesWithUsage() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
        assertThat(run("topics", "create", "--frames-retention", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void shouldReportInvalidSettingsInOneLine() {
        assertThat(run("topics", "create", "--frames-partitions", "0")).isEqualTo(1);
        assertThat(err.toString().trim()).isEqualTo("panoptes topics create: framesPartitions must be in [1, 10000], got 0");
    }
}
