package io.panoptes.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code panoptes} command in this JVM and keeps what it printed. */
public final class CommandRun {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /**
     * Runs {@code args}, returning the exit code; output accumulates across runs until {@link
     * #clear()}.
     */
    public int run(String... args) {
        CommandLine commandLine = PanoptesCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return PanoptesCommand.execute(commandLine, args);
    }

    public String out() {
        return out.toString();
    }

    public String err() {
        return err.toString();
    }

    public void clear() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }
}
