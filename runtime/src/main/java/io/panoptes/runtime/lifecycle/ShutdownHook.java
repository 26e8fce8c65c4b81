package io.panoptes.runtime.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and Ctrl-C for a command's main thread: the hook tells the main thread to stop (and runs
 * the actions given to {@link #onSignal}, e.g. waking a blocked consumer), then holds the JVM's
 * shutdown until the main thread has closed everything ({@link #close()}), so that what is in
 * flight is committed before the JVM halts. Closing without a signal removes the hook.
 */
public final class ShutdownHook implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShutdownHook.class);
    private static final Duration MAX_CLOSE = Duration.ofSeconds(90);

    private final String name;
    private final Thread thread;
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Runnable> actions = new CopyOnWriteArrayList<>();

    private ShutdownHook(String name) {
        this.name = name;
        this.thread = new Thread(this::signal, name + "-shutdown");
    }

    /** Installs a hook for the command {@code name}. */
    public static ShutdownHook install(String name) {
        ShutdownHook hook = new ShutdownHook(name);
        Runtime.getRuntime().addShutdownHook(hook.thread);
        return hook;
    }

    /** Runs {@code action} on the hook's thread when the signal comes. */
    public void onSignal(Runnable action) {
        actions.add(action);
    }

    /** Waits for the signal; true when it came. */
    public boolean await(Duration timeout) throws InterruptedException {
        return signalled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean signalled() {
        return signalled.getCount() == 0;
    }

    private void signal() {
        log.info("{}: stopping", name);
        signalled.countDown();
        actions.forEach(Runnable::run);
        try {
            if (!closed.await(MAX_CLOSE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "{}: did not finish closing within {} s; exiting anyway",
                        name,
                        MAX_CLOSE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The main thread has closed everything: the JVM may exit (or, without a signal, the hook
     * goes).
     */
    @Override
    public void close() {
        closed.countDown();
        if (!signalled()) {
            try {
                Runtime.getRuntime().removeShutdownHook(thread);
            } catch (IllegalStateException shuttingDown) {
                // the signal arrived meanwhile: the hook runs and returns at once
            }
        }
    }
}
