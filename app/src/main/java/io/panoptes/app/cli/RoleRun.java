package io.panoptes.app.cli;

import io.panoptes.runtime.lifecycle.RoleRunner;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.ObservabilityServer;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * How every role command runs: serve {@code /metrics} and {@code /health}, build the services (with
 * the metrics registry), run them with {@link RoleRunner} until SIGTERM, a failure or the end of
 * the work, and turn what the user can act on into one line and an exit code.
 */
final class RoleRun {

    private RoleRun() {}

    /**
     * @param services the role's services, built with the role's observability (metrics registry)
     * @param done whether the work is over (e.g. every finite source ended); checked twice a second
     * @throws UserException naming the service that stopped and why, or what could not be bound
     */
    static void run(
            String role,
            MetricsOptions metrics,
            Function<ObservabilityServer, List<RoleService>> services,
            BooleanSupplier done)
            throws InterruptedException {
        try (ObservabilityServer observability = metrics.start(role)) {
            Optional<String> failure =
                    RoleRunner.run(role, observability, services.apply(observability), done);
            if (failure.isPresent()) {
                throw new UserException(failure.get());
            }
        } catch (UncheckedIOException e) {
            throw new UserException(e.getMessage(), 1, e);
        }
    }

    /** Runs until SIGTERM or a failure. */
    static void run(
            String role,
            MetricsOptions metrics,
            Function<ObservabilityServer, List<RoleService>> services)
            throws InterruptedException {
        run(role, metrics, services, () -> false);
    }
}
