package io.panoptes.pipeline.geometry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zones and lines written on a command line: {@code STREAM:NAME=x1,y1,x2,y2,...} (a zone needs 3 or
 * more points, a line exactly 2, from start to end). Stream ids may contain ':'; the last one
 * before '=' separates the name.
 */
public final class ShapeText {

    private ShapeText() {}

    /**
     * Geometry per stream from zone and line texts.
     *
     * @throws IllegalArgumentException naming the text, or the zone or line, and what is wrong
     */
    public static Map<String, Geometry> parse(List<String> zones, List<String> lines) {
        Map<String, List<Polygon>> zonesByStream = new LinkedHashMap<>();
        Map<String, List<DirectedLine>> linesByStream = new LinkedHashMap<>();
        for (String text : zones) {
            Parsed parsed = Parsed.of("zone", text);
            zonesByStream
                    .computeIfAbsent(parsed.stream(), s -> new ArrayList<>())
                    .add(Polygon.of(parsed.name(), parsed.points()));
        }
        for (String text : lines) {
            Parsed parsed = Parsed.of("line", text);
            if (parsed.points().size() != 2) {
                throw new IllegalArgumentException(
                        "line '"
                                + parsed.name()
                                + "' ("
                                + text
                                + ") needs exactly 2 points, got "
                                + parsed.points().size());
            }
            double[] start = parsed.points().get(0);
            double[] end = parsed.points().get(1);
            linesByStream
                    .computeIfAbsent(parsed.stream(), s -> new ArrayList<>())
                    .add(new DirectedLine(parsed.name(), start[0], start[1], end[0], end[1]));
        }
        Map<String, Geometry> geometry = new LinkedHashMap<>();
        for (String stream : union(zonesByStream, linesByStream)) {
            geometry.put(
                    stream,
                    new Geometry(
                            zonesByStream.getOrDefault(stream, List.of()),
                            linesByStream.getOrDefault(stream, List.of()),
                            "configured"));
        }
        return geometry;
    }

    private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        return keys;
    }

    private record Parsed(String stream, String name, List<double[]> points) {

        static Parsed of(String kind, String text) {
            int eq = text.indexOf('=');
            int colon = eq < 0 ? -1 : text.lastIndexOf(':', eq);
            if (colon <= 0 || eq == colon + 1) {
                throw new IllegalArgumentException(
                        kind + " '" + text + "' is not STREAM:NAME=x1,y1,x2,y2,...");
            }
            String name = text.substring(colon + 1, eq);
            String[] numbers = text.substring(eq + 1).split(",");
            if (numbers.length % 2 != 0) {
                throw new IllegalArgumentException(
                        kind
                                + " '"
                                + name
                                + "' has an odd number of coordinates: "
                                + text.substring(eq + 1));
            }
            List<double[]> points = new ArrayList<>();
            for (int i = 0; i < numbers.length; i += 2) {
                try {
                    points.add(
                            new double[] {
                                Double.parseDouble(numbers[i].trim()),
                                Double.parseDouble(numbers[i + 1].trim())
                            });
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            kind
                                    + " '"
                                    + name
                                    + "' has a coordinate that is not a number: "
                                    + numbers[i]
                                    + ","
                                    + numbers[i + 1]);
                }
            }
            return new Parsed(text.substring(0, colon), name, points);
        }
    }
}
