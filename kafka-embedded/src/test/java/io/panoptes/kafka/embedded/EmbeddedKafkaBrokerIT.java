package io.panoptes.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerIT {

    @Test
    @SuppressWarnings("try") // closes twice on purpose: close is idempotent
    void shouldCommitTransactionsAndDeleteItsLogDirectoryOnClose() throws Exception {
        Path logDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            logDir = broker.logDir();
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("t", 2, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrap,
                                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                    "tx-1"),
                            new StringSerializer(),
                            new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("t", "k", "v"));
                producer.commitTransaction();
            }
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                    ConsumerConfig.GROUP_ID_CONFIG, "g",
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                            new StringDeserializer(),
                            new StringDeserializer())) {
                consumer.subscribe(List.of("t"));
                ConsumerRecord<String, String> record = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (record == null && System.nanoTime() < deadline) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    if (!records.isEmpty()) {
                        record = records.iterator().next();
                    }
                }
                assertThat(record).isNotNull();
                assertThat(record.value()).isEqualTo("v");
            }
            broker.close();
            broker.close(); // idempotent
        }
        assertThat(Files.exists(logDir)).isFalse();
    }

    @Test
    void shouldKeepAGivenLogDirectoryAcrossRestarts(@org.junit.jupiter.api.io.TempDir Path parent)
            throws Exception {
        Path dir = parent.resolve("not/there/yet"); // made on the first start
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().logDir(dir).start();
                Admin admin =
                        Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().logDir(dir).start();
                Admin admin =
                        Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains("kept");
        }
    }
}
