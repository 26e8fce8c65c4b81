package io.panoptes.schemas.registry;

import java.util.List;

/** Whether a schema may be registered, and when not, one message per incompatibility. */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    public static CompatibilityResult of(List<String> incompatibilities) {
        return new CompatibilityResult(incompatibilities.isEmpty(), incompatibilities);
    }
}
