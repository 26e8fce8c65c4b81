package io.panoptes.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.Detection;
import io.panoptes.avro.Detections;
import io.panoptes.avro.WindowCount;
import io.panoptes.kafka.embedded.SchemaRegistryServer;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An aggregator killed (SIGKILL) mid-stream and started again elsewhere: counts neither lost nor
 * doubled, tracks continue. The capture times are a year old, as in a replayed recording: outputs
 * must survive topic retention all the same.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class AggregatorExactlyOnceIT {

    private static final int STREAMS = 4;
    private static final int FRAMES = 1500; // 100 ms apart: 15 windows of 10 s per stream

    @Test
    void shouldNeitherLoseNorDoubleCountsWhenKilledAndRestarted(
            KafkaCluster kafka, @TempDir Path first, @TempDir Path second) throws Exception {
        try (SchemaRegistryServer registry =
                        SchemaRegistryServer.start(new InMemorySchemaRegistry());
                AggregatorHarness harness =
                        new AggregatorHarness(
                                kafka, RestSchemaRegistryClient.of(registry.url().toString()), 2)) {
            for (int seq = 0; seq < FRAMES; seq++) {
                for (int stream = 0; stream < STREAMS; stream++) {
                    harness.send(AggregatorHarness.walking("s" + stream, seq, 100));
                }
            }
            for (int stream = 0; stream < STREAMS; stream++) {
                harness.send(AggregatorHarness.endOfStream("s" + stream, FRAMES, FRAMES * 100L));
            }
            harness.flush();
            int total = STREAMS * (FRAMES + 1);
            List<String> input =
                    harness
                            .readAll(
                                    harness.topics.detections().name(),
                                    harness.topics.detections().valueSerde().deserializer(),
                                    Duration.ZERO)
                            .stream()
                            .map(
                                    r ->
                                            r.value().getStreamId()
                                                    + "/"
                                                    + r.value().getSeq()
                                                    + "@"
                                                    + r.partition()
                                                    + ":"
                                                    + r.offset())
                            .toList();
            assertThat(input).as("input").hasSize(total);

            Process victim = launch(harness, registry, first);
            try {
                awaitTracks(harness, total / 4);
            } finally {
                victim.destroyForcibly()
                        .waitFor(); // SIGKILL: no commit, an open transaction left behind
            }
            Process successor =
                    launch(harness, registry, second); // restores its state from the changelogs
            try {
                awaitTracks(harness, total);
                List<WindowCount> finals = harness.finalCounts(Duration.ofSeconds(5));

                List<Detections> tracks =
                        harness
                                .readAll(
                                        harness.topics.tracks().name(),
                                        harness.topics.tracks().valueSerde().deserializer(),
                                        Duration.ofSeconds(3))
                                .stream()
                                .map(ConsumerRecord::value)
                                .toList();
                Set<String> seen =
                        tracks.stream()
                                .map(t -> t.getStreamId() + "/" + t.getSeq())
                                .collect(Collectors.toSet());
                List<String> missing =
                        java.util.stream.IntStream.range(0, STREAMS)
                                .boxed()
                                .flatMap(
                                        st ->
                                                java.util.stream.LongStream.rangeClosed(0, FRAMES)
                                                        .mapToObj(q -> "s" + st + "/" + q))
                                .filter(k -> !seen.contains(k))
                                .toList();
                assertThat(missing).as("results never tracked").isEmpty();
                assertThat(tracks).hasSize(total);
                assertThat(tracks.stream().map(t -> t.getStreamId() + "/" + t.getSeq()).distinct())
                        .hasSize(total);
                Map<String, Set<Long>> trackIds =
                        tracks.stream()
                                .collect(
                                        Collectors.groupingBy(
                                                Detections::getStreamId,
                                                Collectors.flatMapping(
                                                        t ->
                                                                t.getDetections().stream()
                                                                        .map(Detection::getTrackId),
                                                        Collectors.toSet())));
                assertThat(trackIds.values())
                        .as("one walker per stream keeps its id across the crash")
                        .allSatisfy(ids -> assertThat(ids).hasSize(1));
                assertThat(finals)
                        .hasSize(STREAMS * 15)
                        .allSatisfy(
                                c -> {
                                    assertThat(c.getFramesSeen()).isEqualTo(100);
                                    assertThat(c.getUniqueTracks()).isEqualTo(1);
                                });
                assertThat(
                                finals.stream()
                                        .map(c -> c.getStreamId() + "/" + c.getWindowStart())
                                        .distinct())
                        .hasSize(STREAMS * 15);
            } finally {
                successor.destroy();
                successor.waitFor();
            }
        }
    }

    private static Process launch(
            AggregatorHarness harness, SchemaRegistryServer registry, Path stateDir)
            throws Exception {
        Path log = stateDir.resolve("aggregator.log");
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AggregatorProcess.class.getName(),
                        harness.kafka.bootstrapServers(),
                        registry.url().toString(),
                        harness.prefix,
                        harness.applicationId,
                        stateDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Waits until at least {@code count} results with track ids are committed. */
    private static void awaitTracks(AggregatorHarness harness, int count) {
        Map<String, Object> config =
                Map.of(
                        "bootstrap.servers",
                        harness.kafka.bootstrapServers(),
                        "group.id",
                        harness.kafka.uniqueName("progress"),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config,
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(harness.topics.tracks().name()));
            long seen = 0;
            long deadline = System.nanoTime() + AggregatorHarness.WAIT.toNanos();
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "only "
                                    + seen
                                    + " of "
                                    + count
                                    + " tracked results within "
                                    + AggregatorHarness.WAIT);
                }
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
    }
}
