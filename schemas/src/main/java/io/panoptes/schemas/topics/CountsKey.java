package io.panoptes.schemas.topics;

import java.time.Instant;
import java.util.Objects;

/**
 * The key of the counts topic: {@code streamId/label/zone/windowStartMillis}, with zone {@code -}
 * when the count is for the whole frame. Compaction keeps the last value per key, so a window's
 * final count replaces its running ones.
 */
public record CountsKey(String streamId, String label, String zone, Instant windowStart) {

    public static final String NO_ZONE = "-";

    public CountsKey {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(windowStart, "windowStart");
        zone = zone == null ? NO_ZONE : zone;
    }

    /** Parses a key; stream ids may contain '/', labels and zones may not. */
    public static CountsKey parse(String key) {
        int last = key.lastIndexOf('/');
        int zoneStart = last < 0 ? -1 : key.lastIndexOf('/', last - 1);
        int labelStart = zoneStart < 0 ? -1 : key.lastIndexOf('/', zoneStart - 1);
        if (labelStart <= 0) {
            throw new IllegalArgumentException(
                    "counts key '" + key + "' is not streamId/label/zone/windowStartMillis");
        }
        try {
            return new CountsKey(
                    key.substring(0, labelStart),
                    key.substring(labelStart + 1, zoneStart),
                    key.substring(zoneStart + 1, last),
                    Instant.ofEpochMilli(Long.parseLong(key.substring(last + 1))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "counts key '" + key + "' does not end with a window start in millis", e);
        }
    }

    /** Null when the count is for the whole frame. */
    public String zoneOrNull() {
        return NO_ZONE.equals(zone) ? null : zone;
    }

    @Override
    public String toString() {
        return streamId + "/" + label + "/" + zone + "/" + windowStart.toEpochMilli();
    }
}
