package io.panoptes.app.cli;

import io.panoptes.kafka.embedded.SchemaRegistryServer;
import io.panoptes.schemas.registry.RegistryClientConfig;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.registry.SchemaRegistry;
import picocli.CommandLine.Option;

/** Where the Confluent-compatible schema registry is, for every role that reads or writes Avro. */
public final class RegistryOptions {

    static final String DEFAULT_URL = "http://localhost:" + SchemaRegistryServer.STANDARD_PORT;

    @Option(
            names = "--registry-url",
            paramLabel = "URL",
            description =
                    "Schema registry (Confluent REST API) (default: $SCHEMA_REGISTRY_URL, else "
                            + DEFAULT_URL
                            + ").")
    private String url;

    @Option(
            names = "--registry-basic-auth",
            paramLabel = "USER:PASSWORD",
            description =
                    "Basic authentication for the registry (default: $SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO).")
    private String basicAuth;

    public String url() {
        if (url != null) {
            return url;
        }
        String env = System.getenv("SCHEMA_REGISTRY_URL");
        return env == null || env.isBlank() ? DEFAULT_URL : env;
    }

    public SchemaRegistry client() {
        String auth =
                basicAuth != null
                        ? basicAuth
                        : System.getenv("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO");
        RegistryClientConfig.Builder config = RegistryClientConfig.builder(url());
        if (auth != null && !auth.isBlank()) {
            config.basicAuth(auth);
        }
        return new RestSchemaRegistryClient(config.build());
    }
}
