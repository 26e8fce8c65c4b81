package io.panoptes.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster in this JVM: one KRaft process that is both broker and controller,
 * listening on free loopback ports, with internal topics replicated once.
 *
 * <p>Started by {@link #start()} or {@link Builder#start()}; {@link #close()} shuts the broker down
 * and deletes its log directory when the broker created it. Close is idempotent. Instances are
 * thread-safe.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final int PORT_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean ownsLogDir;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafkaBroker(
            KafkaRaftServer server, Path logDir, boolean ownsLogDir, String bootstrapServers) {
        this.server = server;
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Kafka's usual port, which {@code panoptes broker} takes unless told otherwise. */
    public static final int STANDARD_PORT = 9092;

    /** Starts a broker with the defaults: temporary log directory, free ports. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
        if (ownsLogDir) {
            deleteRecursively(logDir);
        }
        log.info("embedded Kafka broker stopped: {}", bootstrapServers);
    }

    /** Options for an embedded broker; every option has a default. */
    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Path logDir;
        private int port;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {}

        /**
         * Keeps the log in {@code dir} (kept on close, reused on the next start) instead of a
         * temporary one.
         */
        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** Listens for clients on this loopback port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            this.port = port;
            return this;
        }

        /** Overrides or adds one broker configuration property, e.g. {@code message.max.bytes}. */
        public Builder brokerProperty(String name, String value) {
            overrides.put(name, value);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startTimeout <= 0: " + timeout);
            }
            this.startTimeout = timeout;
            return this;
        }

        public EmbeddedKafkaBroker start() {
            boolean ownsLogDir = logDir == null;
            Path dir = ownsLogDir ? createTempDir() : createDirectories(logDir);
            RuntimeException last = null;
            int attempts = port == 0 ? PORT_ATTEMPTS : 1;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    return startOnce(dir, ownsLogDir);
                } catch (RuntimeException e) {
                    // A free port picked here can be taken by another process before the broker
                    // binds it.
                    last = e;
                    log.warn(
                            "embedded Kafka broker failed to start (attempt {} of {}): {}",
                            attempt,
                            attempts,
                            e.toString());
                }
            }
            if (ownsLogDir) {
                deleteRecursively(dir);
            }
            throw new IllegalStateException(
                    "embedded Kafka broker did not start on port "
                            + (port == 0 ? "(any free)" : port)
                            + " with log directory "
                            + dir
                            + ": "
                            + last.getMessage(),
                    last);
        }

        private EmbeddedKafkaBroker startOnce(Path dir, boolean ownsLogDir) {
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Properties props = brokerProperties(dir, brokerPort, controllerPort);
            if (!Files.exists(dir.resolve("meta.properties"))) {
                format(dir, props);
            }
            KafkaRaftServer server =
                    new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            String bootstrap = "127.0.0.1:" + brokerPort;
            try {
                server.startup();
                awaitReady(bootstrap);
            } catch (RuntimeException e) {
                server.shutdown();
                server.awaitShutdown();
                throw e;
            }
            log.info("embedded Kafka broker started: bootstrap={} logDir={}", bootstrap, dir);
            return new EmbeddedKafkaBroker(server, dir, ownsLogDir, bootstrap);
        }

        private Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
            Properties p = new Properties();
            p.put("node.id", String.valueOf(NODE_ID));
            p.put("process.roles", "broker,controller");
            p.put(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:"
                            + brokerPort
                            + ",CONTROLLER://127.0.0.1:"
                            + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
            p.put("log.dirs", dir.toString());
            // One node: every internal topic has one replica.
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "4");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "false");
            p.put("num.partitions", "1");
            p.putAll(overrides);
            return p;
        }

        /**
         * A log directory given by the user, made (with its parents) when it does not exist yet.
         */
        private static Path createDirectories(Path dir) {
            try {
                return Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot create the broker's log directory " + dir + ": " + e, e);
            }
        }

        private static void format(Path dir, Properties props) {
            Path configFile = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "embedded Kafka broker");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + configFile, e);
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            String clusterId = Uuid.randomUuid().toString();
            String[] args = {"format", "-t", clusterId, "-c", configFile.toString()};
            int rc;
            try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(args, ps);
            }
            if (rc != 0) {
                throw new IllegalStateException(
                        "formatting the KRaft log directory "
                                + dir
                                + " failed (exit "
                                + rc
                                + "): "
                                + output.toString(StandardCharsets.UTF_8).trim());
            }
        }

        private void awaitReady(String bootstrap) {
            Map<String, Object> config =
                    Map.of(
                            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap,
                            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                            (int) startTimeout.toMillis());
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster().nodes().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "embedded Kafka broker at "
                                + bootstrap
                                + " did not answer within "
                                + startTimeout,
                        e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("panoptes-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a temporary directory for the Kafka log", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete the Kafka log directory {}: {}", dir, e.toString());
        }
    }
}
