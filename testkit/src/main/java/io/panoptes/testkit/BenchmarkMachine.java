package io.panoptes.testkit;

import java.util.Locale;

/** The line every benchmark prints under its figures, so that results say where they ran. */
public final class BenchmarkMachine {

    private BenchmarkMachine() {}

    /** {@code machine: N cores, <VM> <version>}. */
    public static String line() {
        return String.format(
                Locale.ROOT,
                "machine: %d cores, %s %s",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
    }
}
