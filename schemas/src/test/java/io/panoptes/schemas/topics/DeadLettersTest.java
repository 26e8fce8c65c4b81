package io.panoptes.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void shouldKeepTheOriginalBytesAndAddTheErrorHeaders() {
        byte[] key = "cam-1".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};
        var original = new ConsumerRecord<>("panoptes.frames", 3, 77L, key, value);
        original.headers().add("trace", new byte[] {9});

        var dead =
                DeadLetters.of(
                        "panoptes.dlq",
                        original,
                        new IllegalStateException("x".repeat(5000)),
                        DeadLetters.Stage.WORKER);

        assertThat(dead.topic()).isEqualTo("panoptes.dlq");
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.value()).isEqualTo(value);
        assertThat(dead.headers().lastHeader("trace")).isNotNull();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo("java.lang.IllegalStateException");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE))
                .hasSize(DeadLetters.MAX_MESSAGE_CHARS + 1);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo("panoptes.frames");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("3");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("77");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.STAGE)).isEqualTo("worker");
    }
}
