package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.Frame;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.testkit.RepositoryRoot;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code panoptes broker} from the runnable jar, in a process of its own. */
@Timeout(180)
class BrokerCommandIT {

    @Test
    void shouldServeKafkaAndTheRegistryUntilSigterm(@TempDir Path dir) throws Exception {
        int metricsPort = io.panoptes.testkit.LoopbackPorts.closed();
        Process broker =
                start(
                        dir,
                        "broker",
                        "--kafka-port",
                        "0",
                        "--registry-port",
                        "0",
                        "--frames-partitions",
                        "2",
                        "--metrics-port",
                        String.valueOf(metricsPort));
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String line = out.readLine();
                assertThat(line).as("stdout so far %s; stderr %s", lines, stderr(dir)).isNotNull();
                lines.add(line);
            }
            String bootstrap = lines.get(0).substring("bootstrap.servers=".length());
            String registryUrl = lines.get(1).substring("schema.registry.url=".length());
            assertThat(lines.get(2)).startsWith("created  panoptes.frames (2 partitions)");

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertThat(admin.listTopics().names().get())
                        .contains("panoptes.frames", "panoptes.dlq");
            }
            assertThat(
                            RestSchemaRegistryClient.of(registryUrl)
                                    .register("panoptes.frames-value", Frame.getClassSchema()))
                    .isPositive();
            var health =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(
                                                            "http://127.0.0.1:"
                                                                    + metricsPort
                                                                    + "/health"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").contains(bootstrap);
        }

        broker.destroy(); // SIGTERM
        assertThat(broker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stderr(dir))
                .contains("schema registry stopped")
                .contains("embedded Kafka broker stopped");
    }

    @Test
    void shouldExitNamingAPortThatIsTaken(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process broker =
                    start(
                            dir,
                            "broker",
                            "--kafka-port",
                            String.valueOf(taken.getLocalPort()),
                            "--registry-port",
                            "0");

            assertThat(broker.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(broker.exitValue()).isEqualTo(1);
            assertThat(stderr(dir))
                    .contains("panoptes broker: cannot start the embedded Kafka broker")
                    .contains("port " + taken.getLocalPort());
        }
    }

    private static Process start(Path dir, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find()
                                        .resolve("app/target/panoptes.jar")
                                        .toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(dir.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    private static String stderr(Path dir) throws IOException {
        return Files.readString(dir.resolve("stderr.txt"));
    }
}
