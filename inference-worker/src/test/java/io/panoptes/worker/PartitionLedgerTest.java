package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("frames", 0);
    private static final TopicPartition P1 = new TopicPartition("frames", 1);

    private final PartitionLedger<String> ledger = new PartitionLedger<>();

    @Test
    void shouldCommitOnlyTheContiguousCompletedPrefixOfEachPartition() {
        ledger.assign(List.of(P0, P1));
        PartitionLedger.Slot<String> a = ledger.add(P0, 10);
        PartitionLedger.Slot<String> b = ledger.add(P0, 11);
        PartitionLedger.Slot<String> c = ledger.add(P0, 13); // 12 was a transaction marker
        PartitionLedger.Slot<String> x = ledger.add(P1, 5);

        b.complete("b");
        c.complete("c");
        assertThat(ledger.takeCompleted().isEmpty())
                .as("10 is not done: nothing after it may be committed")
                .isTrue();

        a.complete("a");
        x.complete("x");
        PartitionLedger.Completed<String> done = ledger.takeCompleted();
        assertThat(done.outputs()).containsExactlyInAnyOrder("a", "b", "c", "x");
        assertThat(done.outputs().indexOf("a")).isLessThan(done.outputs().indexOf("b"));
        assertThat(done.nextOffsets()).isEqualTo(Map.of(P0, 14L, P1, 6L));
        assertThat(ledger.takeCompleted().isEmpty()).as("taken once").isTrue();
        assertThat(ledger.pending()).isZero();
    }

    @Test
    void shouldDropTheWorkOfPartitionsThatWentAway() {
        ledger.assign(List.of(P0, P1));
        PartitionLedger.Slot<String> late = ledger.add(P0, 1);
        ledger.add(P1, 1).complete("kept");

        ledger.forget(List.of(P0));
        late.complete("ignored");

        assertThat(ledger.takeCompleted().outputs()).containsExactly("kept");
        assertThat(ledger.add(P0, 2))
                .as("a record of a revoked partition still in the fetch buffer")
                .isNull();
        assertThat(ledger.owned()).containsExactly(P1);
    }

    @Test
    void shouldStartOverAfterAResetAndRefuseOffsetsGoingBack() {
        ledger.assign(List.of(P0));
        ledger.add(P0, 1).complete("before the abort");
        ledger.reset();
        assertThat(ledger.takeCompleted().isEmpty()).isTrue();

        ledger.add(P0, 1).complete("redone");
        assertThat(ledger.takeCompleted().outputs()).containsExactly("redone");
        ledger.add(P0, 5);
        assertThatThrownBy(() -> ledger.add(P0, 5)).hasMessageContaining("offset 5 taken after 5");
    }
}
