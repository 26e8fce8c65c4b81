package io.panoptes.aggregator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.topics.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * An aggregator in a process of its own, for tests that kill it (SIGKILL) mid-stream. Its session
 * timeout is short so that its successor does not wait 45 s for the group to notice the kill.
 * Arguments: bootstrap servers, registry URL, topic prefix, application id, state directory.
 */
public final class AggregatorProcess {

    private AggregatorProcess() {}

    public static void main(String[] args) throws Exception {
        Topics topics = Topics.create(args[2], RestSchemaRegistryClient.of(args[1]));
        AggregatorSettings settings =
                AggregatorHarness.settings(Path.of(args[4])).applicationId(args[3]).build();
        AggregatorService service =
                RoleService.started(
                        new AggregatorService(
                                settings,
                                Map.of("bootstrap.servers", args[0], "session.timeout.ms", 10_000),
                                topics,
                                new SimpleMeterRegistry(),
                                null));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        while (service.state() != KafkaStreams.State.ERROR
                && service.state() != KafkaStreams.State.NOT_RUNNING) {
            Thread.sleep(200);
        }
        System.exit(1);
    }
}
