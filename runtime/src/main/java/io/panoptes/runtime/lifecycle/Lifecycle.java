package io.panoptes.runtime.lifecycle;

/**
 * The state of a {@link RoleService}: new, started, closed. A service keeps one and asks it, so
 * that a second start, a start after close and a use after close fail loudly, naming the service,
 * and a second close is a no-op. Thread-safe.
 */
public final class Lifecycle {

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final String name;
    private State state = State.NEW;

    public Lifecycle(String name) {
        this.name = name;
    }

    /**
     * Marks the service started.
     *
     * @throws IllegalStateException when it was started or closed before
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException(
                    name
                            + " was "
                            + (state == State.STARTED ? "already started" : "closed")
                            + ": start a new one");
        }
        state = State.STARTED;
    }

    /**
     * Marks the service closed.
     *
     * @return whether this call closed it (false when it was closed before)
     */
    public synchronized boolean close() {
        if (state == State.CLOSED) {
            return false;
        }
        state = State.CLOSED;
        return true;
    }

    /**
     * @throws IllegalStateException when the service is closed
     */
    public synchronized void requireOpen() {
        if (state == State.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * @throws IllegalStateException unless the service runs
     */
    public synchronized void requireStarted() {
        if (state != State.STARTED) {
            throw new IllegalStateException(
                    name + (state == State.NEW ? " is not started" : " is closed"));
        }
    }

    public synchronized boolean isStarted() {
        return state == State.STARTED;
    }

    public synchronized boolean isClosed() {
        return state == State.CLOSED;
    }
}
