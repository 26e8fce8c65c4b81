package io.panoptes.app;

import io.panoptes.app.cli.PanoptesCommand;
import picocli.CommandLine;

/** Entry point of the {@code panoptes} command. */
public final class Panoptes {

    private Panoptes() {}

    public static void main(String[] args) {
        // before any JDK HTTP server exists: answers go out at once instead of waiting for a delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.exit(PanoptesCommand.execute(PanoptesCommand.commandLine(), args));
    }
}
