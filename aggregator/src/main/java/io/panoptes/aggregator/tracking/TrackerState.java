package io.panoptes.aggregator.tracking;

import java.util.List;

/**
 * Everything the tracker remembers about one stream, so that it can live in a state store and a
 * restarted or moved instance continues with the same track ids.
 *
 * @param nextId the id the next new track gets
 * @param tracks tracks alive (seen within the lost-track buffer)
 */
public record TrackerState(long nextId, List<Track> tracks) {

    public TrackerState {
        tracks = List.copyOf(tracks);
    }

    public static TrackerState empty() {
        return new TrackerState(1, List.of());
    }
}
