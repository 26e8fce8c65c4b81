package io.panoptes.aggregator.internal.state;

import io.panoptes.aggregator.counting.StreamCounter;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.ordering.StreamSequencer;
import io.panoptes.aggregator.rules.RuleEngine;
import io.panoptes.aggregator.tracking.Track;
import io.panoptes.aggregator.tracking.Tracker;
import io.panoptes.aggregator.tracking.TrackerSettings;
import io.panoptes.aggregator.tracking.TrackerState;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.rules.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the aggregator does for one stream, in order: restore the order of its results and
 * drop duplicates, track objects, count windows on the stream's own clock. Its {@link #state()} is
 * what the state store keeps, so a restarted or moved instance continues where this one was (same
 * track ids, same open windows). Not thread-safe: one per stream, used by its task's thread.
 */
public final class StreamAggregate {

    /** What the aggregator is configured with, the same for every stream. */
    public record Settings(
            int reorderBuffer,
            TrackerSettings tracker,
            WindowSpec windows,
            Duration maxFutureSkew) {}

    /**
     * What one step produced: results with track ids (in order), windows that closed, and events of
     * rules that fired.
     */
    public record Output(List<Detections> tracked, List<WindowCount> closed, List<Event> events) {

        static Output empty() {
            return new Output(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /**
     * The stream's state, as stored.
     *
     * @param lastSeenMillis wall-clock time the stream's last result arrived (for the idle timeout)
     * @param geometryVersion which zones and lines the counter uses
     * @param rules what the rules remember (null in states written before rules existed)
     */
    public record State(
            String streamId,
            String pipelineId,
            StreamSequencer.State sequencer,
            TrackerState tracker,
            StreamCounter.State counter,
            long lastSeenMillis,
            String geometryVersion,
            RuleEngine.State rules) {}

    private final Settings settings;
    private final String streamId;
    private final Tracker tracker;
    private final StreamSequencer sequencer;
    private final RuleEngine rules;
    private String pipelineId;
    private TrackerState tracks;
    private StreamCounter counter;
    private Geometry geometry;
    private long lastSeenMillis;

    private StreamAggregate(
            Settings settings,
            String streamId,
            String pipelineId,
            StreamSequencer sequencer,
            TrackerState tracks,
            StreamCounter counter,
            Geometry geometry,
            long lastSeenMillis,
            RuleEngine.State rules) {
        this.settings = settings;
        this.streamId = streamId;
        this.pipelineId = pipelineId;
        this.tracker = new Tracker(settings.tracker());
        this.sequencer = sequencer;
        this.tracks = tracks;
        this.counter = counter;
        this.geometry = geometry;
        this.lastSeenMillis = lastSeenMillis;
        this.rules = new RuleEngine(streamId, rules == null ? RuleEngine.State.empty() : rules);
    }

    /** A stream seen for the first time. */
    public static StreamAggregate start(
            Settings settings, String streamId, String pipelineId, Geometry geometry) {
        return new StreamAggregate(
                settings,
                streamId,
                pipelineId,
                new StreamSequencer(settings.reorderBuffer()),
                TrackerState.empty(),
                counter(settings, streamId, pipelineId, geometry, null),
                geometry,
                0,
                null);
    }

    /**
     * A stream continued from its stored state, counted with {@code geometry} (which may have
     * changed).
     */
    public static StreamAggregate restore(Settings settings, State state, Geometry geometry) {
        return new StreamAggregate(
                settings,
                state.streamId(),
                state.pipelineId(),
                StreamSequencer.restore(settings.reorderBuffer(), state.sequencer()),
                state.tracker(),
                counter(settings, state.streamId(), state.pipelineId(), geometry, state.counter()),
                geometry,
                state.lastSeenMillis(),
                state.rules());
    }

    private static StreamCounter counter(
            Settings settings,
            String streamId,
            String pipelineId,
            Geometry geometry,
            StreamCounter.State state) {
        return state == null
                ? new StreamCounter(
                        streamId,
                        pipelineId,
                        settings.windows(),
                        geometry.zones(),
                        geometry.lines(),
                        settings.maxFutureSkew())
                : StreamCounter.restore(
                        streamId,
                        pipelineId,
                        settings.windows(),
                        geometry.zones(),
                        geometry.lines(),
                        settings.maxFutureSkew(),
                        state);
    }

    /**
     * Takes one result (in any order, possibly a duplicate) and returns what it released, without
     * rules.
     */
    public Output accept(Detections result, Geometry current, long nowMillis) {
        return accept(result, current, List.of(), nowMillis);
    }

    /**
     * Takes one result (in any order, possibly a duplicate) and returns what it released and what
     * {@code rules} made of it.
     */
    public Output accept(
            Detections result, Geometry current, List<Rule> activeRules, long nowMillis) {
        lastSeenMillis = nowMillis;
        if (result.getPipelineId() != null) {
            pipelineId = result.getPipelineId();
        }
        if (!current.version().equals(geometry.version())) {
            counter = counter(settings, streamId, pipelineId, current, counter.state());
            geometry = current;
        }
        Output output = Output.empty();
        for (StreamSequencer.Sequenced next : sequencer.accept(result)) {
            step(next.result(), next.frameIndex(), activeRules, output);
        }
        return output;
    }

    /**
     * The stream has been idle too long: release what waits for missing results and close every
     * window.
     */
    public Output flush(List<Rule> activeRules) {
        Output output = Output.empty();
        for (StreamSequencer.Sequenced next : sequencer.flush()) {
            step(next.result(), next.frameIndex(), activeRules, output);
        }
        List<WindowCount> closed = counter.closeAll();
        output.closed().addAll(closed);
        output.events().addAll(rules.onWindows(activeRules, closed));
        return output;
    }

    private void step(Detections result, long frameIndex, List<Rule> activeRules, Output output) {
        Detections tracked = result;
        if (result.getStatus() == DetectionStatus.OK) {
            Tracker.Update update = tracker.update(tracks, frameIndex, result.getDetections());
            tracks = update.state();
            tracked = withDetections(result, update.detections());
        }
        output.tracked().add(tracked);
        List<WindowCount> closed = counter.accept(tracked);
        output.closed().addAll(closed);
        if (!activeRules.isEmpty()) {
            output.events()
                    .addAll(
                            rules.onResult(
                                    activeRules,
                                    tracked,
                                    counter.lastCrossings(),
                                    geometry.zones()));
            output.events().addAll(rules.onWindows(activeRules, closed));
        }
        Set<Long> alive = tracks.tracks().stream().map(Track::id).collect(Collectors.toSet());
        counter.retainTracks(alive);
    }

    /**
     * A copy with other detections: the all-args constructor, since Avro's copying builder looks
     * classes up by name.
     */
    private static Detections withDetections(
            Detections r, List<io.panoptes.avro.Detection> detections) {
        return new Detections(
                r.getStreamId(),
                r.getEpoch(),
                r.getSeq(),
                r.getPipelineId(),
                r.getSourceKind(),
                r.getCaptureTime(),
                r.getInferenceTime(),
                r.getModel(),
                r.getStatus(),
                r.getError(),
                r.getWidth(),
                r.getHeight(),
                detections,
                r.getClassifications(),
                r.getTimings());
    }

    /** Every open window as it stands (final=false). */
    public List<WindowCount> running() {
        return counter.running();
    }

    public String pipelineId() {
        return pipelineId;
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    /** Whether anything waits to be released or counted (so an idle flush has work to do). */
    public boolean hasOpenWork() {
        return sequencer.buffered() > 0 || counter.openWindows() > 0;
    }

    public long duplicates() {
        return sequencer.duplicates();
    }

    public long gaps() {
        return sequencer.gaps();
    }

    public long lateResults() {
        return counter.lateResults();
    }

    public long futureResults() {
        return counter.futureResults();
    }

    public State state() {
        return new State(
                streamId,
                pipelineId,
                sequencer.state(),
                tracks,
                counter.state(),
                lastSeenMillis,
                geometry.version(),
                rules.state());
    }
}
