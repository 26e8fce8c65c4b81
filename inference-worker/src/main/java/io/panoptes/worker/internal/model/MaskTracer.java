package io.panoptes.worker.internal.model;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_EXTERNAL;
import static org.bytedeco.opencv.global.opencv_imgproc.approxPolyDP;
import static org.bytedeco.opencv.global.opencv_imgproc.contourArea;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;

import io.panoptes.avro.Vertex;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A YOLOv8-seg detection's mask as a polygon: the mask is {@code sigmoid(coefficients · prototypes)
 * > 0.5} (that is, the dot product above 0) inside the detection's box, on the prototypes' grid (a
 * quarter of the input); OpenCV traces its largest outer contour, simplified to within a grid cell,
 * and its vertices are mapped back to source pixels. One per runner (it reuses its mask image); not
 * thread-safe; close it.
 */
final class MaskTracer implements AutoCloseable {

    private final int masks;
    private final int gridHeight;
    private final int gridWidth;
    private final float cellWidth;
    private final float cellHeight;
    private final Mat mask;
    private final Mat hierarchy = new Mat();
    private final Mat simplified = new Mat();

    /**
     * @param protoShape the prototypes' shape, {@code [1, M, H', W']}
     */
    MaskTracer(long[] protoShape, int inputWidth, int inputHeight) {
        this.masks = (int) protoShape[1];
        this.gridHeight = (int) protoShape[2];
        this.gridWidth = (int) protoShape[3];
        this.cellWidth = (float) inputWidth / gridWidth;
        this.cellHeight = (float) inputHeight / gridHeight;
        this.mask = new Mat(gridHeight, gridWidth, CV_8UC1);
    }

    /**
     * The outline of {@code c} (input pixels, with its coefficients) in source pixels; empty if
     * none.
     */
    List<Vertex> polygon(Candidate c, FloatBuffer prototypes, Letterbox box) {
        int x1 = clamp((int) Math.floor(c.x1() / cellWidth), gridWidth);
        int y1 = clamp((int) Math.floor(c.y1() / cellHeight), gridHeight);
        int x2 = clamp((int) Math.ceil(c.x2() / cellWidth), gridWidth);
        int y2 = clamp((int) Math.ceil(c.y2() / cellHeight), gridHeight);
        try (Scalar zero = new Scalar(0.0)) {
            mask.put(zero);
        }
        float[] coefficients = c.maskCoefficients();
        int plane = gridHeight * gridWidth;
        boolean any = false;
        try (UByteIndexer pixels = mask.createIndexer()) {
            for (int y = y1; y < y2; y++) {
                for (int x = x1; x < x2; x++) {
                    float dot = 0;
                    for (int m = 0; m < masks; m++) {
                        dot += coefficients[m] * prototypes.get(m * plane + y * gridWidth + x);
                    }
                    if (dot > 0) {
                        pixels.put(y, x, 255);
                        any = true;
                    }
                }
            }
        }
        return any ? trace(box) : List.of();
    }

    private List<Vertex> trace(Letterbox box) {
        try (MatVector contours = new MatVector()) {
            findContours(mask, contours, hierarchy, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE);
            Mat largest = null;
            double largestArea = -1;
            for (long i = 0; i < contours.size(); i++) {
                double area = contourArea(contours.get(i));
                if (area > largestArea) {
                    largest = contours.get(i);
                    largestArea = area;
                }
            }
            if (largest == null) {
                return List.of();
            }
            approxPolyDP(largest, simplified, 1.0, true);
            List<Vertex> vertices = new ArrayList<>((int) simplified.total());
            try (IntIndexer points = simplified.createIndexer()) {
                for (long i = 0; i < simplified.total(); i++) {
                    // a grid cell's centre, in input pixels, then source pixels
                    float x = (points.get(i, 0, 0) + 0.5f) * cellWidth;
                    float y = (points.get(i, 0, 1) + 0.5f) * cellHeight;
                    vertices.add(new Vertex(box.toSourceX(x), box.toSourceY(y)));
                }
            }
            return vertices;
        }
    }

    private static int clamp(int value, int max) {
        return Math.max(0, Math.min(max, value));
    }

    @Override
    public void close() {
        mask.close();
        hierarchy.close();
        simplified.close();
    }
}
