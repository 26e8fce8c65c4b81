package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.TestVideos;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with real processes started from the jar, as on a cluster: a broker process, an ingest
 * of three live-paced streams, one worker, then a second and a third joining, then one killed with
 * SIGKILL. Every frame published gets exactly one committed result and the killed worker's partitions move.
 */
@Timeout(300)
class ScaleOutIT {

    private static final int STREAMS = 3;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldGiveEveryFrameExactlyOneResultWhileWorkersJoinAndOneIsKilled(@TempDir Path dir) throws Exception {
        Process broker = panoptes(dir, "broker", "broker", "--kafka-port", "0", "--registry-port", "0", "--frames-partitions", "6");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("broker.log")).contains("broker ready"));
        String log = Files.readString(dir.resolve("broker.log"));
        String bootstrap = value(log, "bootstrap.servers");
        String registry = value(log, "schema.registry.url");
        String[] kafka = {"--bootstrap-servers", bootstrap, "--registry-url", registry};

        Process first = panoptes(dir, "worker-1", concat(new String[] {"worker"}, kafka, worker()));
        List<String> ingestArgs = new ArrayList<>(List.of("ingest"));
        for (int i = 0; i < STREAMS; i++) { // paced like cameras (LIVE): a frame late under the default policy is SKIPPED_STALE
            ingestArgs.addAll(List.of("--source", TestVideos.megamind().toString(), "--stream-id", "cam-" + i, "--realtime"));
        }
        Process ingest = panoptes(dir, "ingest", concat(ingestArgs.toArray(String[]::new), kafka));
        Thread.sleep(3000);
        Process second = panoptes(dir, "worker-2", concat(new String[] {"worker"}, kafka, worker()));
        Thread.sleep(2000);
        panoptes(dir, "worker-3", concat(new String[] {"worker"}, kafka, worker()));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("worker-2.log")).contains("partitions assigned: ["));
        Thread.sleep(1000);
        second.destroyForcibly(); // SIGKILL: its open transaction is aborted, its partitions go to the others

        assertThat(ingest.waitFor(120, TimeUnit.SECONDS)).as("the live-paced files end").isTrue();
        assertThat(ingest.exitValue()).as(Files.readString(dir.resolve("ingest.log"))).isZero();
        Topics topics = Topics.create(Topics.DEFAULT_PREFIX, RestSchemaRegistryClient.of(registry));
        // live-paced sources drop frames while the workers lag (ingest adapts its rate): every frame *published* counts
        java.util.Set<String> published = new java.util.HashSet<>();
        readAll(bootstrap, topics.frames().name(), topics.frames().valueSerde().deserializer())
                .forEach(f -> published.add(f.getStreamId() + "/" + f.getSeq()));
        assertThat(published).hasSizeGreaterThan(STREAMS * 20);
        Map<String, Integer> resultsByFrame = new HashMap<>();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                resultsByFrame.clear();
                readAll(bootstrap, topics.detections().name(), topics.detections().valueSerde().deserializer())
                        .forEach(r -> resultsByFrame.merge(r.getStreamId() + "/" + r.getSeq(), 1, Integer::sum));
                return resultsByFrame.keySet().equals(published);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            for (String name : List.of("ingest", "worker-1", "worker-2", "worker-3")) {
                String text = Files.readString(dir.resolve(name + ".log"));
                logs.append("\n== ").append(name).append(" (last 3000 chars)\n").append(text.substring(Math.max(0, text.length() - 3000)));
            }
            throw new AssertionError(resultsByFrame.size() + " of " + published.size() + " frames have results; end offsets "
                    + ends(bootstrap, topics, "read_committed") + " vs " + ends(bootstrap, topics, "read_uncommitted") + logs, e);
        }
        assertThat(resultsByFrame.values()).as("no frame has two results").containsOnly(1);
        List<Detections> results = readAll(bootstrap, topics.detections().name(), topics.detections().valueSerde().deserializer());
        assertThat(results).hasSize(published.size());
        assertThat(results).filteredOn(r -> r.getStatus() == DetectionStatus.END_OF_STREAM).hasSize(STREAMS);
        java.util.Set<String> owned = new java.util.TreeSet<>(lastAssignment(dir.resolve("worker-1.log")));
        owned.addAll(lastAssignment(dir.resolve("worker-3.log")));
        assertThat(owned).as("the survivors own every partition, the killed worker's too").hasSize(6);
        assertThat(first.isAlive()).isTrue();
        assertThat(broker.isAlive()).isTrue();
    }

    private static String[] worker() {
        return new String[] {"--model", "face", "--model-path",
            RepositoryRoot.find().resolve("app/src/main/resources/models/blazeface/face_detection_front_128x128.onnx").toString(),
            "--model-family", "blazeface", "--transaction-timeout", "5s",
            // the group notices the killed worker after 10 s instead of 45
            "-X", "session.timeout.ms=10000"};
    }

    /** Every committed record of {@code topic} up to its end, read without a group. */
    private static <V> List<V> readAll(String bootstrap, String topic, org.apache.kafka.common.serialization.Deserializer<V> values) {
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", "read_committed"), new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<V> all = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> all.add(r.value()));
            }
            return all;
        }
    }

    private static Map<TopicPartition, Long> ends(String bootstrap, Topics topics, String isolation) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", isolation), new StringDeserializer(), new StringDeserializer())) {
            return consumer.endOffsets(consumer.partitionsFor(topics.detections().name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
        }
    }

    private Process panoptes(Path dir, String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                RepositoryRoot.find().resolve("app/target/panoptes.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** The partitions a worker owns by its log: assignments (incremental under cooperative rebalancing) less revocations. */
    private static java.util.Set<String> lastAssignment(Path log) throws Exception {
        java.util.Set<String> owned = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("partitions (assigned|revoked|lost[^:]*): \\[([^\\]]*)\\]").matcher(Files.readString(log));
        while (m.find()) {
            List<String> partitions = m.group(2).isBlank() ? List.of() : List.of(m.group(2).split(", "));
            if (m.group(1).equals("assigned")) {
                owned.addAll(partitions);
            } else {
                owned.removeAll(partitions);
            }
        }
        return owned;
    }

    private static String value(String log, String key) {
        Matcher m = Pattern.compile(Pattern.quote(key) + "=(\\S+)").matcher(log);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in:\n" + log);
        }
        return m.group(1);
    }

    private static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] part : parts) {
            all.addAll(List.of(part));
        }
        return all.toArray(String[]::new);
    }
}
