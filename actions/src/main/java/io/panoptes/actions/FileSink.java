package io.panoptes.actions;

import io.panoptes.avro.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends each event as one line of JSON to a file (JSON Lines), flushed per event. */
public final class FileSink implements Sink {

    private final Path file;
    private final OutputStream out;

    /**
     * @throws UncheckedIOException naming the file when it cannot be opened for appending
     */
    public FileSink(Path file) {
        this.file = file;
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            this.out =
                    Files.newOutputStream(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "events file " + file + " cannot be opened for appending: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public String name() {
        return "file:" + file;
    }

    @Override
    public synchronized Delivery deliver(Event event, byte[] json) {
        try {
            out.write(json);
            out.write('\n');
            out.flush();
            return Delivery.delivered("appended");
        } catch (IOException e) {
            return Delivery.retryable("cannot append to " + file + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            // nothing left to flush
        }
    }
}
