package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.app.cli.CommandRun;
import io.panoptes.app.cli.UserException;
import io.panoptes.schemas.topics.TopicKind;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.LoopbackPorts;
import io.panoptes.testkit.RepositoryRoot;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(180)
class TopicsCreateIT {

    private final CommandRun command = new CommandRun();

    private int run(String... args) {
        return command.run(args);
    }

    @Test
    void shouldCreateTheTopicsOnceThenFindThem(KafkaCluster kafka) {
        String prefix = kafka.uniqueName("cli") + ".";

        int exit =
                run(
                        "topics",
                        "create",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--prefix",
                        prefix,
                        "--frames-partitions",
                        "3");
        assertThat(exit).as(command.err()).isZero();
        assertThat(command.out().lines())
                .hasSize(TopicKind.values().length)
                .allMatch(l -> l.startsWith("created"))
                .contains("created  " + prefix + "frames (3 partitions)")
                .contains("created  " + prefix + "models (4 partitions)");

        command.clear();
        exit =
                run(
                        "topics",
                        "create",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--prefix",
                        prefix,
                        "--frames-partitions",
                        "3");
        assertThat(exit).as(command.err()).isZero();
        assertThat(command.out().lines())
                .hasSize(TopicKind.values().length)
                .allMatch(l -> l.startsWith("exists"));
    }

    @Test
    void shouldFailNamingEachMismatchedTopic(KafkaCluster kafka) throws Exception {
        String prefix = kafka.uniqueName("clash") + ".";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(prefix + "pipeline-status", 1, (short) 1)))
                    .all()
                    .get();
        }

        int exit =
                run(
                        "topics",
                        "create",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--prefix",
                        prefix);

        assertThat(exit).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "topic "
                                + prefix
                                + "pipeline-status exists with 1 partition(s), fewer than the 4 asked for")
                .contains("cleanup.policy=delete, but compact is needed");
    }

    @Test
    void shouldSayWhenKafkaIsUnreachable() throws Exception {
        int closedPort = LoopbackPorts.closed();

        int exit =
                run(
                        "topics",
                        "create",
                        "--bootstrap-servers",
                        "127.0.0.1:" + closedPort,
                        "--timeout",
                        "2s");

        assertThat(exit).isEqualTo(UserException.UNREACHABLE);
        assertThat(command.err())
                .contains("did not answer within 2000 ms")
                .contains("bootstrap.servers=127.0.0.1:" + closedPort);
    }

    @Test
    void shouldRunFromTheRunnableJarWithTheBootstrapFromTheEnvironment(KafkaCluster kafka)
            throws Exception {
        Path jar = RepositoryRoot.find().resolve("app/target/panoptes.jar");
        String prefix = kafka.uniqueName("jar") + ".";
        ProcessBuilder builder =
                new ProcessBuilder(
                                javaBinary(),
                                "-jar",
                                jar.toString(),
                                "topics",
                                "create",
                                "--prefix",
                                prefix)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());

        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("created  " + prefix + "frames (6 partitions)");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
