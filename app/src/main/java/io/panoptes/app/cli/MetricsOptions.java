package io.panoptes.app.cli;

import io.panoptes.runtime.observability.ObservabilityServer;
import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/** Where a role serves {@code /metrics} (Prometheus) and {@code /health}. */
public final class MetricsOptions {

    @Option(
            names = "--metrics-port",
            defaultValue = "${env:PANOPTES_METRICS_PORT:-0}",
            paramLabel = "PORT",
            description =
                    "Port for /metrics and /health; 0 picks a free one and logs it (default: $PANOPTES_METRICS_PORT, else 0).")
    private int port;

    @Option(
            names = "--metrics-host",
            defaultValue = "0.0.0.0",
            paramLabel = "HOST",
            description = "Address to serve /metrics and /health on (default: ${DEFAULT-VALUE}).")
    private String host;

    public ObservabilityServer start(String role) {
        try {
            return ObservabilityServer.start(role, new InetSocketAddress(host, port));
        } catch (RuntimeException e) {
            throw new UserException(e.getMessage(), 1, e);
        }
    }
}
