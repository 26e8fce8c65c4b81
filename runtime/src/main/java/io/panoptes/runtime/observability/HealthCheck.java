package io.panoptes.runtime.observability;

/** One component's view of its health, asked on every request to the health endpoint. */
@FunctionalInterface
public interface HealthCheck {

    Health check();

    /** UP or DOWN with a short detail a person can act on. */
    record Health(boolean up, String detail) {
        public static Health up(String detail) {
            return new Health(true, detail);
        }

        public static Health down(String detail) {
            return new Health(false, detail);
        }
    }
}
