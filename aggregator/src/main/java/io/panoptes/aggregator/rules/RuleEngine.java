package io.panoptes.aggregator.rules;

import io.panoptes.aggregator.counting.StreamCounter;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.Polygon;
import io.panoptes.pipeline.rules.Rule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns one stream's tracked results and closed windows into {@link Event}s by its rules, on the
 * stream's event time. Each condition fires once per episode: a track's crossing or zone visit, a
 * window above a threshold after one below it, an absence until the label is seen again; a cooldown
 * further spaces firings of one rule. An event's id is derived from the stream, the rule and the
 * episode, so a replay produces the same ids. Not thread-safe: one per stream.
 */
public final class RuleEngine {

    /** Tracks not seen for this long (event time) have left their zones. */
    private static final long FORGET_TRACK_MILLIS = 60_000;

    /**
     * What the engine remembers for a stream, so that it can live in a state store.
     *
     * @param lastFired event time each rule last fired (for cooldowns)
     * @param active rules whose episode is on (a threshold exceeded, an absence reported)
     * @param lastSeen event time each label (and "" for any) was last seen
     * @param inside "track/zone" to the event time the track entered the zone
     * @param trackSeen track id to the event time it was last seen
     * @param dwelled "rule/track/zone" already reported as dwelling
     * @param firstTime the stream's first event time seen by the engine
     */
    public record State(
            Map<String, Long> lastFired,
            Set<String> active,
            Map<String, Long> lastSeen,
            Map<String, Long> inside,
            Map<Long, Long> trackSeen,
            Set<String> dwelled,
            long firstTime) {

        public static State empty() {
            return new State(
                    Map.of(), Set.of(), Map.of(), Map.of(), Map.of(), Set.of(), Long.MIN_VALUE);
        }
    }

    private final String streamId;
    private final Map<String, Long> lastFired;
    private final Set<String> active;
    private final Map<String, Long> lastSeen;
    private final Map<String, Long> inside;
    private final Map<Long, Long> trackSeen;
    private final Set<String> dwelled;
    private long firstTime;

    public RuleEngine(String streamId, State state) {
        this.streamId = streamId;
        this.lastFired = new HashMap<>(state.lastFired());
        this.active = new HashSet<>(state.active());
        this.lastSeen = new HashMap<>(state.lastSeen());
        this.inside = new HashMap<>(state.inside());
        this.trackSeen = new HashMap<>(state.trackSeen());
        this.dwelled = new HashSet<>(state.dwelled());
        this.firstTime = state.firstTime();
    }

    public State state() {
        return new State(
                Map.copyOf(lastFired),
                Set.copyOf(active),
                Map.copyOf(lastSeen),
                Map.copyOf(inside),
                Map.copyOf(trackSeen),
                Set.copyOf(dwelled),
                firstTime);
    }

    /** Events of one result (with track ids) and the crossings it was counted with. */
    public List<Event> onResult(
            List<Rule> rules,
            Detections result,
            List<StreamCounter.Crossing> crossings,
            List<Polygon> zones) {
        List<Event> events = new ArrayList<>();
        if (result.getStatus() != DetectionStatus.OK) {
            return events;
        }
        long now = result.getCaptureTime().toEpochMilli();
        if (firstTime == Long.MIN_VALUE) {
            firstTime = now;
        }
        for (Detection d : result.getDetections()) {
            lastSeen.put(d.getLabel(), now);
            lastSeen.put("", now);
            if (d.getTrackId() != null) {
                trackSeen.put(d.getTrackId(), now);
            }
        }
        for (Rule rule : rules) {
            switch (rule.kind()) {
                case LINE_CROSSING -> crossings(rule, result, crossings, events);
                case ABSENCE -> absence(rule, result, now, events);
                case CLASSIFIED -> classified(rule, result, now, events);
                default -> {}
            }
        }
        zoneVisits(rules, result, zones, now, events);
        return events;
    }

    /** Events of windows that closed: thresholds on their counts. */
    public List<Event> onWindows(List<Rule> rules, List<WindowCount> closed) {
        List<Event> events = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.kind() != EventKind.COUNT_THRESHOLD) {
                continue;
            }
            for (WindowCount count : closed) {
                if (!count.getFinal$()
                        || !rule.matchesLabel(count.getLabel())
                        || !java.util.Objects.equals(rule.zone(), count.getZone())) {
                    continue;
                }
                double value = metric(rule.metric(), count);
                String key = rule.id() + "/" + count.getLabel() + "/" + count.getZone();
                if (value <= rule.threshold()) {
                    active.remove(key); // the episode is over
                    continue;
                }
                long time = count.getWindowEnd().toEpochMilli();
                if (active.add(key) && coolEnough(rule, time)) {
                    Map<String, String> attributes =
                            attributes(
                                    "label",
                                    count.getLabel(),
                                    "zone",
                                    count.getZone(),
                                    "metric",
                                    rule.metric(),
                                    "value",
                                    String.valueOf(value),
                                    "threshold",
                                    String.valueOf(rule.threshold()),
                                    "windowStart",
                                    count.getWindowStart().toString(),
                                    "windowEnd",
                                    count.getWindowEnd().toString());
                    events.add(
                            fire(
                                    rule,
                                    count.getPipelineId(),
                                    time,
                                    "window/"
                                            + count.getWindowStart().toEpochMilli()
                                            + "/"
                                            + count.getLabel(),
                                    attributes,
                                    List.of()));
                }
            }
        }
        return events;
    }

    private void crossings(
            Rule rule,
            Detections result,
            List<StreamCounter.Crossing> crossings,
            List<Event> events) {
        for (StreamCounter.Crossing crossing : crossings) {
            String direction = crossing.in() ? "in" : "out";
            if (!crossing.line().equals(rule.line())
                    || !rule.matchesLabel(crossing.label())
                    || (rule.direction() != null && !rule.direction().equals(direction))) {
                continue;
            }
            long now = result.getCaptureTime().toEpochMilli();
            if (coolEnough(rule, now)) {
                events.add(
                        fire(
                                rule,
                                result.getPipelineId(),
                                now,
                                "track/" + crossing.trackId() + "/" + crossing.line(),
                                attributes(
                                        "line",
                                        crossing.line(),
                                        "direction",
                                        direction,
                                        "label",
                                        crossing.label(),
                                        "trackId",
                                        String.valueOf(crossing.trackId())),
                                List.of(crossing.detection())));
            }
        }
    }

    /**
     * Pass/fail: fires when a frame's best class is the rule's label with at least its score, once
     * per run of such frames (a frame classified otherwise ends the run).
     */
    private void classified(Rule rule, Detections result, long now, List<Event> events) {
        Classification top =
                result.getClassifications().isEmpty() ? null : result.getClassifications().get(0);
        boolean failing =
                top != null
                        && top.getLabel().equals(rule.label())
                        && top.getConfidence() >= rule.threshold();
        if (!failing) {
            active.remove(rule.id());
            return;
        }
        if (active.add(rule.id()) && coolEnough(rule, now)) {
            events.add(
                    fire(
                            rule,
                            result.getPipelineId(),
                            now,
                            "frame/" + result.getEpoch() + "/" + result.getSeq(),
                            attributes(
                                    "label",
                                    top.getLabel(),
                                    "confidence",
                                    String.valueOf(top.getConfidence()),
                                    "threshold",
                                    String.valueOf(rule.threshold()),
                                    "seq",
                                    String.valueOf(result.getSeq())),
                            List.of()));
        }
    }

    private void absence(Rule rule, Detections result, long now, List<Event> events) {
        String label = rule.label() == null ? "" : rule.label();
        long since = lastSeen.getOrDefault(label, firstTime);
        if (since == now) {
            active.remove(rule.id()); // seen again: the next absence is a new episode
            return;
        }
        if (now - since >= rule.duration().toMillis()
                && active.add(rule.id())
                && coolEnough(rule, now)) {
            events.add(
                    fire(
                            rule,
                            result.getPipelineId(),
                            now,
                            "absent-since/" + since,
                            attributes(
                                    "label",
                                    rule.label(),
                                    "absentSeconds",
                                    String.valueOf((now - since) / 1000),
                                    "lastSeen",
                                    lastSeen.containsKey(label)
                                            ? Instant.ofEpochMilli(since).toString()
                                            : null),
                            List.of()));
        }
    }

    /**
     * Zone entries, exits and dwells of tracks, by where each track's anchor (box bottom centre)
     * stands.
     */
    private void zoneVisits(
            List<Rule> rules,
            Detections result,
            List<Polygon> zones,
            long now,
            List<Event> events) {
        Set<String> present = new HashSet<>();
        for (Detection d : result.getDetections()) {
            if (d.getTrackId() == null) {
                continue;
            }
            float x = d.getBox().getX() + d.getBox().getW() / 2;
            float y = d.getBox().getY() + d.getBox().getH();
            for (Polygon zone : zones) {
                String key = d.getTrackId() + "/" + zone.name();
                present.add(key);
                boolean in = zone.contains(x, y);
                Long entered = inside.get(key);
                if (in && entered == null) {
                    inside.put(key, now);
                    zoneEvent(
                            rules, EventKind.ZONE_ENTER, result, d, zone.name(), now, now, events);
                } else if (!in && entered != null) {
                    inside.remove(key);
                    dwelled.removeIf(k -> k.endsWith("/" + key));
                    zoneEvent(
                            rules,
                            EventKind.ZONE_EXIT,
                            result,
                            d,
                            zone.name(),
                            entered,
                            now,
                            events);
                } else if (in) {
                    dwell(rules, result, d, zone.name(), entered, now, events);
                }
            }
        }
        // tracks gone for long have left: forget them (no exit event: nobody saw them leave)
        trackSeen.entrySet().removeIf(e -> now - e.getValue() > FORGET_TRACK_MILLIS);
        inside.keySet()
                .removeIf(key -> !present.contains(key) && !trackSeen.containsKey(trackOf(key)));
        dwelled.removeIf(key -> !inside.containsKey(key.substring(key.indexOf('/') + 1)));
    }

    private void zoneEvent(
            List<Rule> rules,
            EventKind kind,
            Detections result,
            Detection d,
            String zone,
            long entered,
            long now,
            List<Event> events) {
        for (Rule rule : rules) {
            if (rule.kind() == kind
                    && rule.zone().equals(zone)
                    && rule.matchesLabel(d.getLabel())
                    && coolEnough(rule, now)) {
                events.add(
                        fire(
                                rule,
                                result.getPipelineId(),
                                now,
                                "track/" + d.getTrackId() + "/" + zone + "/" + entered,
                                attributes(
                                        "zone",
                                        zone,
                                        "label",
                                        d.getLabel(),
                                        "trackId",
                                        String.valueOf(d.getTrackId()),
                                        "dwellSeconds",
                                        kind == EventKind.ZONE_EXIT
                                                ? String.valueOf((now - entered) / 1000)
                                                : null),
                                List.of(d)));
            }
        }
    }

    private void dwell(
            List<Rule> rules,
            Detections result,
            Detection d,
            String zone,
            long entered,
            long now,
            List<Event> events) {
        for (Rule rule : rules) {
            if (rule.kind() != EventKind.DWELL
                    || !rule.zone().equals(zone)
                    || !rule.matchesLabel(d.getLabel())
                    || now - entered < rule.duration().toMillis()) {
                continue;
            }
            if (dwelled.add(rule.id() + "/" + d.getTrackId() + "/" + zone)
                    && coolEnough(rule, now)) {
                events.add(
                        fire(
                                rule,
                                result.getPipelineId(),
                                now,
                                "track/" + d.getTrackId() + "/" + zone + "/" + entered,
                                attributes(
                                        "zone",
                                        zone,
                                        "label",
                                        d.getLabel(),
                                        "trackId",
                                        String.valueOf(d.getTrackId()),
                                        "dwellSeconds",
                                        String.valueOf((now - entered) / 1000)),
                                List.of(d)));
            }
        }
    }

    private static long trackOf(String trackSlashZone) {
        return Long.parseLong(trackSlashZone.substring(0, trackSlashZone.indexOf('/')));
    }

    /**
     * Whether the rule may fire at {@code now} after its cooldown, and if so records that it does.
     */
    private boolean coolEnough(Rule rule, long now) {
        Long last = lastFired.get(rule.id());
        if (last != null && now - last < rule.cooldown().toMillis()) {
            return false;
        }
        lastFired.put(rule.id(), now);
        return true;
    }

    private Event fire(
            Rule rule,
            String pipelineId,
            long time,
            String episode,
            Map<String, String> attributes,
            List<Detection> detections) {
        String id =
                UUID.nameUUIDFromBytes(
                                (streamId + "|" + rule.id() + "|" + episode)
                                        .getBytes(StandardCharsets.UTF_8))
                        .toString();
        return new Event(
                id,
                rule.id(),
                streamId,
                pipelineId,
                Instant.ofEpochMilli(time),
                rule.kind(),
                attributes,
                new ArrayList<>(detections));
    }

    private static double metric(String metric, WindowCount count) {
        return switch (metric) {
            case "uniqueTracks" -> count.getUniqueTracks();
            case "meanPerFrame" -> count.getMeanPerFrame();
            case "lineIn" -> count.getLineIn();
            case "lineOut" -> count.getLineOut();
            default -> count.getMaxConcurrent();
        };
    }

    /** Name-value pairs, leaving out null values. */
    private static Map<String, String> attributes(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put(pairs[i], pairs[i + 1]);
            }
        }
        return map;
    }
}
