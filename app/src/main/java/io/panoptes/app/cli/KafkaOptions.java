package io.panoptes.app.cli;

import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * Kafka client settings shared by every role, so each drops into an existing cluster. Sources, in
 * increasing precedence: {@code KAFKA_*} environment variables that name a client setting ({@code
 * KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}), a properties file, {@code -X} flags,
 * {@code --bootstrap-servers}.
 */
public final class KafkaOptions {

    static final String DEFAULT_BOOTSTRAP = "localhost:" + EmbeddedKafkaBroker.STANDARD_PORT;
    private static final Set<String> CLIENT_SETTINGS = clientSettings();

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description =
                    "Kafka brokers to bootstrap from (default: $KAFKA_BOOTSTRAP_SERVERS, else "
                            + DEFAULT_BOOTSTRAP
                            + ").")
    private String bootstrapServers;

    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description = "Properties file with Kafka client settings (security, SASL, TLS).")
    private Path configFile;

    @Option(
            names = {"-X", "--kafka-property"},
            paramLabel = "KEY=VALUE",
            description =
                    "One Kafka client setting, e.g. -X security.protocol=SASL_SSL. Repeatable.")
    private Map<String, String> properties = new LinkedHashMap<>();

    /** The merged client settings, reading the process environment. */
    public Map<String, Object> clientConfig() {
        return clientConfig(System.getenv());
    }

    Map<String, Object> clientConfig(Map<String, String> environment) {
        Map<String, Object> config = new LinkedHashMap<>(fromEnvironment(environment));
        if (configFile != null) {
            config.putAll(readFile(configFile));
        }
        config.putAll(properties);
        if (bootstrapServers != null) {
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        config.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        return config;
    }

    public String bootstrapServers() {
        return String.valueOf(clientConfig().get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> config = new LinkedHashMap<>();
        environment.forEach(
                (name, value) -> {
                    if (name.startsWith("KAFKA_")) {
                        String key =
                                name.substring("KAFKA_".length())
                                        .toLowerCase(Locale.ROOT)
                                        .replace('_', '.');
                        if (CLIENT_SETTINGS.contains(key)) {
                            config.put(key, value);
                        }
                    }
                });
        return config;
    }

    private static Map<String, String> readFile(Path file) {
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            loaded.load(reader);
        } catch (IOException e) {
            throw new UserException("cannot read Kafka client settings from " + file + ": " + e);
        }
        Map<String, String> config = new LinkedHashMap<>();
        loaded.stringPropertyNames().forEach(name -> config.put(name, loaded.getProperty(name)));
        return config;
    }

    private static Set<String> clientSettings() {
        Set<String> names = new HashSet<>(AdminClientConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        return Set.copyOf(names);
    }
}
