package io.panoptes.runtime.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The one place that turns the user's Kafka client settings (bootstrap servers, security, any
 * {@code -X} setting) into the configuration of one of our clients. Three layers, in increasing
 * precedence: what the client is tuned for ({@link Builder#tune}), what the user set, what the
 * client needs to be correct ({@link Builder#require}, e.g. {@code isolation.level} or a
 * transactional id), which a user setting must not undo.
 *
 * <p>Every client gets a {@code client.id} naming its purpose ({@code panoptes-worker-frames}),
 * prefixed by the user's {@code client.id} when one is set, and numbered from the second client of
 * the same purpose in this JVM, so that quotas, logs and JMX tell them apart. Thread-safe.
 */
public final class ClientConfigs {

    private static final String DEFAULT_PREFIX = "panoptes";
    private static final Map<String, AtomicInteger> INSTANCES = new ConcurrentHashMap<>();

    private ClientConfigs() {}

    /**
     * Starts the configuration of a client for {@code purpose} (e.g. {@code worker-frames}).
     *
     * @param user the user's settings; not changed
     */
    public static Builder of(Map<String, ?> user, String purpose) {
        return new Builder(user, purpose);
    }

    /** A client's configuration being assembled; not thread-safe. */
    public static final class Builder {
        private final Map<String, Object> tuned = new LinkedHashMap<>();
        private final Map<String, Object> user;
        private final Map<String, Object> required = new LinkedHashMap<>();
        private final String purpose;

        private Builder(Map<String, ?> user, String purpose) {
            this.user = new LinkedHashMap<>(Objects.requireNonNull(user, "user"));
            if (purpose == null || purpose.isBlank()) {
                throw new IllegalArgumentException("a client's purpose must not be blank");
            }
            this.purpose = purpose;
        }

        /** A setting this client works best with; the user's own setting of the key wins. */
        public Builder tune(String key, Object value) {
            tuned.put(key, value);
            return this;
        }

        /** A setting this client needs to be correct; it wins over the user's. */
        public Builder require(String key, Object value) {
            required.put(key, value);
            return this;
        }

        /**
         * Drops a user setting this client must not have (e.g. {@code group.id} for an assigned
         * consumer).
         */
        public Builder without(String key) {
            user.remove(key);
            return this;
        }

        public Map<String, Object> build() {
            Map<String, Object> config = new LinkedHashMap<>(tuned);
            config.putAll(user);
            config.putAll(required);
            config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId());
            return config;
        }

        private String clientId() {
            Object prefix = user.getOrDefault(CommonClientConfigs.CLIENT_ID_CONFIG, DEFAULT_PREFIX);
            String id = prefix + "-" + purpose;
            int instance =
                    INSTANCES.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return instance == 1 ? id : id + "-" + instance;
        }
    }
}
