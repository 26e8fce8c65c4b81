package io.panoptes.app;

import static io.panoptes.app.PanoptesProcesses.concat;
import static io.panoptes.app.PanoptesProcesses.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.app.cli.CommandRun;
import io.panoptes.avro.Detections;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.PartitionKeys;
import io.panoptes.testkit.TestVideos;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines move when an ingest instance dies: a broker, an API, a worker and two ingest instances
 * sharing a 4-partition pipelines topic, all separate processes. Four pipelines are created with
 * the CLI; the instance that owns two of them is SIGKILLed; all four run again on the other one
 * within a bounded time, their statuses name the new owner, and every frame published (before and
 * after the move) has exactly one result.
 */
@Timeout(300)
class PipelinesMoveIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CommandRun command = new CommandRun();
    private final HttpClient http = HttpClient.newHttpClient();
    private PanoptesProcesses processes;

    @AfterEach
    void stop() {
        processes.close();
    }

    @Test
    void shouldRunEveryPipelineAgainOnTheSurvivorAfterAnInstanceIsKilled(@TempDir Path dir)
            throws Exception {
        processes = new PanoptesProcesses(dir);
        processes.broker("--control-partitions", "4");
        String[] kafka = processes.kafka();
        String videos = TestVideos.megamind().getParent().toString();
        processes.start(
                "api",
                concat(
                        new String[] {"api", "--no-auth", "--port", "0", "--source-dir", videos},
                        kafka));
        processes.start("worker", concat(worker(), kafka));
        Map<String, Process> ingest = new HashMap<>();
        for (String id : List.of("ingest-1", "ingest-2")) {
            ingest.put(
                    id,
                    processes.start(
                            id,
                            concat(
                                    new String[] {
                                        "ingest",
                                        "--pipelines",
                                        "--instance-id",
                                        id,
                                        "--source-dir",
                                        videos,
                                        "-X",
                                        "session.timeout.ms=10000"
                                    },
                                    kafka)));
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> processes.log("api").contains("API at http://"));
        Matcher url = Pattern.compile("API at (\\S+) ").matcher(processes.log("api"));
        assertThat(url.find()).isTrue();
        String api = url.group(1);
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                processes
                                                .log("ingest-1")
                                                .contains("pipelines partitions assigned: [p")
                                        && processes
                                                .log("ingest-2")
                                                .contains("pipelines partitions assigned: [p"));

        List<String> ids = PartitionKeys.onePerPartition("cam-", 4); // two on each instance
        for (String id : ids) {
            assertThat(
                            command.run(
                                    "pipelines",
                                    "create",
                                    id,
                                    "--api",
                                    api,
                                    "--source",
                                    TestVideos.megamind().toString(),
                                    "--max-fps",
                                    "8"))
                    .as(command.err())
                    .isZero();
        }
        Map<String, String> owners = new HashMap<>();
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            owners.clear();
                            for (JsonNode p : list(api)) {
                                if (p.at("/status/state").asText().equals("RUNNING")) {
                                    owners.put(
                                            p.at("/spec/pipelineId").asText(),
                                            p.at("/status/owner").asText());
                                }
                            }
                            return owners.size() == 4 && new HashSet<>(owners.values()).size() == 2;
                        });
        String victim = owners.get(ids.get(0));
        String survivor = victim.equals("ingest-1") ? "ingest-2" : "ingest-1";
        Set<String> moving = new HashSet<>();
        owners.forEach(
                (id, owner) -> {
                    if (owner.equals(victim)) {
                        moving.add(id);
                    }
                });
        assertThat(moving).hasSizeGreaterThanOrEqualTo(2);

        ingest.get(victim)
                .destroyForcibly(); // SIGKILL: it never says goodbye; the group notices after the
        // session timeout
        long killed = System.nanoTime();

        await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            int onSurvivor = 0;
                            for (JsonNode p : list(api)) {
                                onSurvivor +=
                                        p.at("/status/owner").asText().equals(survivor)
                                                        && List.of("RUNNING", "ENDED")
                                                                .contains(
                                                                        p.at("/status/state")
                                                                                .asText())
                                                ? 1
                                                : 0;
                            }
                            return onSurvivor == 4;
                        });
        double moveSeconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf("pipelines moved %.1f s after the SIGKILL%n", moveSeconds);
        assertThat(processes.log(survivor)).contains("pipelines partitions assigned");
        for (String id : moving) {
            assertThat(processes.log(survivor)).contains("pipeline " + id + " (v1): starting");
        }

        // the files end on the survivor; every frame published by either instance gets exactly one
        // result
        await().atMost(Duration.ofSeconds(120))
                .until(
                        () ->
                                list(api).findValuesAsText("state").stream()
                                                .filter("ENDED"::equals)
                                                .count()
                                        == 4);
        Topics topics =
                Topics.create(
                        Topics.DEFAULT_PREFIX, RestSchemaRegistryClient.of(processes.registry()));
        Set<String> published = new HashSet<>();
        processes
                .values(topics.frames().name(), topics.frames().valueSerde().deserializer())
                .forEach(
                        f ->
                                published.add(
                                        f.getStreamId() + "/" + f.getEpoch() + "/" + f.getSeq()));
        Map<String, Integer> results = new HashMap<>();
        await().atMost(Duration.ofSeconds(120))
                .until(
                        () -> {
                            results.clear();
                            for (Detections r :
                                    processes.values(
                                            topics.detections().name(),
                                            topics.detections().valueSerde().deserializer())) {
                                results.merge(
                                        r.getStreamId() + "/" + r.getEpoch() + "/" + r.getSeq(),
                                        1,
                                        Integer::sum);
                            }
                            return results.keySet().equals(published);
                        });
        assertThat(results.values()).as("no frame has two results").containsOnly(1);
        Set<Long> epochs = new HashSet<>();
        processes
                .values(topics.frames().name(), topics.frames().valueSerde().deserializer())
                .stream()
                .filter(f -> f.getStreamId().equals(moving.iterator().next()))
                .forEach(f -> epochs.add(f.getEpoch()));
        assertThat(epochs)
                .as("a moved pipeline ran on both instances, each run its own epoch")
                .hasSize(2);
    }

    private JsonNode list(String api) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(api + "/v1/pipelines")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("pipelines");
    }
}
