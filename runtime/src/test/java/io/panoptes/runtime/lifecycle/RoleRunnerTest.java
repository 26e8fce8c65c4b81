package io.panoptes.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.runtime.observability.ObservabilityServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoleRunnerTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final ObservabilityServer observability =
            ObservabilityServer.start(
                    "test", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

    @AfterEach
    void close() {
        observability.close();
    }

    /** A service that records what is done to it and fails on its own when told to. */
    private final class Recorded implements RoleService {
        private final String name;
        private final Lifecycle lifecycle;
        volatile String failure;
        RuntimeException onStart;

        Recorded(String name) {
            this.name = name;
            this.lifecycle = new Lifecycle(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start() {
            lifecycle.start();
            if (onStart != null) {
                throw onStart;
            }
            events.add("start " + name);
        }

        @Override
        public HealthCheck.Health health() {
            return HealthCheck.Health.up(name);
        }

        @Override
        public Optional<String> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public void close() {
            if (lifecycle.close()) {
                events.add("close " + name);
            }
        }
    }

    @Test
    void shouldStartInOrderAndCloseInReverseOnceTheWorkIsDone() throws Exception {
        Recorded first = new Recorded("first");
        Recorded second = new Recorded("second");

        assertThat(
                        RoleRunner.run(
                                "test",
                                observability,
                                List.of(first, second),
                                () -> events.size() >= 2))
                .isEmpty();

        assertThat(events)
                .containsExactly("start first", "start second", "close second", "close first");
    }

    @Test
    void shouldStopWhenAServiceFailsAndSayWhich() throws Exception {
        Recorded worker = new Recorded("worker");
        worker.failure = "the model crashed";

        assertThat(RoleRunner.run("test", observability, List.of(worker)))
                .contains("worker stopped: the model crashed");
        assertThat(events).containsExactly("start worker", "close worker");
    }

    @Test
    void shouldCloseWhatStartedWhenALaterServiceCannotStart() {
        Recorded first = new Recorded("first");
        Recorded broken = new Recorded("broken");
        broken.onStart = new IllegalStateException("port taken");

        assertThatThrownBy(() -> RoleRunner.run("test", observability, List.of(first, broken)))
                .hasMessage("port taken");
        assertThat(events).containsExactly("start first", "close first");
    }

    @Test
    void shouldRefuseASecondStartAndUseAfterClose() {
        Lifecycle lifecycle = new Lifecycle("the thing");
        assertThatThrownBy(lifecycle::requireStarted).hasMessage("the thing is not started");
        lifecycle.start();
        assertThatThrownBy(lifecycle::start).hasMessageContaining("the thing was already started");
        assertThat(lifecycle.close()).isTrue();
        assertThat(lifecycle.close()).as("idempotent").isFalse();
        assertThatThrownBy(lifecycle::requireOpen).hasMessage("the thing is closed");
        assertThatThrownBy(lifecycle::start).hasMessageContaining("the thing was closed");
    }

    @Test
    void shouldRunAnActionRightAfterAServiceStarts() throws Exception {
        Recorded ingest = new Recorded("ingest");
        RoleService withSources = ingest.onStart(() -> events.add("add sources"));

        RoleRunner.run("test", observability, List.of(withSources), () -> true);

        assertThat(events).containsExactly("start ingest", "add sources", "close ingest");
        assertThat(withSources.name()).isEqualTo("ingest");
    }
}
