package io.panoptes.aggregator.topology;

import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.internal.state.AggregateStore;
import io.panoptes.aggregator.internal.state.StateSerde;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.WindowCount;
import io.panoptes.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's topology: detections (keyed by stream) through one processor with two state
 * stores, the per-stream state and the counts, to the tracks, counts and events topics; the
 * pipelines topic is a global table the processor reads zones and lines from.
 */
public final class AggregatorTopology {

    public static final String STATE_STORE = "stream-state";
    public static final String COUNTS_STORE = "counts";
    public static final String PIPELINES_STORE = "pipelines";

    private AggregatorTopology() {}

    public static Topology build(
            AggregatorSettings settings, Topics topics, AggregatorMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.globalTable(
                topics.pipelines().name(),
                Consumed.with(Serdes.String(), topics.pipelines().valueSerde()),
                Materialized.as(PIPELINES_STORE));
        // live aggregates whose states are encoded, cached and logged once per commit
        builder.addStateStore(
                AggregateStore.builder(
                        Stores.keyValueStoreBuilder(
                                        Stores.persistentKeyValueStore(STATE_STORE),
                                        Serdes.String(),
                                        new StateSerde(
                                                topics.detections().valueSerde(),
                                                topics.detections().name()))
                                .withCachingEnabled()));
        builder.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(COUNTS_STORE),
                                Serdes.String(),
                                topics.counts().valueSerde())
                        .withCachingEnabled());

        KStream<String, SpecificRecord> out =
                builder.stream(
                                topics.detections().name(),
                                Consumed.with(Serdes.String(), topics.detections().valueSerde()))
                        .process(
                                () -> new StreamProcessor(settings, metrics),
                                STATE_STORE,
                                COUNTS_STORE);
        out.filter((key, value) -> value instanceof Detections)
                .mapValues(value -> (Detections) value)
                .to(
                        topics.tracks().name(),
                        Produced.with(Serdes.String(), topics.tracks().valueSerde()));
        out.filter((key, value) -> value instanceof WindowCount)
                .mapValues(value -> (WindowCount) value)
                .to(
                        topics.counts().name(),
                        Produced.with(Serdes.String(), topics.counts().valueSerde()));
        out.filter((key, value) -> value instanceof Event)
                .mapValues(value -> (Event) value)
                .to(
                        topics.events().name(),
                        Produced.with(Serdes.String(), topics.events().valueSerde()));
        return builder.build();
    }
}
