package io.panoptes.schemas.topics;

/**
 * The topics of the contract (DESIGN.md), each named {@code <prefix><suffix>}, with the cleanup
 * policy it needs.
 */
public enum TopicKind {
    FRAMES("frames", "delete"),
    DETECTIONS("detections", "delete"),
    TRACKS("tracks", "delete"),
    COUNTS("counts", "compact,delete"),
    EVENTS("events", "delete"),
    PIPELINES("pipelines", "compact"),
    PIPELINE_STATUS("pipeline-status", "compact"),
    MODELS("models", "compact"),
    DLQ("dlq", "delete");

    private final String suffix;
    private final String cleanupPolicy;

    TopicKind(String suffix, String cleanupPolicy) {
        this.suffix = suffix;
        this.cleanupPolicy = cleanupPolicy;
    }

    public String suffix() {
        return suffix;
    }

    public String cleanupPolicy() {
        return cleanupPolicy;
    }

    public String topicName(String prefix) {
        return prefix + suffix;
    }
}
