package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline commands' refusals, before anything is started or reached. */
class PipelinesCommandsTest {

    private final CommandRun command = new CommandRun();

    @Test
    void shouldRefuseToServeTheApiWithoutAToken() {
        assumeTrue(System.getenv("PANOPTES_API_TOKEN") == null);

        assertThat(command.run("api", "--port", "0")).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "panoptes api: the API needs a bearer token: give --token or PANOPTES_API_TOKEN");
        assertThat(command.run("api", "--port", "0", "--token", "short")).isEqualTo(1);
        assertThat(command.err()).contains("the API token must be at least 16 characters (got 5)");
        assertThat(command.run("api", "--port", "0", "--token", "0123456789abcdef0", "--no-auth"))
                .isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "--no-auth and a token (--token or PANOPTES_API_TOKEN) contradict each other");
    }

    @Test
    void shouldRefuseAnIngestWithNothingToDo() {
        assertThat(command.run("ingest")).isEqualTo(1);
        assertThat(command.err())
                .contains("nothing to ingest: give --source URI (repeatable) or --pipelines");
    }

    @Test
    void shouldNameAnApiItCannotReachAndASpecFileItCannotRead(@TempDir Path dir) throws Exception {
        assertThat(command.run("pipelines", "list", "--api", "http://127.0.0.1:1"))
                .isEqualTo(UserException.UNREACHABLE);
        assertThat(command.err()).contains("cannot reach the API at http://127.0.0.1:1");
        Path garbage = Files.writeString(dir.resolve("spec.json"), "[not, an object");
        assertThat(
                        command.run(
                                "pipelines",
                                "create",
                                "door",
                                "--api",
                                "http://127.0.0.1:1",
                                "--spec",
                                garbage.toString()))
                .isEqualTo(1);
        assertThat(command.err()).contains("cannot read the spec " + garbage);
        Path list = Files.writeString(dir.resolve("list.json"), "[1, 2]");
        assertThat(
                        command.run(
                                "pipelines",
                                "create",
                                "door",
                                "--api",
                                "http://127.0.0.1:1",
                                "--spec",
                                list.toString()))
                .isEqualTo(1);
        assertThat(command.err()).contains("the spec " + list + " must hold one JSON object");
    }

    @Test
    void shouldDescribeThePipelineCommands() {
        assertThat(command.run("pipelines", "--help")).isZero();
        assertThat(command.out())
                .contains(
                        "list",
                        "create",
                        "status",
                        "pause",
                        "resume",
                        "terminate",
                        "PANOPTES_API_URL");
        assertThat(command.run("api", "--help")).isZero();
        assertThat(command.out())
                .contains(
                        "--source-dir", "--allow-private-sources", "--aggregator-url", "--no-auth");
    }
}
