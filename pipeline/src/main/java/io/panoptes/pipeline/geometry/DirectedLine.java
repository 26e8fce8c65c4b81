package io.panoptes.pipeline.geometry;

import java.util.Optional;

/**
 * A named counting line from {@code start} to {@code end}, in source pixels. Crossing it from its
 * left side to its right side (looking from start to end, image y pointing down) counts as IN, the
 * other way as OUT. A movement that touches the line without changing sides is no crossing.
 */
public record DirectedLine(String name, double startX, double startY, double endX, double endY) {

    /** Which way a crossing went. */
    public enum Direction {
        IN,
        OUT
    }

    public DirectedLine {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a line needs a name");
        }
        if (startX == endX && startY == endY) {
            throw new IllegalArgumentException(
                    "line '"
                            + name
                            + "' has zero length: start and end are both ("
                            + startX
                            + ", "
                            + startY
                            + ")");
        }
    }

    /** Whether (x, y) lies on the segment itself (neither side of it). */
    public boolean touches(double x, double y) {
        return Segments.side(startX, startY, endX, endY, x, y) == 0
                && Math.min(startX, endX) <= x
                && x <= Math.max(startX, endX)
                && Math.min(startY, endY) <= y
                && y <= Math.max(startY, endY);
    }

    /**
     * The crossing made by moving from (x0, y0) to (x1, y1), if the movement crosses the segment.
     */
    public Optional<Direction> crossing(double x0, double y0, double x1, double y1) {
        double before = Segments.side(startX, startY, endX, endY, x0, y0);
        double after = Segments.side(startX, startY, endX, endY, x1, y1);
        if (before == 0 || after == 0 || (before > 0) == (after > 0)) {
            return Optional.empty();
        }
        if (!Segments.intersect(x0, y0, x1, y1, startX, startY, endX, endY)) {
            return Optional.empty(); // changed sides beyond the segment's ends
        }
        // y points down, so a point with a negative cross product is on the left of start→end
        return Optional.of(before < 0 ? Direction.IN : Direction.OUT);
    }
}
