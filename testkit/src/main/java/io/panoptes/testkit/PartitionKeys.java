package io.panoptes.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;

/**
 * Keys chosen for where Kafka's default partitioner puts them, so tests know which instance owns
 * what.
 */
public final class PartitionKeys {

    private PartitionKeys() {}

    /**
     * {@code prefix0}, {@code prefix1}, ... picked so that the i-th key lands on partition i of
     * {@code partitions}.
     */
    public static List<String> onePerPartition(String prefix, int partitions) {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < partitions; i++) {
            byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
            byPartition.putIfAbsent(Utils.toPositive(Utils.murmur2(key)) % partitions, prefix + i);
        }
        return List.copyOf(byPartition.values());
    }
}
