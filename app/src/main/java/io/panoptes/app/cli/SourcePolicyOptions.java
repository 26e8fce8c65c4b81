package io.panoptes.app.cli;

import io.panoptes.pipeline.source.SourcePolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which sources pipelines may name: the same for the API (checked on create) and ingest (checked
 * again on run).
 */
public final class SourcePolicyOptions {

    @Option(
            names = "--source-dir",
            paramLabel = "DIR",
            description =
                    "Pipelines may read local files under this folder. Repeatable; none means no local files.")
    private List<Path> dirs = new ArrayList<>();

    @Option(
            names = "--allow-private-sources",
            description =
                    "Let pipelines' network sources reach loopback, link-local and private addresses (cameras on the LAN).")
    private boolean allowPrivate;

    public SourcePolicy policy() {
        return new SourcePolicy(dirs, allowPrivate);
    }
}
