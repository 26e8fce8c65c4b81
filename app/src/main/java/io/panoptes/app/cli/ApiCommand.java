package io.panoptes.app.cli;

import io.panoptes.api.ApiServer;
import io.panoptes.api.ApiSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panoptes api}: pipelines over HTTP. */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serves the control API: create, list, pause, resume, terminate pipelines (JSON, documented at",
            "/openapi.json), their results as Server-Sent Events, and counts from the aggregator. Pipelines",
            "are written to the pipelines topic; ingest instances started with --pipelines run them.",
            "",
            "Every /v1 request needs 'Authorization: Bearer <token>' (--token or PANOPTES_API_TOKEN);",
            "--no-auth turns that off, for a machine of your own.",
            "",
            "Examples:",
            "  PANOPTES_API_TOKEN=$(openssl rand -hex 24) panoptes api --source-dir /data/videos \\",
            "      --aggregator-url http://aggregator:8081",
            "  panoptes api --no-auth --allow-private-sources --port 8080"
        })
public final class ApiCommand implements Callable<Integer> {

    @Mixin private RoleOptions role;

    @Mixin private SourcePolicyOptions sources;

    @Option(
            names = "--port",
            defaultValue = "" + ApiSettings.DEFAULT_PORT,
            paramLabel = "PORT",
            description = "HTTP port (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(
            names = "--host",
            defaultValue = ApiSettings.DEFAULT_HOST,
            paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "Bearer token clients must send (default: $PANOPTES_API_TOKEN).")
    private String token;

    @Option(
            names = "--no-auth",
            description =
                    "Serve without authentication (anyone who reaches the port controls the pipelines).")
    private boolean noAuth;

    @Option(
            names = "--aggregator-url",
            paramLabel = "URL",
            description = "An aggregator's counts-query URL, for /v1/counts.")
    private URI aggregator;

    @Option(
            names = "--max-result-streams",
            defaultValue = "" + ApiSettings.DEFAULT_MAX_RESULT_STREAMS,
            paramLabel = "N",
            description = "Most Server-Sent-Event clients at once (default: ${DEFAULT-VALUE}).")
    private int maxResultStreams;

    @Override
    public Integer call() throws InterruptedException {
        ApiSettings settings =
                ApiSettings.defaults(sources.policy())
                        .withAddress(new InetSocketAddress(host, port))
                        .withToken(token())
                        .withAggregator(Optional.ofNullable(aggregator))
                        .withMaxResultStreams(maxResultStreams);
        RoleRun.run(
                "api",
                role.metrics(),
                observability ->
                        List.of(
                                new ApiServer(
                                        settings,
                                        role.clientConfig(),
                                        role.topics(),
                                        observability.registry())));
        return 0;
    }

    private Optional<String> token() {
        String value = token != null ? token : System.getenv("PANOPTES_API_TOKEN");
        if (noAuth) {
            if (value != null) {
                throw new IllegalArgumentException(
                        "--no-auth and a token (--token or PANOPTES_API_TOKEN) contradict each other");
            }
            return Optional.empty();
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    "the API needs a bearer token: give --token or PANOPTES_API_TOKEN"
                            + " (at least 16 characters), or --no-auth on a machine of your own");
        }
        return Optional.of(value);
    }
}
