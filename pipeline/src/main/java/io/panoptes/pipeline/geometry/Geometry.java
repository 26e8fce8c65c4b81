package io.panoptes.pipeline.geometry;

import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.Zone;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The zones and lines a stream is counted with, and where they came from ({@code version}), so that
 * a stream's counter is rebuilt only when they change.
 */
public record Geometry(List<Polygon> zones, List<DirectedLine> lines, String version) {

    public static final Geometry NONE = new Geometry(List.of(), List.of(), "none");

    public Geometry {
        zones = List.copyOf(zones);
        lines = List.copyOf(lines);
    }

    /**
     * The geometry of a pipeline spec. A zone or line that is invalid is left out and reported to
     * {@code invalid} with its name, so that one bad shape never stops the stream's counting.
     */
    public static Geometry of(PipelineSpec spec, Consumer<String> invalid) {
        List<Polygon> zones = new ArrayList<>();
        for (Zone zone : spec.getZones()) {
            try {
                zones.add(
                        Polygon.of(
                                zone.getName(),
                                zone.getPolygon().stream()
                                        .map(p -> new double[] {p.getX(), p.getY()})
                                        .toList()));
            } catch (IllegalArgumentException e) {
                invalid.accept("pipeline " + spec.getPipelineId() + ": " + e.getMessage());
            }
        }
        List<DirectedLine> lines = new ArrayList<>();
        for (Line line : spec.getLines()) {
            try {
                lines.add(
                        new DirectedLine(
                                line.getName(),
                                line.getStart().getX(),
                                line.getStart().getY(),
                                line.getEnd().getX(),
                                line.getEnd().getY()));
            } catch (IllegalArgumentException e) {
                invalid.accept("pipeline " + spec.getPipelineId() + ": " + e.getMessage());
            }
        }
        return new Geometry(
                zones, lines, "pipeline " + spec.getPipelineId() + " v" + spec.getVersion());
    }
}
