package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlDefaultsTest {

    private final CommandRun command = new CommandRun();

    @Test
    void shouldTakeOptionDefaultsFromTheFileAndLetFlagsWin(@TempDir Path dir) throws Exception {
        Path config =
                Files.writeString(
                        dir.resolve("panoptes.yaml"),
                        """
                common:
                  registry-url: http://registry.example:8081
                aggregator:
                  line: "cam:flat=5,5,5,5"
                """);

        // the line from the file is read (and refused for its zero length): the file's values reach
        // the command
        assertThat(command.run("aggregator", "--config", config.toString())).isEqualTo(1);
        assertThat(command.err()).contains("line 'flat' has zero length");
        command.clear();
        // a flag wins over the file
        assertThat(
                        command.run(
                                "aggregator",
                                "--config",
                                config.toString(),
                                "--line",
                                "cam:dot=7,7,7,7"))
                .isEqualTo(1);
        assertThat(command.err()).contains("line 'dot' has zero length").doesNotContain("'flat'");
    }

    @Test
    void shouldRefuseAFileWithAnUnknownSectionOrOptionNamingIt(@TempDir Path dir) throws Exception {
        Path section = Files.writeString(dir.resolve("a.yaml"), "wroker:\n  group: g\n");
        Path option = Files.writeString(dir.resolve("b.yaml"), "worker:\n  inference-thread: 2\n");
        Path broken = Files.writeString(dir.resolve("c.yaml"), "worker: [\n");

        assertThat(command.run("worker", "--config", section.toString())).isEqualTo(2);
        assertThat(command.err()).contains("config file " + section + ": unknown section 'wroker'");
        assertThat(command.run("worker", "--config", option.toString())).isEqualTo(2);
        assertThat(command.err())
                .contains("worker has no option 'inference-thread' (see panoptes worker --help)");
        assertThat(command.run("worker", "--config", broken.toString())).isEqualTo(2);
        assertThat(command.err()).contains("config file " + broken + " cannot be read");
        assertThat(command.run("worker", "--config", dir.resolve("none.yaml").toString()))
                .isEqualTo(2);
        assertThat(command.err()).contains("none.yaml cannot be read");
    }
}
