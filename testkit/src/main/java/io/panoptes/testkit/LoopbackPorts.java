package io.panoptes.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests of unreachable endpoints. */
public final class LoopbackPorts {

    private LoopbackPorts() {}

    /**
     * A loopback port nothing listens on (it was free a moment ago): connecting to it is refused.
     */
    public static int closed() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
