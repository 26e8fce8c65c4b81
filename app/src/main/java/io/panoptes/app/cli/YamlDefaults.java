package io.panoptes.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a YAML file ({@code --config FILE}): a section per command, named as on the
 * command line ({@code worker:}, {@code aggregator:}, {@code topics create:}), and {@code common:}
 * for options any command may have; keys are long option names without dashes. Flags on the command
 * line win. Every key is checked when the file is loaded: an unknown section or option is refused,
 * naming the file, the section and the key.
 *
 * <pre>
 * common:
 *   bootstrap-servers: kafka-1:9092,kafka-2:9092
 *   registry-url: http://registry:8081
 * worker:
 *   group: panoptes-worker
 *   inference-threads: 2
 * aggregator:
 *   window: 30s
 *   zone: ["cam-1:door=100,100,300,100,300,400"]
 * </pre>
 */
final class YamlDefaults implements IDefaultValueProvider {

    private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();

    /**
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    YamlDefaults(Path file, CommandLine root) {
        Map<String, Object> document;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> read =
                    new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
            document = read == null ? Map.of() : read;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "config file " + file + " cannot be read: " + e.getMessage(), e);
        }
        Map<String, CommandSpec> commands = commands(root);
        document.forEach(
                (section, value) -> {
                    if (!(value instanceof Map<?, ?> options)) {
                        throw new IllegalArgumentException(
                                "config file "
                                        + file
                                        + ": section '"
                                        + section
                                        + "' must map option names to values");
                    }
                    CommandSpec command = commands.get(section);
                    if (command == null && !section.equals("common")) {
                        throw new IllegalArgumentException(
                                "config file "
                                        + file
                                        + ": unknown section '"
                                        + section
                                        + "' (use common or one of "
                                        + commands.keySet()
                                        + ")");
                    }
                    Map<String, String> values = new LinkedHashMap<>();
                    options.forEach(
                            (key, raw) -> {
                                String name = "--" + key;
                                boolean known =
                                        command != null
                                                ? command.findOption(name) != null
                                                : commands.values().stream()
                                                        .anyMatch(c -> c.findOption(name) != null);
                                if (!known) {
                                    throw new IllegalArgumentException(
                                            "config file "
                                                    + file
                                                    + ": "
                                                    + section
                                                    + " has no option '"
                                                    + key
                                                    + "'"
                                                    + (command == null
                                                            ? ""
                                                            : " (see panoptes "
                                                                    + section
                                                                    + " --help)"));
                                }
                                values.put(
                                        name,
                                        raw instanceof List<?> list
                                                ? list.stream()
                                                        .map(String::valueOf)
                                                        .collect(Collectors.joining(","))
                                                : String.valueOf(raw));
                            });
                    sections.put(section, values);
                });
    }

    /** Every command by the name a user types after "panoptes". */
    private static Map<String, CommandSpec> commands(CommandLine root) {
        Map<String, CommandSpec> commands = new LinkedHashMap<>();
        String rootName = root.getCommandSpec().qualifiedName();
        collect(root, rootName, commands);
        return commands;
    }

    private static void collect(
            CommandLine command, String rootName, Map<String, CommandSpec> commands) {
        for (CommandLine sub : command.getSubcommands().values()) {
            commands.put(
                    sub.getCommandSpec().qualifiedName().substring(rootName.length()).trim(),
                    sub.getCommandSpec());
            collect(sub, rootName, commands);
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)
                || arg.command() == null
                || arg.command().parent() == null) {
            return null;
        }
        String section = arg.command().qualifiedName();
        section = section.substring(section.indexOf(' ') + 1);
        for (String scope : List.of(section, "common")) {
            Map<String, String> values = sections.getOrDefault(scope, Map.of());
            String value = values.get(option.longestName());
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** The value of {@code --config} among the arguments, or null. */
    static Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }
}
