package io.panoptes.pipeline;

/**
 * One way a pipeline spec is invalid: the field at fault, as clients name it ({@code maxFps},
 * {@code zones[0].polygon}, {@code rules[2].zone}), and what is wrong with it.
 */
public record Violation(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
