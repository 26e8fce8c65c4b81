package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.testkit.SystemTools;
import io.panoptes.testkit.TestVideos;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code panoptes local --demo people} on the first 300 frames of vtest.avi, counted against the
 * hand labels in {@code labels/vtest-first-300/} (their README says how they were made and why the
 * tolerances are what they are). The face model, given the same demo, must miss them: the check
 * tells a people counter from anything else.
 */
@Timeout(300)
class LocalDemoIT {

    private static final Pattern PERSON_WINDOW =
            Pattern.compile(
                    "window \\S+ person: \\d+ unique, max (\\d+) at once, [\\d.]+ per frame over (\\d+)"
                            + " frames(?:; crossed (\\d+) in, (\\d+) out)?");
    private static final Pattern ZONE_WINDOW =
            Pattern.compile(
                    "window \\S+ person in east-path: \\d+ unique, max (\\d+) at once, ([\\d.]+) per"
                            + " frame over (\\d+) frames");

    @TempDir static Path dir;
    private static Path first300;

    @BeforeAll
    static void cutTheFirst300Frames() throws Exception {
        SystemTools.requireExecutable(
                Path.of("/usr/bin/ffmpeg"), "the ffmpeg CLI: apt-get install ffmpeg");
        first300 = dir.resolve("vtest-300.avi");
        run(
                dir,
                "ffmpeg",
                "-v",
                "error",
                "-i",
                TestVideos.vtest().toString(),
                "-frames:v",
                "300",
                "-c",
                "copy",
                first300.toString());
    }

    @Test
    void shouldCountPeopleWithinTheHandLabelsAndDrawTheZoneAndLine() throws Exception {
        Path work = Files.createDirectories(dir.resolve("coco"));

        String out = local(work, "--demo", "people", "--source", first300.toString());

        assertThat(out)
                .contains("summary: 300 frames in, 300 results out (0 skipped, 0 failed)")
                .contains("output: panoptes-local.mp4, 300 frames")
                .contains("person-crossed-east (LINE_CROSSING) line=crossing")
                .contains("busy-east-path (COUNT_THRESHOLD) zone=east-path");
        Counts counts = Counts.of(out);
        assertThat(counts.misses(Labels.read())).as(counts + "\n" + out).isEmpty();
        byte[] rgb = firstFrameRgb(work.resolve("panoptes-local.mp4"));
        assertThat(nearColour(rgb, 448, 255, 255, 255, 0)).as("the zone, yellow").isTrue();
        assertThat(nearColour(rgb, 320, 285, 255, 0, 255)).as("the line, magenta").isTrue();
    }

    /** Also covers another video than the faces demo's, drawn with boxes into a named file. */
    @Test
    void shouldMissTheLabelsWithTheFaceModel() throws Exception {
        Path work = Files.createDirectories(dir.resolve("face"));

        String out =
                local(
                        work,
                        "--demo",
                        "people",
                        "--model",
                        "face",
                        "--source",
                        first300.toString(),
                        "--style",
                        "boxes",
                        "--output",
                        "street.mp4");

        assertThat(out)
                .contains("panoptes local: vtest-300 from")
                .contains("summary: 300 frames in, 300 results out (0 skipped, 0 failed)")
                .contains("output: street.mp4, 300 frames");
        assertThat(Counts.of(out).misses(Labels.read())).isNotEmpty();
    }

    /** What the hand labels say, from the committed CSV files. */
    record Labels(int in, int out, int zoneMax, int zoneMaxBorderline, double zoneMean) {

        static Labels read() throws IOException {
            int in = 0;
            int out = 0;
            for (String[] row : csv("crossings.csv")) {
                if (row[1].equals("in")) {
                    in++;
                } else {
                    out++;
                }
            }
            int max = 0;
            int maxBorderline = 0;
            double sum = 0;
            List<String[]> zone = csv("zone.csv");
            for (String[] row : zone) {
                int inside = Integer.parseInt(row[1]);
                max = Math.max(max, inside);
                maxBorderline = Math.max(maxBorderline, inside + Integer.parseInt(row[2]));
                sum += inside;
            }
            return new Labels(in, out, max, maxBorderline, sum / zone.size());
        }

        private static List<String[]> csv(String name) throws IOException {
            String resource = "/labels/vtest-first-300/" + name;
            try (InputStream in = LocalDemoIT.class.getResourceAsStream(resource)) {
                assertThat(in).as(resource).isNotNull();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.startsWith("frame"))
                        .map(l -> l.split(",", -1))
                        .toList();
            }
        }
    }

    /** What the product counted, summed over the summary's windows. */
    record Counts(int in, int out, int zoneMax, double zoneMean, int frames) {

        static Counts of(String summary) {
            int in = 0;
            int out = 0;
            int frames = 0;
            Matcher whole = PERSON_WINDOW.matcher(summary);
            while (whole.find()) {
                frames += Integer.parseInt(whole.group(2));
                in += whole.group(3) == null ? 0 : Integer.parseInt(whole.group(3));
                out += whole.group(4) == null ? 0 : Integer.parseInt(whole.group(4));
            }
            int max = 0;
            double weighted = 0;
            Matcher zone = ZONE_WINDOW.matcher(summary);
            while (zone.find()) {
                max = Math.max(max, Integer.parseInt(zone.group(1)));
                weighted += Double.parseDouble(zone.group(2)) * Integer.parseInt(zone.group(3));
            }
            return new Counts(in, out, max, frames == 0 ? 0 : weighted / frames, frames);
        }

        /** The tolerances of labels/vtest-first-300/README.md this run misses, in words. */
        List<String> misses(Labels labels) {
            List<String> misses = new ArrayList<>();
            check(misses, "crossings", in + out, labels.in() + labels.out(), 3);
            check(misses, "crossings out", out, labels.out(), 2);
            check(misses, "crossings in", in, labels.in(), 1.5);
            if (zoneMax < labels.zoneMax() - 1 || zoneMax > labels.zoneMaxBorderline() + 2) {
                misses.add(
                        "most in the zone at once: " + zoneMax + ", labelled " + labels.zoneMax());
            }
            check(misses, "mean in the zone", zoneMean, labels.zoneMean(), 1.2);
            return misses;
        }

        private static void check(
                List<String> misses,
                String what,
                double counted,
                double labelled,
                double tolerance) {
            if (Math.abs(counted - labelled) > tolerance) {
                misses.add(what + ": " + counted + ", labelled " + labelled + " ± " + tolerance);
            }
        }
    }

    private static String local(Path work, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("--api-port", "0"));
        command.addAll(List.of(args));
        Process local = LocalCommandIT.local(work, command);
        assertThat(local.waitFor(240, TimeUnit.SECONDS)).as("the demo ends").isTrue();
        String out = Files.readString(work.resolve("out.log"));
        assertThat(local.exitValue()).as(out).isZero();
        return out;
    }

    /** The first frame of a video as 768x576 RGB bytes, decoded by the ffmpeg CLI. */
    private static byte[] firstFrameRgb(Path video) throws Exception {
        Path raw = video.resolveSibling("frame0.rgb");
        run(
                video.getParent(),
                "ffmpeg",
                "-v",
                "error",
                "-i",
                video.toString(),
                "-frames:v",
                "1",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                raw.toString());
        byte[] rgb = Files.readAllBytes(raw);
        assertThat(rgb).hasSize(768 * 576 * 3);
        return rgb;
    }

    /**
     * Whether a pixel within 2 px of (x, y) is near the colour (lossy video moves colours a
     * little).
     */
    private static boolean nearColour(byte[] rgb, int x, int y, int r, int g, int b) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                int i = ((y + dy) * 768 + x + dx) * 3;
                if (Math.abs((rgb[i] & 0xff) - r) < 70
                        && Math.abs((rgb[i + 1] & 0xff) - g) < 70
                        && Math.abs((rgb[i + 2] & 0xff) - b) < 70) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void run(Path workDir, String... command) throws Exception {
        Process process =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
