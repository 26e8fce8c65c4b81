package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaOptionsTest {

    @Test
    void shouldTakeClientSettingsFromTheEnvironmentButNotOtherKafkaVariables() {
        Map<String, String> config =
                KafkaOptions.fromEnvironment(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                                "KAFKA_SASL_JAAS_CONFIG",
                                        "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                                "KAFKA_HOME", "/opt/kafka",
                                "KAFKA_HEAP_OPTS", "-Xmx1g",
                                "PATH", "/usr/bin"));

        assertThat(config)
                .containsOnlyKeys("bootstrap.servers", "security.protocol", "sasl.jaas.config");
    }

    @Test
    void shouldLetFileThenFlagsThenBootstrapOptionWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SSL\nssl.truststore.location=/etc/ts.jks\nclient.id=from-file\n");
        KafkaOptions options =
                parse(
                        "--kafka-config",
                        file.toString(),
                        "-X",
                        "client.id=from-flag",
                        "--bootstrap-servers",
                        "b1:9092,b2:9092");

        Map<String, Object> config =
                options.clientConfig(
                        Map.of(
                                "KAFKA_SECURITY_PROTOCOL",
                                "PLAINTEXT",
                                "KAFKA_BOOTSTRAP_SERVERS",
                                "env:9092"));

        assertThat(config)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/ts.jks")
                .containsEntry("client.id", "from-flag")
                .containsEntry("bootstrap.servers", "b1:9092,b2:9092");
    }

    @Test
    void shouldDefaultToLocalhost() {
        assertThat(parse().clientConfig(Map.of()))
                .containsEntry("bootstrap.servers", "localhost:9092");
    }

    @Test
    void shouldNameAMissingSettingsFile() {
        KafkaOptions options = parse("--kafka-config", "/nonexistent/client.properties");

        assertThatThrownBy(() -> options.clientConfig(Map.of()))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(
                        "cannot read Kafka client settings from /nonexistent/client.properties")
                .hasMessageContaining("NoSuchFileException");
    }

    private static KafkaOptions parse(String... args) {
        KafkaOptions options = new KafkaOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
