package io.panoptes.app;

import io.panoptes.app.cli.PanoptesCommand;

/** Entry point of the {@code panoptes} command. */
public final class Panoptes {

    private Panoptes() {}

    public static void main(String[] args) {
        System.exit(PanoptesCommand.execute(PanoptesCommand.commandLine(), args));
    }
}
