package io.panoptes.aggregator.internal.state;

/** Read access to streams' stored states, as of their last commit (for interactive queries). */
@FunctionalInterface
public interface StoredStates {

    /** The stream's state, or null when no local task holds it. */
    StreamAggregate.State get(String streamId);
}
