package io.panoptes.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The small fixtures shipped in this module's resources under {@code testdata/} (models, images),
 * as files. See {@code testdata/README.md} for what each is and where it came from.
 */
public final class TestData {

    public static final String BLAZEFACE_FRONT = "blazeface/face_detection_front_128x128.onnx";
    public static final String BRIGHT_SQUARE_YOLOV8 = "models/bright-square-yolov8.onnx";
    public static final String BRIGHT_SQUARE_YOLOV8_DYNBATCH =
            "models/bright-square-yolov8-dynbatch.onnx";
    public static final String BRIGHT_SQUARE_YOLOV5 = "models/bright-square-yolov5.onnx";
    public static final String BRIGHT_SQUARE_EXPECTED = "models/bright-square-expected.csv";
    public static final String WHITE_SQUARE_PNG = "models/white-square-640.png";

    /** YOLOv8-cls: softmax of 10 × each RGB channel's mean; classes red, green, blue. */
    public static final String CLS_COLOUR_YOLOV8 = "models/cls-colour-yolov8.onnx";

    /** YOLOv8-pose on the cell grid: 2 keypoints per cell, its corners (visibility b, 1 - b). */
    public static final String POSE_CELLS_YOLOV8 = "models/pose-cells-yolov8.onnx";

    /** YOLOv8-seg on the cell grid: bright/dark, one prototype whose mask is the bright pixels. */
    public static final String SEG_CELLS_YOLOV8 = "models/seg-cells-yolov8.onnx";

    public static final String MEGAMIND_FRAME_030_PNG = "images/Megamind_frame030.png";

    /** The first frame of vtest.avi (768x576, people and two vehicles), JPEG q3 from ffmpeg. */
    public static final String VTEST_FRAME_000_JPG = "images/vtest_frame000.jpg";

    private TestData() {}

    /**
     * The fixture at {@code relativePath} below {@code testdata/}, copied out of a jar if need be.
     */
    public static Path file(String relativePath) {
        String resource = "testdata/" + relativePath;
        URL url = TestData.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("no test fixture " + resource + " on the classpath");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy =
                    Files.createTempFile(
                            "panoptes-fixture-", "-" + Path.of(relativePath).getFileName());
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test fixture " + resource, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad fixture URL " + url, e);
        }
    }

    /** The fixture's bytes. */
    public static byte[] bytes(String relativePath) {
        try {
            return Files.readAllBytes(file(relativePath));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test fixture " + relativePath, e);
        }
    }
}
