package io.panoptes.aggregator.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The aggregator's own counters (Kafka Streams' metrics are bound separately). */
public final class AggregatorMetrics {

    private final Counter results;
    private final Counter windows;
    private final Counter heldBack;
    private final Counter deadLetters;

    public AggregatorMetrics(MeterRegistry registry) {
        results =
                Counter.builder("panoptes.aggregator.results")
                        .description("Results tracked and counted, in order")
                        .register(registry);
        windows =
                Counter.builder("panoptes.aggregator.windows.closed")
                        .description("Final window counts emitted")
                        .register(registry);
        heldBack =
                Counter.builder("panoptes.aggregator.held.back")
                        .description(
                                "Results that released nothing: out of order (held back) or duplicates (dropped)")
                        .register(registry);
        deadLetters =
                Counter.builder("panoptes.aggregator.dead.letters")
                        .description("Records sent to the DLQ")
                        .register(registry);
    }

    void results(int count) {
        results.increment(count);
    }

    void windowClosed() {
        windows.increment();
    }

    void heldBack() {
        heldBack.increment();
    }

    void deadLetter() {
        deadLetters.increment();
    }

    public double resultsCount() {
        return results.count();
    }

    public double deadLetterCount() {
        return deadLetters.count();
    }
}
