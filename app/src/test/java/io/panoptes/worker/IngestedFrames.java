package io.panoptes.worker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.runtime.lifecycle.RoleService;
import java.util.Map;

/**
 * The real ingest filling a {@link WorkerHarness}'s frames topic, where both roles are on the
 * classpath.
 */
final class IngestedFrames {

    private IngestedFrames() {}

    /** Publishes every frame of {@code sources} and waits until they are acknowledged. */
    static void ingest(WorkerHarness harness, SourceSpec... sources) throws Exception {
        try (IngestService ingest = service(harness)) {
            for (SourceSpec source : sources) {
                ingest.add(source);
            }
            if (!ingest.awaitEnded(WorkerHarness.WAIT)) {
                throw new AssertionError("ingest did not finish in " + WorkerHarness.WAIT);
            }
        }
    }

    /** A started ingest on the harness's topics, throttled by its workers' group. */
    static IngestService service(WorkerHarness harness) {
        return RoleService.started(
                new IngestService(
                        IngestSettings.builder().workerGroup(harness.group).fileLagBound(0).build(),
                        Map.of("bootstrap.servers", harness.kafka.bootstrapServers()),
                        harness.topics,
                        new SimpleMeterRegistry()));
    }
}
