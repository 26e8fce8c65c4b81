package io.panoptes.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version the build wrote into {@code panoptes-version.properties}, plus the Java runtime's.
 */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in =
                VersionProvider.class.getResourceAsStream("/panoptes-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {
            "panoptes " + properties.getProperty("version", "unknown"),
            "Java "
                    + System.getProperty("java.version")
                    + " ("
                    + System.getProperty("java.vm.name")
                    + ")"
        };
    }
}
