package io.panoptes.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code panoptes} command; each role adds its subcommand. */
@Command(
        name = "panoptes",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description =
                "Distributed video analytics on Apache Kafka: ingest decodes video into frames, "
                        + "workers run detection models, the aggregator tracks and counts.",
        footer = {
            "",
            "Examples:",
            "  panoptes local                       # everything in one JVM: the demo",
            "  panoptes broker                      # Kafka and a schema registry on this machine, for trying things out",
            "  panoptes topics create --bootstrap-servers kafka:9092 --frames-partitions 12",
            "  panoptes ingest --source rtsp://cam1/h264 --stream-id door --max-fps 10",
            "  panoptes worker --model coco",
            "  panoptes api --source-dir /data/videos       # the control API; ingest --pipelines runs what it creates",
            "  panoptes pipelines create door --source rtsp://cam1/h264 --max-fps 10",
            "  panoptes topics create --prefix site-a. --kafka-config client.properties",
            "",
            "Kafka client settings come from KAFKA_* environment variables (KAFKA_BOOTSTRAP_SERVERS, "
                    + "KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_JAAS_CONFIG, ...), then --kafka-config, then -X flags."
        },
        subcommands = {
            BrokerCommand.class,
            TopicsCommand.class,
            IngestCommand.class,
            WorkerCommand.class,
            AggregatorCommand.class,
            ActionsCommand.class,
            ApiCommand.class,
            PipelinesCommand.class,
            LocalCommand.class,
            InferCommand.class,
            ConsumeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PanoptesCommand implements Runnable {

    @Spec private CommandSpec spec;

    @CommandLine.Option(
            names = "--config",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "FILE",
            description =
                    "Option defaults from a YAML file: a section per command (worker:, aggregator:, ...) and common: for all;"
                            + " flags win.")
    private java.nio.file.Path config;

    /**
     * Runs {@code args} with option defaults from {@code --config} when given; a config file with a
     * mistake is refused (exit 2) naming the file and the key.
     */
    public static int execute(CommandLine commandLine, String... args) {
        java.nio.file.Path file = YamlDefaults.configFile(args);
        if (file != null) {
            try {
                commandLine.setDefaultValueProvider(new YamlDefaults(file, commandLine));
            } catch (IllegalArgumentException e) {
                commandLine.getErr().println("panoptes: " + e.getMessage());
                commandLine.getErr().flush();
                return 2;
            }
        }
        return commandLine.execute(args);
    }

    /** The command line with the error handling every subcommand shares. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PanoptesCommand());
        commandLine.setExecutionExceptionHandler(PanoptesCommand::reportError);
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One clear line for what the user can fix; a stack trace only for what they cannot. */
    private static int reportError(
            Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        String name = commandLine.getCommandSpec().qualifiedName();
        if (e instanceof UserException || e instanceof IllegalArgumentException) {
            err.println(name + ": " + e.getMessage());
        } else {
            err.println(name + ": unexpected error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof UserException user ? user.exitCode() : 1;
    }
}
