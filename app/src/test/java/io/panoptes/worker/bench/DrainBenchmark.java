package io.panoptes.worker.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Lag drain rate by worker count: a backlog of frames (6 streams of Megamind on 6 partitions) is
 * drained by 1, 2 and 3 workers of one group (BlazeFace, one inference thread each), each count on
 * a fresh copy of the backlog, in one run. On a 2-core machine this shows how the group shares the
 * partitions and where the cores run out, not absolute capacity.
 *
 * <p>Run: {@code scripts/benchmark.sh drain}.
 */
public final class DrainBenchmark {

    private static final int STREAMS = 6;
    private static final int FRAMES = 271;
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    public static void main(String[] args) throws Exception {
        ModelConfig face =
                ModelConfig.of(
                        "face", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.BLAZEFACE);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            drain(broker, face, "warm-up", 1);
            for (int workers = 1; workers <= 3; workers++) {
                double rate = drain(broker, face, "drain-" + workers, workers);
                System.out.printf(
                        Locale.ROOT,
                        "%d worker(s): backlog of %d frames drained at %.1f frames/s%n",
                        workers,
                        STREAMS * FRAMES,
                        rate);
            }
        }
        System.out.println(BenchmarkMachine.line());
    }

    private static double drain(
            EmbeddedKafkaBroker broker, ModelConfig model, String name, int workers)
            throws Exception {
        Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        Topics topics = Topics.create(name + ".", REGISTRY);
        try (Admin admin = Admin.create(kafka)) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(name + ".")
                                    .framesPartitions(STREAMS)
                                    .partitions(1)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        Thread.sleep(2000); // let the new partitions' leaders settle
        try (IngestService ingest =
                RoleService.started(
                        new IngestService(
                                IngestSettings.builder().fileLagBound(0).build(),
                                kafka,
                                topics,
                                new SimpleMeterRegistry()))) {
            for (int stream = 0; stream < STREAMS; stream++) {
                ingest.add(
                        SourceSpec.builder(TestVideos.megamind().toString())
                                .streamId("cam-" + stream)
                                .build());
            }
            ingest.awaitEnded(Duration.ofMinutes(5));
        }
        List<WorkerService> group = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < workers; i++) {
                group.add(
                        RoleService.started(
                                new WorkerService(
                                        WorkerSettings.builder().groupId(name).model(model).build(),
                                        kafka,
                                        topics,
                                        new SimpleMeterRegistry())));
            }
            while (group.stream().mapToLong(WorkerService::committed).sum()
                    < (long) STREAMS * FRAMES) {
                Thread.sleep(10);
            }
            return STREAMS * FRAMES / ((System.nanoTime() - start) / 1e9);
        } finally {
            group.forEach(WorkerService::close);
        }
    }
}
