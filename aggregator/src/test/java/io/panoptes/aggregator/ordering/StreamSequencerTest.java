package io.panoptes.aggregator.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamSequencerTest {

    private final StreamSequencer sequencer = new StreamSequencer(4);
    private final List<String> released = new ArrayList<>();

    @Test
    void shouldReleaseResultsInOrder() {
        accept(1, 0);
        accept(1, 2);
        accept(1, 3);
        assertThat(released).containsExactly("1/0@0");
        accept(1, 1);
        assertThat(released).containsExactly("1/0@0", "1/1@1", "1/2@2", "1/3@3");
    }

    @Test
    void shouldDropDuplicatesWhetherReleasedOrStillBuffered() {
        accept(1, 0);
        accept(1, 0);
        accept(1, 2);
        accept(1, 2);
        assertThat(sequencer.duplicates()).isEqualTo(2);
        accept(1, 1);
        assertThat(released).containsExactly("1/0@0", "1/1@1", "1/2@2");
    }

    @Test
    void shouldGiveUpOnAMissingResultWhenTheBufferIsFull() {
        accept(1, 0);
        for (int seq = 2; seq <= 6; seq++) {
            accept(1, seq); // seq 1 never comes
        }
        assertThat(released).containsExactly("1/0@0", "1/2@2", "1/3@3", "1/4@4", "1/5@5", "1/6@6");
        assertThat(sequencer.gaps()).isEqualTo(1);
        accept(1, 1); // too late now
        assertThat(sequencer.duplicates()).isEqualTo(1);
    }

    @Test
    void shouldStartANewSequenceOnAHigherEpochWithoutDroppingAnything() {
        accept(1, 0);
        accept(1, 1);
        accept(1, 3); // buffered, waiting for 2
        accept(2, 0); // the ingest restarted
        accept(2, 1);
        accept(1, 2); // an old-epoch straggler: superseded

        assertThat(released).containsExactly("1/0@0", "1/1@1", "1/3@3", "2/0@4", "2/1@5");
        assertThat(sequencer.duplicates()).isEqualTo(1);
    }

    @Test
    void shouldStartWhereTheStreamIsWhenJoiningMidway() {
        accept(7, 120);
        accept(7, 121);
        assertThat(released).containsExactly("7/120@0", "7/121@1");
    }

    @Test
    void shouldFlushTheBufferAtTheEnd() {
        accept(1, 0);
        accept(1, 3);
        released.clear();
        sequencer
                .flush()
                .forEach(
                        s ->
                                released.add(
                                        s.result().getEpoch()
                                                + "/"
                                                + s.result().getSeq()
                                                + "@"
                                                + s.frameIndex()));
        assertThat(released).containsExactly("1/3@3");
        assertThat(sequencer.buffered()).isZero();
    }

    private void accept(long epoch, long seq) {
        Instant now = Instant.now();
        Detections result =
                new Detections(
                        "cam",
                        epoch,
                        seq,
                        null,
                        SourceKind.LIVE,
                        now,
                        now,
                        new ModelRef("m", null),
                        DetectionStatus.OK,
                        null,
                        1,
                        1,
                        List.of(),
                        java.util.List.of(),
                        new StageTimings(0f, 0f, 0f, 0f));
        sequencer
                .accept(result)
                .forEach(
                        s ->
                                released.add(
                                        s.result().getEpoch()
                                                + "/"
                                                + s.result().getSeq()
                                                + "@"
                                                + s.frameIndex()));
    }
}
