package io.panoptes.runtime.lifecycle;

import io.panoptes.runtime.observability.HealthCheck;
import java.util.Optional;

/**
 * The long-running part of a role (a worker, an ingest, the aggregator, the API...): built first,
 * then {@link #start() started}, run until it fails on its own or is closed. {@link RoleRunner}
 * runs any of them the same way.
 *
 * <p>Implementations start no thread in their constructor, refuse a second {@code start()} and any
 * use after {@code close()} with an {@link IllegalStateException}, and close idempotently.
 */
public interface RoleService extends AutoCloseable {

    /** What it is called in health checks and logs, e.g. {@code worker}. */
    String name();

    /** Starts its threads and clients. */
    void start();

    /** Its health, for {@code /health}. */
    HealthCheck.Health health();

    /** Why it stopped on its own; empty while it runs or after a clean close. */
    Optional<String> failure();

    /** Stops cleanly (drains and commits what is in flight); a second call does nothing. */
    @Override
    void close();

    /**
     * This service, doing {@code action} right after it has started (e.g. adding what it works on).
     */
    default RoleService onStart(Runnable action) {
        RoleService self = this;
        return new RoleService() {
            @Override
            public String name() {
                return self.name();
            }

            @Override
            public void start() {
                self.start();
                action.run();
            }

            @Override
            public HealthCheck.Health health() {
                return self.health();
            }

            @Override
            public Optional<String> failure() {
                return self.failure();
            }

            @Override
            public void close() {
                self.close();
            }
        };
    }

    /** Starts {@code service} and returns it: {@code started(new WorkerService(...))}. */
    static <T extends RoleService> T started(T service) {
        service.start();
        return service;
    }
}
