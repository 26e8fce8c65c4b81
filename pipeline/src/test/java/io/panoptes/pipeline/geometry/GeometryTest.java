package io.panoptes.pipeline.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GeometryTest {

    private static final Polygon DOOR =
            Polygon.of(
                    "door",
                    List.of(
                            new double[] {100, 100},
                            new double[] {300, 100},
                            new double[] {300, 400},
                            new double[] {100, 400}));

    @Test
    void shouldTellInsideFromOutside() {
        assertThat(DOOR.contains(200, 250)).isTrue();
        assertThat(DOOR.contains(50, 250)).isFalse();
        assertThat(DOOR.contains(200, 401)).isFalse();
        Polygon lShape =
                Polygon.of(
                        "l",
                        List.of(
                                new double[] {0, 0},
                                new double[] {10, 0},
                                new double[] {10, 5},
                                new double[] {5, 5},
                                new double[] {5, 10},
                                new double[] {0, 10}));
        assertThat(lShape.contains(2, 8)).isTrue();
        assertThat(lShape.contains(8, 8)).isFalse();
    }

    @Test
    void shouldRefuseBadZonesNamingThem() {
        assertThatThrownBy(
                        () ->
                                Polygon.of(
                                        "bowtie",
                                        List.of(
                                                new double[] {0, 0},
                                                new double[] {10, 10},
                                                new double[] {10, 0},
                                                new double[] {0, 10})))
                .hasMessage("zone 'bowtie' intersects itself: edge 0 crosses edge 2");
        assertThatThrownBy(
                        () ->
                                Polygon.of(
                                        "sliver",
                                        List.of(new double[] {0, 0}, new double[] {1, 1})))
                .hasMessage("zone 'sliver' has 2 vertices; a polygon needs at least 3");
        assertThatThrownBy(
                        () ->
                                Polygon.of(
                                        "dup",
                                        List.of(
                                                new double[] {0, 0},
                                                new double[] {0, 0},
                                                new double[] {5, 5})))
                .hasMessageContaining("zone 'dup': vertices 0 and 1 coincide");
    }

    @Test
    void shouldCountCrossingsWithTheirDirection() {
        // a horizontal line at y = 300 drawn left to right: its left side is above (smaller y)
        DirectedLine line = new DirectedLine("threshold", 0, 300, 720, 300);

        assertThat(line.crossing(360, 250, 360, 350)).contains(DirectedLine.Direction.IN);
        assertThat(line.crossing(360, 350, 360, 250)).contains(DirectedLine.Direction.OUT);
        assertThat(line.crossing(360, 250, 360, 290)).isEmpty(); // approached, did not cross
        assertThat(line.crossing(360, 300, 360, 350)).isEmpty(); // started on the line
        assertThat(line.crossing(800, 250, 800, 350)).isEmpty(); // beyond the segment's end
    }

    @Test
    void shouldRefuseALineOfZeroLength() {
        assertThatThrownBy(() -> new DirectedLine("dot", 5, 5, 5, 5))
                .hasMessage("line 'dot' has zero length: start and end are both (5.0, 5.0)");
    }
}
