package io.panoptes.runtime.lifecycle;

import io.panoptes.runtime.observability.ObservabilityServer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a role's services the one way every command does: start them in order (their health on the
 * role's {@code /health}), run until SIGTERM or Ctrl-C, until one of them fails on its own, or
 * until the work is done; then close them in reverse order on the calling thread, while the JVM's
 * shutdown waits for that.
 */
public final class RoleRunner {

    private static final Logger log = LoggerFactory.getLogger(RoleRunner.class);
    private static final Duration CHECK_EVERY = Duration.ofMillis(500);

    private RoleRunner() {}

    /** Runs {@code services} until stopped or one fails; the first failure, if any. */
    public static Optional<String> run(
            String role, ObservabilityServer observability, List<? extends RoleService> services)
            throws InterruptedException {
        return run(role, observability, services, () -> false);
    }

    /**
     * Runs {@code services} until stopped, until one fails, or until {@code done} is true (checked
     * twice a second, e.g. "every finite source has ended").
     *
     * @return the first failure, if any
     * @throws RuntimeException what a service's {@code start()} threw, after closing those started
     */
    public static Optional<String> run(
            String role,
            ObservabilityServer observability,
            List<? extends RoleService> services,
            BooleanSupplier done)
            throws InterruptedException {
        Deque<RoleService> started = new ArrayDeque<>();
        try (ShutdownHook hook = ShutdownHook.install(role)) {
            try {
                for (RoleService service : services) {
                    service.start();
                    started.push(service);
                    observability.addCheck(service.name(), service::health);
                }
                log.info(
                        "{}: running ({})",
                        role,
                        String.join(", ", services.stream().map(RoleService::name).toList()));
                while (!hook.await(CHECK_EVERY)) {
                    Optional<String> failure = firstFailure(services);
                    if (failure.isPresent()) {
                        return failure;
                    }
                    if (done.getAsBoolean()) {
                        return Optional.empty();
                    }
                }
                return Optional.empty();
            } finally {
                closeAll(started);
            }
        }
    }

    private static Optional<String> firstFailure(List<? extends RoleService> services) {
        for (RoleService service : services) {
            Optional<String> failure = service.failure();
            if (failure.isPresent()) {
                return Optional.of(service.name() + " stopped: " + failure.get());
            }
        }
        return Optional.empty();
    }

    /**
     * Closes each of {@code services}, last started first; one that fails to close does not keep
     * the others open.
     */
    public static void closeAll(Deque<? extends AutoCloseable> services) {
        while (!services.isEmpty()) {
            AutoCloseable service = services.pop();
            try {
                service.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", service, e.toString());
            }
        }
    }
}
