package io.panoptes.aggregator.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackerTest {

    private final Tracker tracker = new Tracker(TrackerSettings.defaults());
    private TrackerState state = TrackerState.empty();

    @Test
    void shouldKeepIdsOfObjectsMovingSteadily() {
        for (int frame = 0; frame < 20; frame++) {
            List<Long> ids =
                    ids(
                            frame,
                            person(10 + 5 * frame, 100, 0.9f),
                            person(10 + 5 * frame, 300, 0.9f));
            assertThat(ids).containsExactly(1L, 2L);
        }
        assertThat(state.nextId()).isEqualTo(3);
    }

    @Test
    void shouldKeepTheIdThroughAnOcclusionShorterThanTheBuffer() {
        for (int frame = 0; frame < 10; frame++) {
            ids(frame, person(100 + 8 * frame, 200, 0.9f));
        }
        for (int frame = 10; frame < 25; frame++) {
            assertThat(ids(frame)).isEmpty(); // hidden for 15 frames, still moving
        }
        assertThat(ids(25, person(100 + 8 * 25, 200, 0.9f)))
                .containsExactly(1L); // found where prediction says
    }

    @Test
    void shouldStartANewIdAfterAGapLongerThanTheBuffer() {
        ids(0, person(100, 200, 0.9f));
        assertThat(ids(40, person(100, 200, 0.9f))).containsExactly(2L);
        assertThat(state.tracks()).extracting(Track::id).containsExactly(2L);
    }

    @Test
    void shouldAgeTracksOverSkippedFrames() {
        ids(0, person(100, 200, 0.9f));
        ids(1, person(104, 200, 0.9f));
        // frames 2..11 were SKIPPED_STALE: they never reach the tracker, the seq jumps
        assertThat(ids(12, person(148, 200, 0.9f))).containsExactly(1L);
    }

    @Test
    void shouldKeepATrackAliveWithLowScoreDetectionsButNotStartOne() {
        ids(0, person(100, 200, 0.9f));
        assertThat(ids(1, person(102, 200, 0.3f))).containsExactly(1L); // second association
        List<Detection> faint =
                tracker.update(state, 2, List.of(person(500, 500, 0.3f), person(104, 200, 0.9f)))
                        .detections();
        assertThat(faint.get(0).getTrackId())
                .isNull(); // a faint detection far from any track starts nothing
        assertThat(faint.get(1).getTrackId()).isEqualTo(1L);
    }

    @Test
    void shouldNotStartTracksBelowTheActivationThreshold() {
        assertThat(
                        tracker.update(state, 0, List.of(person(100, 100, 0.55f)))
                                .detections()
                                .get(0)
                                .getTrackId())
                .isNull();
    }

    @Test
    void shouldNeverMatchAcrossClasses() {
        ids(0, person(100, 200, 0.9f));
        Detection car =
                new Detection(
                        2,
                        "car",
                        0.9f,
                        new Box(100f, 200f, 40f, 80f),
                        null,
                        List.of(),
                        java.util.List.of(),
                        null,
                        null);
        assertThat(ids(1, car)).containsExactly(2L);
    }

    @Test
    void shouldFollowPathsThatCrossWithConstantVelocity() {
        for (int frame = 0; frame <= 40; frame++) {
            // one walks right along y = 200, the other left along y = 230: their boxes overlap
            // mid-way
            List<Long> ids =
                    ids(
                            frame,
                            person(100 + 10 * frame, 200, 0.9f),
                            person(500 - 10 * frame, 230, 0.9f));
            assertThat(ids).as("frame %d", frame).containsExactly(1L, 2L);
        }
    }

    @Test
    void shouldValidateSettings() {
        assertThatThrownBy(() -> new TrackerSettings(0.4f, 0.5f, 0.6f, 0.2f, 0.5f, 30))
                .hasMessageContaining("0 <= low <= high <= 1");
        assertThatThrownBy(() -> new TrackerSettings(0.5f, 0.1f, 0.6f, 0.2f, 0.5f, -1))
                .hasMessageContaining("lost-track buffer must be in [0, 100000] frames, got -1");
    }

    private List<Long> ids(long frame, Detection... detections) {
        Tracker.Update update = tracker.update(state, frame, List.of(detections));
        state = update.state();
        List<Long> ids = new ArrayList<>();
        update.detections().forEach(d -> ids.add(d.getTrackId()));
        return ids;
    }

    private static Detection person(float x, float y, float score) {
        return new Detection(
                0,
                "person",
                score,
                new Box(x, y, 40f, 80f),
                null,
                List.of(),
                java.util.List.of(),
                null,
                null);
    }
}
