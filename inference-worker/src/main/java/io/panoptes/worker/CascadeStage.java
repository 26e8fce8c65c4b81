package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.Box;
import io.panoptes.avro.CascadeSpec;
import io.panoptes.avro.Classification;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Keypoint;
import io.panoptes.avro.Vertex;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.model.ModelTask;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * A cascade's second stage over one batch of frames: crops of the first model's detections (of the
 * cascade's labels, the most confident first, at most {@code maxCrops} a frame, padded and clamped
 * to the frame; a box wholly outside it is left out) run through the second model in as few runs as
 * it allows, crops of all the batch's frames together. A detector's boxes are mapped back to the
 * frame; a classifier gives one detection per crop, the crop's box with its best class. Each joins
 * its frame's list with {@code parentIndex} (the detection it was cropped from) and the second
 * model's id: a flat list, one result per frame as without a cascade.
 */
final class CascadeStage {

    private final CascadeSpec cascade;
    private final ModelRunner runner;

    CascadeStage(CascadeSpec cascade, ModelRunner runner) {
        this.cascade = cascade;
        this.runner = runner;
    }

    /** A crop of frame {@code frame}'s detection {@code parent}. */
    private record Crop(int frame, int parent, Rect rect, Mat image) {}

    /** The first stage's inferences with the second stage's detections added. */
    List<ModelRunner.Inference> run(List<Mat> images, List<ModelRunner.Inference> first)
            throws OrtException {
        List<Crop> crops = new ArrayList<>();
        try {
            for (int i = 0; i < images.size(); i++) {
                crops.addAll(crops(i, images.get(i), first.get(i).detections()));
            }
            List<List<Detection>> added = new ArrayList<>();
            first.forEach(f -> added.add(new ArrayList<>(f.detections())));
            float[] extraMs = new float[images.size()];
            for (int from = 0; from < crops.size(); from += runner.batchCapacity()) {
                List<Crop> batch =
                        crops.subList(from, Math.min(crops.size(), from + runner.batchCapacity()));
                long start = System.nanoTime();
                List<ModelRunner.Inference> found =
                        runner.detect(batch.stream().map(Crop::image).toList());
                float perCrop = (System.nanoTime() - start) / 1e6f / batch.size();
                for (int c = 0; c < batch.size(); c++) {
                    Crop crop = batch.get(c);
                    added.get(crop.frame()).addAll(toFrame(crop, found.get(c)));
                    extraMs[crop.frame()] += perCrop;
                }
            }
            List<ModelRunner.Inference> out = new ArrayList<>(first.size());
            for (int i = 0; i < first.size(); i++) {
                ModelRunner.Inference f = first.get(i);
                out.add(
                        new ModelRunner.Inference(
                                added.get(i),
                                f.classifications(),
                                f.preprocessMs(),
                                f.inferMs() + extraMs[i],
                                f.postprocessMs()));
            }
            return out;
        } finally {
            crops.forEach(
                    c -> {
                        c.image().close();
                        c.rect().close();
                    });
        }
    }

    private List<Crop> crops(int frame, Mat image, List<Detection> detections) {
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < detections.size(); j++) {
            if (cascade.getLabels().isEmpty()
                    || cascade.getLabels().contains(detections.get(j).getLabel())) {
                order.add(j);
            }
        }
        order.sort(
                Comparator.comparing((Integer j) -> detections.get(j).getConfidence()).reversed());
        List<Crop> crops = new ArrayList<>();
        for (int j : order.subList(0, Math.min(order.size(), cascade.getMaxCrops()))) {
            Rect rect = rect(detections.get(j).getBox(), image.cols(), image.rows());
            if (rect == null) {
                continue; // wholly outside the frame: nothing to look at
            }
            crops.add(new Crop(frame, j, rect, new Mat(image, rect)));
        }
        return crops;
    }

    /** The box padded, clamped to the frame; null when less than a pixel is left. */
    private Rect rect(Box box, int width, int height) {
        float padX = box.getW() * cascade.getPadding();
        float padY = box.getH() * cascade.getPadding();
        int x1 = Math.max(0, (int) Math.floor(box.getX() - padX));
        int y1 = Math.max(0, (int) Math.floor(box.getY() - padY));
        int x2 = Math.min(width, (int) Math.ceil(box.getX() + box.getW() + padX));
        int y2 = Math.min(height, (int) Math.ceil(box.getY() + box.getH() + padY));
        return x2 - x1 < 1 || y2 - y1 < 1 ? null : new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    private List<Detection> toFrame(Crop crop, ModelRunner.Inference found) {
        String model = runner.model().config().id();
        List<Detection> out = new ArrayList<>();
        if (runner.model().task() == ModelTask.CLASSIFY) {
            if (!found.classifications().isEmpty()) {
                Classification top = found.classifications().get(0);
                Rect r = crop.rect();
                out.add(
                        Detection.newBuilder()
                                .setClassId(top.getClassId())
                                .setLabel(top.getLabel())
                                .setConfidence(top.getConfidence())
                                .setBox(
                                        new Box(
                                                (float) r.x(),
                                                (float) r.y(),
                                                (float) r.width(),
                                                (float) r.height()))
                                .setParentIndex(crop.parent())
                                .setModelId(model)
                                .build());
            }
            return out;
        }
        float dx = crop.rect().x();
        float dy = crop.rect().y();
        for (Detection d : found.detections()) {
            Box b = d.getBox();
            List<Keypoint> keypoints = new ArrayList<>();
            d.getKeypoints()
                    .forEach(
                            k ->
                                    keypoints.add(
                                            new Keypoint(
                                                    k.getX() + dx,
                                                    k.getY() + dy,
                                                    k.getName(),
                                                    k.getConfidence())));
            List<Vertex> polygon = new ArrayList<>();
            d.getPolygon().forEach(v -> polygon.add(new Vertex(v.getX() + dx, v.getY() + dy)));
            out.add(
                    Detection.newBuilder(d)
                            .setBox(new Box(b.getX() + dx, b.getY() + dy, b.getW(), b.getH()))
                            .setKeypoints(keypoints)
                            .setPolygon(polygon)
                            .setParentIndex(crop.parent())
                            .setModelId(model)
                            .build());
        }
        return out;
    }
}
