package io.panoptes.app;

import static org.awaitility.Awaitility.await;

import io.panoptes.schemas.KafkaRecords;
import io.panoptes.testkit.RepositoryRoot;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Roles started as separate JVMs from the jar, as on a cluster, each logging to {@code
 * dir/<name>.log}; closing kills them all.
 */
final class PanoptesProcesses implements AutoCloseable {

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private String bootstrap;
    private String registry;

    PanoptesProcesses(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts {@code panoptes broker} on free ports with {@code topicArgs} and waits until it is
     * ready.
     */
    Process broker(String... topicArgs) throws Exception {
        List<String> args =
                new ArrayList<>(List.of("broker", "--kafka-port", "0", "--registry-port", "0"));
        args.addAll(List.of(topicArgs));
        Process broker = start("broker", args.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("broker").contains("broker ready"));
        bootstrap = value(log("broker"), "bootstrap.servers");
        registry = value(log("broker"), "schema.registry.url");
        return broker;
    }

    String bootstrap() {
        return bootstrap;
    }

    String registry() {
        return registry;
    }

    /** The options that point a role at the broker. */
    String[] kafka() {
        return new String[] {"--bootstrap-servers", bootstrap, "--registry-url", registry};
    }

    /** Starts {@code panoptes args...} as {@code name}. */
    Process start(String name, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find()
                                        .resolve("app/target/panoptes.jar")
                                        .toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    String log(String name) throws Exception {
        return Files.readString(dir.resolve(name + ".log"));
    }

    /** The last {@code chars} characters of each log, for failure messages. */
    String tails(int chars, String... names) throws Exception {
        StringBuilder logs = new StringBuilder();
        for (String name : names) {
            String text = log(name);
            logs.append("\n== ")
                    .append(name)
                    .append(" (last ")
                    .append(chars)
                    .append(" chars)\n")
                    .append(text.substring(Math.max(0, text.length() - chars)));
        }
        return logs.toString();
    }

    /** The {@code \S+} after {@code key=} in {@code log}. */
    static String value(String log, String key) {
        Matcher m = Pattern.compile(Pattern.quote(key) + "=(\\S+)").matcher(log);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in:\n" + log);
        }
        return m.group(1);
    }

    static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] part : parts) {
            all.addAll(List.of(part));
        }
        return all.toArray(String[]::new);
    }

    /**
     * A worker on the bundled face model that leaves its group 10 s after it dies instead of 45.
     */
    static String[] worker() {
        return new String[] {
            "worker",
            "--model",
            "face",
            "--transaction-timeout",
            "5s",
            "-X",
            "session.timeout.ms=10000"
        };
    }

    /** Every committed value of {@code topic} up to its end, read without a group. */
    <V> List<V> values(String topic, Deserializer<V> values) {
        return KafkaRecords.readAll(bootstrap, topic, new StringDeserializer(), values).stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
