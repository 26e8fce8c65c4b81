package io.panoptes.app.cli;

import io.panoptes.actions.ActionSettings;
import io.panoptes.actions.ActionsService;
import io.panoptes.actions.FileSink;
import io.panoptes.actions.Sink;
import io.panoptes.actions.WebhookSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "actions",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Delivers events (rules that fired) to webhooks and files, at least once.",
            "",
            "Webhooks are signed the Standard Webhooks way (webhook-id, webhook-timestamp,",
            "webhook-signature): receivers verify with the secret and drop duplicates by",
            "webhook-id. Loopback and private addresses are refused unless --allow-private-webhooks;",
            "--allow-host limits destinations to the hosts named.",
            "",
            "Examples:",
            "  panoptes actions --file events.jsonl",
            "  panoptes actions --webhook https://hooks.example.com/panoptes \\",
            "      --webhook-secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        })
public final class ActionsCommand implements Callable<Integer> {

    @Mixin private RoleOptions role;

    @Option(
            names = "--group",
            defaultValue = ActionSettings.DEFAULT_GROUP,
            paramLabel = "GROUP",
            description = "Consumer group of the sinks (default: ${DEFAULT-VALUE}).")
    private String group;

    @Option(
            names = "--webhook",
            paramLabel = "URL",
            description = "POST every event here. Repeatable.")
    private List<URI> webhooks = new ArrayList<>();

    @Option(
            names = "--webhook-secret",
            paramLabel = "SECRET",
            description =
                    "Signing secret (whsec_<base64>, or any text); default: the PANOPTES_WEBHOOK_SECRET environment variable.")
    private String secret;

    @Option(
            names = "--allow-host",
            paramLabel = "HOST",
            description = "Only these webhook hosts are allowed. Repeatable.")
    private List<String> allowedHosts = new ArrayList<>();

    @Option(
            names = "--allow-private-webhooks",
            description = "Let webhooks reach loopback, link-local and private addresses.")
    private boolean allowPrivate;

    @Option(
            names = "--file",
            paramLabel = "FILE",
            description = "Append every event as a JSON line to this file.")
    private Path file;

    @Option(
            names = "--timeout",
            defaultValue = WebhookSink.DEFAULT_TIMEOUT,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Per request (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
            names = "--max-attempts",
            defaultValue = "" + ActionSettings.DEFAULT_MAX_ATTEMPTS,
            paramLabel = "N",
            description =
                    "Tries per event and webhook before it goes to the DLQ (default: ${DEFAULT-VALUE}).")
    private int maxAttempts;

    @Override
    public Integer call() throws InterruptedException {
        List<Sink> sinks = sinks();
        ActionSettings settings =
                ActionSettings.defaults().withGroup(group).withMaxAttempts(maxAttempts);
        RoleRun.run(
                "actions",
                role.metrics(),
                observability ->
                        List.of(
                                new ActionsService(
                                        settings,
                                        sinks,
                                        role.clientConfig(),
                                        role.topics(),
                                        observability.registry(),
                                        Clock.systemUTC())));
        return 0;
    }

    private List<Sink> sinks() {
        List<Sink> sinks = new ArrayList<>();
        if (!webhooks.isEmpty()) {
            String key = secret != null ? secret : System.getenv("PANOPTES_WEBHOOK_SECRET");
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException(
                        "--webhook needs --webhook-secret (or PANOPTES_WEBHOOK_SECRET) to sign with");
            }
            Set<String> hosts = new HashSet<>();
            allowedHosts.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
            for (URI url : webhooks) {
                sinks.add(
                        new WebhookSink(url, key, timeout, hosts, allowPrivate, Clock.systemUTC()));
            }
        }
        if (file != null) {
            sinks.add(new FileSink(file));
        }
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException(
                    "nothing to deliver to: give --webhook URL or --file FILE");
        }
        return sinks;
    }
}
