package io.panoptes.pipeline.geometry;

import java.util.List;

/**
 * A named zone: a simple polygon in source pixels. Validated on construction (at least three
 * vertices, no zero-length edge, no edge crossing another), so a bad zone is refused at startup
 * with its name.
 */
public final class Polygon {

    private final String name;
    private final double[] xs;
    private final double[] ys;

    private Polygon(String name, double[] xs, double[] ys) {
        this.name = name;
        this.xs = xs;
        this.ys = ys;
    }

    /**
     * @param vertices {@code [x, y]} pairs in order
     * @throws IllegalArgumentException naming the zone and what is wrong with it
     */
    public static Polygon of(String name, List<double[]> vertices) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a zone needs a name");
        }
        if (vertices.size() < 3) {
            throw new IllegalArgumentException(
                    "zone '"
                            + name
                            + "' has "
                            + vertices.size()
                            + " vertices; a polygon needs at least 3");
        }
        double[] xs = new double[vertices.size()];
        double[] ys = new double[vertices.size()];
        for (int i = 0; i < vertices.size(); i++) {
            xs[i] = vertices.get(i)[0];
            ys[i] = vertices.get(i)[1];
        }
        Polygon polygon = new Polygon(name, xs, ys);
        polygon.validate();
        return polygon;
    }

    public String name() {
        return name;
    }

    /** The vertices in order, {@code [x, y]} each (for drawing). */
    public List<double[]> vertices() {
        List<double[]> vertices = new java.util.ArrayList<>(xs.length);
        for (int i = 0; i < xs.length; i++) {
            vertices.add(new double[] {xs[i], ys[i]});
        }
        return vertices;
    }

    /** Whether the point lies inside (ray casting; points on the boundary may go either way). */
    public boolean contains(double x, double y) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y)
                    && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                inside = !inside;
            }
        }
        return inside;
    }

    private void validate() {
        int n = xs.length;
        for (int i = 0; i < n; i++) {
            int next = (i + 1) % n;
            if (xs[i] == xs[next] && ys[i] == ys[next]) {
                throw new IllegalArgumentException(
                        "zone '" + name + "': vertices " + i + " and " + next + " coincide");
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 2; j < n; j++) {
                if (i == 0 && j == n - 1) {
                    continue; // neighbours through the closing edge
                }
                if (Segments.intersect(
                        xs[i],
                        ys[i],
                        xs[(i + 1) % n],
                        ys[(i + 1) % n],
                        xs[j],
                        ys[j],
                        xs[(j + 1) % n],
                        ys[(j + 1) % n])) {
                    throw new IllegalArgumentException(
                            "zone '"
                                    + name
                                    + "' intersects itself: edge "
                                    + i
                                    + " crosses edge "
                                    + j);
                }
            }
        }
    }
}
