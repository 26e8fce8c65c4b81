package io.panoptes.app;

import static io.panoptes.app.PanoptesProcesses.concat;
import static io.panoptes.app.PanoptesProcesses.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.TestVideos;
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
 * SIGKILL. Every frame published gets exactly one committed result and the killed worker's
 * partitions move.
 */
@Timeout(300)
class ScaleOutIT {

    private static final int STREAMS = 3;
    private PanoptesProcesses processes;

    @AfterEach
    void stop() {
        processes.close();
    }

    @Test
    void shouldGiveEveryFrameExactlyOneResultWhileWorkersJoinAndOneIsKilled(@TempDir Path dir)
            throws Exception {
        processes = new PanoptesProcesses(dir);
        Process broker = processes.broker("--frames-partitions", "6");
        String bootstrap = processes.bootstrap();
        String registry = processes.registry();
        String[] kafka = processes.kafka();

        Process first = processes.start("worker-1", concat(worker(), kafka));
        List<String> ingestArgs = new ArrayList<>(List.of("ingest"));
        for (int i = 0;
                i < STREAMS;
                i++) { // paced like cameras (LIVE): a frame late under the default policy is
            // SKIPPED_STALE
            ingestArgs.addAll(
                    List.of(
                            "--source",
                            TestVideos.megamind().toString(),
                            "--stream-id",
                            "cam-" + i,
                            "--realtime"));
        }
        Process ingest =
                processes.start("ingest", concat(ingestArgs.toArray(String[]::new), kafka));
        Thread.sleep(3000);
        Process second = processes.start("worker-2", concat(worker(), kafka));
        Thread.sleep(2000);
        processes.start("worker-3", concat(worker(), kafka));
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                Files.readString(dir.resolve("worker-2.log"))
                                        .contains("partitions assigned: ["));
        Thread.sleep(1000);
        second.destroyForcibly(); // SIGKILL: its open transaction is aborted, its partitions go
        // to the others

        assertThat(ingest.waitFor(120, TimeUnit.SECONDS)).as("the live-paced files end").isTrue();
        assertThat(ingest.exitValue()).as(Files.readString(dir.resolve("ingest.log"))).isZero();
        Topics topics = Topics.create(Topics.DEFAULT_PREFIX, RestSchemaRegistryClient.of(registry));
        // live-paced sources drop frames while the workers lag (ingest adapts its rate): every
        // frame *published* counts
        java.util.Set<String> published = new java.util.HashSet<>();
        processes
                .values(topics.frames().name(), topics.frames().valueSerde().deserializer())
                .forEach(f -> published.add(f.getStreamId() + "/" + f.getSeq()));
        assertThat(published).hasSizeGreaterThan(STREAMS * 20);
        Map<String, Integer> resultsByFrame = new HashMap<>();
        try {
            await().atMost(Duration.ofSeconds(120))
                    .until(
                            () -> {
                                resultsByFrame.clear();
                                processes
                                        .values(
                                                topics.detections().name(),
                                                topics.detections().valueSerde().deserializer())
                                        .forEach(
                                                r ->
                                                        resultsByFrame.merge(
                                                                r.getStreamId() + "/" + r.getSeq(),
                                                                1,
                                                                Integer::sum));
                                return resultsByFrame.keySet().equals(published);
                            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String logs = processes.tails(3000, "ingest", "worker-1", "worker-2", "worker-3");
            throw new AssertionError(
                    resultsByFrame.size()
                            + " of "
                            + published.size()
                            + " frames have results; end offsets "
                            + ends(bootstrap, topics, "read_committed")
                            + " vs "
                            + ends(bootstrap, topics, "read_uncommitted")
                            + logs,
                    e);
        }
        assertThat(resultsByFrame.values()).as("no frame has two results").containsOnly(1);
        List<Detections> results =
                processes.values(
                        topics.detections().name(),
                        topics.detections().valueSerde().deserializer());
        assertThat(results).hasSize(published.size());
        assertThat(results)
                .filteredOn(r -> r.getStatus() == DetectionStatus.END_OF_STREAM)
                .hasSize(STREAMS);
        // the group settles once the killed worker's session (10 s) has expired, whenever the
        // results were complete
        java.util.Set<String> owned = new java.util.TreeSet<>();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                owned.clear();
                                owned.addAll(lastAssignment(dir.resolve("worker-1.log")));
                                owned.addAll(lastAssignment(dir.resolve("worker-3.log")));
                                return owned.size() == 6;
                            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "the survivors own "
                            + owned
                            + ", not every partition, the killed worker's too"
                            + processes.tails(3000, "worker-1", "worker-2", "worker-3"),
                    e);
        }
        assertThat(first.isAlive()).isTrue();
        assertThat(broker.isAlive()).isTrue();
    }

    private static Map<TopicPartition, Long> ends(
            String bootstrap, Topics topics, String isolation) {
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(
                        Map.of("bootstrap.servers", bootstrap, "isolation.level", isolation),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            return consumer.endOffsets(
                    consumer.partitionsFor(topics.detections().name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList());
        }
    }

    /**
     * The partitions a worker owns by its log: assignments (incremental under cooperative
     * rebalancing) less revocations.
     */
    private static java.util.Set<String> lastAssignment(Path log) throws Exception {
        java.util.Set<String> owned = new java.util.TreeSet<>();
        Matcher m =
                Pattern.compile("partitions (assigned|revoked|lost[^:]*): \\[([^\\]]*)\\]")
                        .matcher(Files.readString(log));
        while (m.find()) {
            List<String> partitions =
                    m.group(2).isBlank() ? List.of() : List.of(m.group(2).split(", "));
            if (m.group(1).equals("assigned")) {
                owned.addAll(partitions);
            } else {
                owned.removeAll(partitions);
            }
        }
        return owned;
    }
}
