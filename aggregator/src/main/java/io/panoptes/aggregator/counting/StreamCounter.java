package io.panoptes.aggregator.counting;

import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.DirectedLine;
import io.panoptes.pipeline.geometry.Polygon;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Windowed counts of one stream on the stream's own clock: a watermark that only this stream's
 * capture times move, so a fast file never makes a live camera on the same partition late. Takes
 * the stream's results in order, with track ids; per window, label and zone it counts distinct
 * tracks, the most objects in one frame, the mean per frame, line crossings (each track once per
 * line) and the frames behind the numbers (seen, and skipped or failed). A window is emitted,
 * final, once the watermark passes its end plus grace, or when the stream ends. LIVE results
 * stamped far in the future are not counted and do not move the clock. Not thread-safe: one per
 * stream.
 */
public final class StreamCounter {

    /** Whole-frame counts use this zone key. */
    private static final String WHOLE_FRAME = "";

    private final String streamId;
    private final String pipelineId;
    private final WindowSpec windows;
    private final List<Polygon> zones;
    private final List<DirectedLine> lines;
    private final Duration maxFutureSkew;
    private final TreeMap<Long, Window> open = new TreeMap<>();
    private final Map<String, float[]> lastAnchor = new HashMap<>();
    private final Set<String> crossed = new HashSet<>();
    private final List<Crossing> lastCrossings = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private long late;
    private long future;

    /** One window's tallies by label and zone, and the frames behind them. */
    private static final class Window {
        final Map<String, Map<String, WindowTally>> byLabelAndZone = new TreeMap<>();
        long framesSeen;
        long framesSkipped;

        WindowTally tally(String label, String zone) {
            return byLabelAndZone
                    .computeIfAbsent(label, l -> new TreeMap<>())
                    .computeIfAbsent(zone, z -> new WindowTally());
        }
    }

    /**
     * What a counter remembers, so that it can live in a state store.
     *
     * @param watermark the stream's clock (epoch millis; {@code Long.MIN_VALUE} before the first
     *     result)
     * @param windows the open windows
     * @param anchors where each live track stood last off each line, by "track/line"
     * @param crossed "track/line" pairs already counted
     */
    public record State(
            long watermark,
            long late,
            long future,
            List<WindowState> windows,
            Map<String, float[]> anchors,
            List<String> crossed) {

        public State {
            windows = List.copyOf(windows);
            anchors = Map.copyOf(anchors);
            crossed = List.copyOf(crossed);
        }
    }

    /** One open window: its tallies by label, then zone ("" for the whole frame). */
    public record WindowState(
            long start,
            long framesSeen,
            long framesSkipped,
            Map<String, Map<String, WindowTally.State>> tallies) {}

    public StreamCounter(
            String streamId,
            String pipelineId,
            WindowSpec windows,
            List<Polygon> zones,
            List<DirectedLine> lines,
            Duration maxFutureSkew) {
        this.streamId = streamId;
        this.pipelineId = pipelineId;
        this.windows = windows;
        this.zones = List.copyOf(zones);
        this.lines = List.copyOf(lines);
        this.maxFutureSkew = maxFutureSkew;
    }

    /**
     * A counter that continues from {@code state}, with this geometry (which may have changed
     * meanwhile).
     */
    public static StreamCounter restore(
            String streamId,
            String pipelineId,
            WindowSpec windows,
            List<Polygon> zones,
            List<DirectedLine> lines,
            Duration maxFutureSkew,
            State state) {
        StreamCounter counter =
                new StreamCounter(streamId, pipelineId, windows, zones, lines, maxFutureSkew);
        counter.watermark = state.watermark();
        counter.late = state.late();
        counter.future = state.future();
        for (WindowState saved : state.windows()) {
            Window window = new Window();
            window.framesSeen = saved.framesSeen();
            window.framesSkipped = saved.framesSkipped();
            saved.tallies()
                    .forEach(
                            (label, byZone) ->
                                    byZone.forEach(
                                            (zone, tally) ->
                                                    window.byLabelAndZone
                                                            .computeIfAbsent(
                                                                    label, l -> new TreeMap<>())
                                                            .put(zone, new WindowTally(tally))));
            counter.open.put(saved.start(), window);
        }
        counter.lastAnchor.putAll(state.anchors());
        counter.crossed.addAll(state.crossed());
        return counter;
    }

    public State state() {
        List<WindowState> windowStates = new ArrayList<>();
        open.forEach(
                (start, window) -> {
                    Map<String, Map<String, WindowTally.State>> tallies = new TreeMap<>();
                    window.byLabelAndZone.forEach(
                            (label, byZone) ->
                                    byZone.forEach(
                                            (zone, tally) ->
                                                    tallies.computeIfAbsent(
                                                                    label, l -> new TreeMap<>())
                                                            .put(zone, tally.state())));
                    windowStates.add(
                            new WindowState(
                                    start, window.framesSeen, window.framesSkipped, tallies));
                });
        return new State(
                watermark, late, future, windowStates, lastAnchor, new ArrayList<>(crossed));
    }

    /**
     * Forgets the positions and crossings of tracks that are gone, so that a long stream's state
     * stays small.
     */
    public void retainTracks(Set<Long> alive) {
        lastAnchor.keySet().removeIf(key -> !alive.contains(trackOf(key)));
        crossed.removeIf(key -> !alive.contains(trackOf(key)));
    }

    private static long trackOf(String trackSlashLine) {
        return Long.parseLong(trackSlashLine.substring(0, trackSlashLine.indexOf('/')));
    }

    /** A track's first crossing of a line, counted in the windows of its frame. */
    public record Crossing(
            long trackId, String line, String label, boolean in, Detection detection) {}

    /** The crossings counted by the last {@link #accept}: each track's first per line. */
    public List<Crossing> lastCrossings() {
        return List.copyOf(lastCrossings);
    }

    /** Counts one result; returns the windows it closed (final). */
    public List<WindowCount> accept(Detections result) {
        lastCrossings.clear();
        if (result.getStatus() == DetectionStatus.END_OF_STREAM) {
            return closeAll();
        }
        long time = result.getCaptureTime().toEpochMilli();
        if (result.getSourceKind() == SourceKind.LIVE
                && time > System.currentTimeMillis() + maxFutureSkew.toMillis()) {
            future++;
            return List.of();
        }
        long[] starts = windows.startsContaining(time);
        boolean counted = false;
        for (long start : starts) {
            if (watermark != Long.MIN_VALUE && windows.closedAt(start, watermark)) {
                continue; // this window was already emitted
            }
            counted = true;
            Window window = open.computeIfAbsent(start, s -> new Window());
            if (result.getStatus() == DetectionStatus.OK) {
                window.framesSeen++;
                count(window, result.getDetections());
            } else {
                window.framesSkipped++;
            }
        }
        if (!counted) {
            late++;
        }
        if (result.getStatus() == DetectionStatus.OK) {
            crossings(result.getDetections(), starts);
        }
        watermark = Math.max(watermark, time);
        return closeUpTo(watermark);
    }

    /** Closes every open window (the stream ended, or has been idle too long). */
    public List<WindowCount> closeAll() {
        return close(new ArrayList<>(open.keySet()), true);
    }

    /** Every open window as it stands (final=false), for early updates. */
    public List<WindowCount> running() {
        List<WindowCount> counts = new ArrayList<>();
        open.forEach((start, window) -> counts.addAll(rows(start, window, false)));
        return counts;
    }

    public int openWindows() {
        return open.size();
    }

    /** Results whose windows had already closed. */
    public long lateResults() {
        return late;
    }

    /** LIVE results stamped beyond the allowed clock skew, not counted. */
    public long futureResults() {
        return future;
    }

    public Optional<Instant> watermark() {
        return watermark == Long.MIN_VALUE
                ? Optional.empty()
                : Optional.of(Instant.ofEpochMilli(watermark));
    }

    private void count(Window window, List<Detection> detections) {
        Map<String, Map<String, List<Long>>> present = new HashMap<>();
        for (Detection d : detections) {
            float[] anchor = anchor(d);
            present.computeIfAbsent(d.getLabel(), l -> new HashMap<>())
                    .computeIfAbsent(WHOLE_FRAME, z -> new ArrayList<>())
                    .add(d.getTrackId());
            for (Polygon zone : zones) {
                if (zone.contains(anchor[0], anchor[1])) {
                    present.get(d.getLabel())
                            .computeIfAbsent(zone.name(), z -> new ArrayList<>())
                            .add(d.getTrackId());
                }
            }
        }
        present.forEach(
                (label, byZone) ->
                        byZone.forEach(
                                (zone, ids) -> window.tally(label, zone).frame(ids.size(), ids)));
    }

    /**
     * Each track is counted once per line, in the windows of the frame where it crossed. A track's
     * position is remembered per line only while it is off that line, so an object that stops
     * exactly on the line and then leaves it still crosses.
     */
    private void crossings(List<Detection> detections, long[] starts) {
        for (Detection d : detections) {
            Long track = d.getTrackId();
            if (track == null) {
                continue;
            }
            float[] now = anchor(d);
            for (DirectedLine line : lines) {
                String key = track + "/" + line.name();
                if (line.touches(now[0], now[1])) {
                    continue;
                }
                float[] before = lastAnchor.put(key, now);
                Optional<DirectedLine.Direction> crossing =
                        before == null
                                ? Optional.empty()
                                : line.crossing(before[0], before[1], now[0], now[1]);
                if (crossing.isPresent() && crossed.add(key)) {
                    lastCrossings.add(
                            new Crossing(
                                    track,
                                    line.name(),
                                    d.getLabel(),
                                    crossing.get() == DirectedLine.Direction.IN,
                                    d));
                    for (long start : starts) {
                        Window window = open.get(start);
                        if (window != null) {
                            window.tally(d.getLabel(), WHOLE_FRAME)
                                    .crossing(crossing.get() == DirectedLine.Direction.IN);
                        }
                    }
                }
            }
        }
    }

    /** Where an object stands: the middle of its box's bottom edge. */
    private static float[] anchor(Detection d) {
        return new float[] {
            d.getBox().getX() + d.getBox().getW() / 2, d.getBox().getY() + d.getBox().getH()
        };
    }

    private List<WindowCount> closeUpTo(long watermark) {
        List<Long> closing = new ArrayList<>();
        for (long start : open.keySet()) {
            if (windows.closedAt(start, watermark)) {
                closing.add(start);
            }
        }
        return close(closing, true);
    }

    private List<WindowCount> close(List<Long> starts, boolean fin) {
        List<WindowCount> counts = new ArrayList<>();
        for (long start : starts) {
            counts.addAll(rows(start, open.remove(start), fin));
        }
        return counts;
    }

    private List<WindowCount> rows(long start, Window window, boolean fin) {
        List<WindowCount> rows = new ArrayList<>();
        window.byLabelAndZone.forEach(
                (label, byZone) ->
                        byZone.forEach(
                                (zone, tally) ->
                                        rows.add(
                                                WindowCount.newBuilder()
                                                        .setStreamId(streamId)
                                                        .setPipelineId(pipelineId)
                                                        .setLabel(label)
                                                        .setZone(zone.isEmpty() ? null : zone)
                                                        .setWindowStart(Instant.ofEpochMilli(start))
                                                        .setWindowEnd(
                                                                Instant.ofEpochMilli(
                                                                        windows.endOf(start)))
                                                        .setUniqueTracks(tally.uniqueTracks())
                                                        .setMaxConcurrent(tally.maxConcurrent())
                                                        .setMeanPerFrame(
                                                                tally.meanPerFrame(
                                                                        window.framesSeen))
                                                        .setLineIn(tally.lineIn())
                                                        .setLineOut(tally.lineOut())
                                                        .setFramesSeen(window.framesSeen)
                                                        .setFramesSkipped(window.framesSkipped)
                                                        .setFinal$(fin)
                                                        .build())));
        return rows;
    }
}
