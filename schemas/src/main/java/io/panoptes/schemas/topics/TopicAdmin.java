package io.panoptes.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics idempotently: missing topics are created, existing ones are checked against what
 * was asked, and any that cannot serve (fewer partitions, another cleanup policy, a smaller message
 * limit) are reported together in one {@link IncompatibleTopicException}. Existing topics are never
 * changed.
 */
public final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    private final Admin admin;
    private final Duration timeout;

    public TopicAdmin(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** What {@link #ensure} found or did for one topic. */
    public record Outcome(String topic, boolean created, int partitions) {}

    /**
     * Makes sure every topic in {@code specs} exists as asked.
     *
     * @throws IncompatibleTopicException naming each existing topic that differs and how
     * @throws TopicAdminException when the cluster does not answer within the timeout
     */
    public List<Outcome> ensure(Collection<TopicSpec> specs) {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        Set<String> created =
                create(specs.stream().filter(s -> !existing.contains(s.name())).toList());
        // created topics are checked too: that also waits until the broker's metadata lists them
        Map<String, Integer> partitions = check(List.copyOf(specs));
        List<Outcome> outcomes = new ArrayList<>();
        for (TopicSpec spec : specs) {
            boolean isNew = created.contains(spec.name());
            int count = partitions.get(spec.name());
            outcomes.add(new Outcome(spec.name(), isNew, count));
            log.info(
                    "topic {}: {} ({} partitions, cleanup.policy={})",
                    spec.name(),
                    isNew ? "created" : "exists",
                    count,
                    spec.cleanupPolicy());
        }
        return outcomes;
    }

    private Set<String> create(List<TopicSpec> missing) {
        if (missing.isEmpty()) {
            return Set.of();
        }
        List<NewTopic> topics =
                missing.stream()
                        .map(
                                s ->
                                        new NewTopic(
                                                        s.name(),
                                                        java.util.Optional.of(s.partitions()),
                                                        s.replicationFactor())
                                                .configs(s.configs()))
                        .toList();
        CreateTopicsResult result = admin.createTopics(topics);
        Set<String> created = new HashSet<>();
        for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
            try {
                await(entry.getValue(), "create topic " + entry.getKey());
                created.add(entry.getKey());
            } catch (TopicAdminException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // Created by someone else meanwhile: it is checked like any existing topic.
            }
        }
        return created;
    }

    private Map<String, Integer> check(List<TopicSpec> specs) {
        if (specs.isEmpty()) {
            return Map.of();
        }
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions =
                awaitVisible(() -> admin.describeTopics(names).allTopicNames(), "describe topics");
        List<ConfigResource> resources =
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs =
                awaitVisible(
                        () -> admin.describeConfigs(resources).all(), "describe topic configs");
        List<String> problems = new ArrayList<>();
        Map<String, Integer> partitions = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            int actual = descriptions.get(spec.name()).partitions().size();
            partitions.put(spec.name(), actual);
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            problems.addAll(problems(spec, actual, config));
        }
        if (!problems.isEmpty()) {
            throw new IncompatibleTopicException(problems);
        }
        return partitions;
    }

    static List<String> problems(TopicSpec spec, int actualPartitions, Config config) {
        List<String> problems = new ArrayList<>();
        if (actualPartitions < spec.partitions()) {
            problems.add(
                    "topic "
                            + spec.name()
                            + " exists with "
                            + actualPartitions
                            + " partition(s), fewer than the "
                            + spec.partitions()
                            + " asked for; add partitions with kafka-topics.sh --alter --partitions "
                            + spec.partitions()
                            + " (keys then move to other partitions), or ask for fewer");
        }
        String policy = value(config, "cleanup.policy", "delete");
        if (!policySet(policy).equals(policySet(spec.cleanupPolicy()))) {
            problems.add(
                    "topic "
                            + spec.name()
                            + " exists with cleanup.policy="
                            + policy
                            + ", but "
                            + spec.cleanupPolicy()
                            + " is needed; change it with kafka-configs.sh --alter --add-config"
                            + " cleanup.policy=["
                            + spec.cleanupPolicy()
                            + "]");
        }
        String askedMax = spec.configs().get("max.message.bytes");
        String actualMax = value(config, "max.message.bytes", null);
        if (askedMax != null
                && actualMax != null
                && Long.parseLong(actualMax) < Long.parseLong(askedMax)) {
            problems.add(
                    "topic "
                            + spec.name()
                            + " exists with max.message.bytes="
                            + actualMax
                            + ", below the "
                            + askedMax
                            + " asked for; frames between the two would be refused by the broker");
        }
        return problems;
    }

    private static String value(Config config, String name, String fallback) {
        if (config == null || config.get(name) == null || config.get(name).value() == null) {
            return fallback;
        }
        return config.get(name).value();
    }

    private static Set<String> policySet(String policy) {
        return Arrays.stream(policy.split(",")).map(String::trim).collect(Collectors.toSet());
    }

    /**
     * Like {@link #await}, but retries while a topic that was just created is not yet known to
     * every broker.
     */
    private <T> T awaitVisible(Supplier<KafkaFuture<T>> request, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return await(request.get(), what);
            } catch (TopicAdminException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofMillis(100));
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicAdminException("interrupted while waiting for topic metadata", e);
        }
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TopicAdminException(
                    "Kafka did not answer within "
                            + timeout.toMillis()
                            + " ms to "
                            + what
                            + "; is the cluster reachable (bootstrap.servers)?",
                    e);
        } catch (ExecutionException e) {
            throw new TopicAdminException(
                    "cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicAdminException("interrupted while waiting to " + what, e);
        }
    }

    /** Kafka refused or did not answer an admin request. */
    public static class TopicAdminException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TopicAdminException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Existing topics differ from what was asked in ways that break the contract; one line per
     * problem.
     */
    public static final class IncompatibleTopicException extends TopicAdminException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        public IncompatibleTopicException(List<String> problems) {
            super(String.join("\n", problems), null);
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
