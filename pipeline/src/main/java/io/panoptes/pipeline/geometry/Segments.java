package io.panoptes.pipeline.geometry;

/** Plane geometry of segments, for zones and lines. */
final class Segments {

    private Segments() {}

    /**
     * Sign of the cross product (b − a) × (p − a): &gt; 0 when p is left of a→b (y down:
     * clockwise), 0 on the line.
     */
    static double side(double ax, double ay, double bx, double by, double px, double py) {
        return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
    }

    /** Whether segments p1p2 and q1q2 intersect, touching included. */
    static boolean intersect(
            double p1x,
            double p1y,
            double p2x,
            double p2y,
            double q1x,
            double q1y,
            double q2x,
            double q2y) {
        double d1 = side(q1x, q1y, q2x, q2y, p1x, p1y);
        double d2 = side(q1x, q1y, q2x, q2y, p2x, p2y);
        double d3 = side(p1x, p1y, p2x, p2y, q1x, q1y);
        double d4 = side(p1x, p1y, p2x, p2y, q2x, q2y);
        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0))
                && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
            return true;
        }
        return (d1 == 0 && onSegment(q1x, q1y, q2x, q2y, p1x, p1y))
                || (d2 == 0 && onSegment(q1x, q1y, q2x, q2y, p2x, p2y))
                || (d3 == 0 && onSegment(p1x, p1y, p2x, p2y, q1x, q1y))
                || (d4 == 0 && onSegment(p1x, p1y, p2x, p2y, q2x, q2y));
    }

    private static boolean onSegment(
            double ax, double ay, double bx, double by, double px, double py) {
        return Math.min(ax, bx) <= px
                && px <= Math.max(ax, bx)
                && Math.min(ay, by) <= py
                && py <= Math.max(ay, by);
    }
}
