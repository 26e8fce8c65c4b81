package io.panoptes.aggregator.tracking;

/**
 * One tracked object: its id, class, last box (source pixels, top-left and size), the velocity of
 * its centre in pixels per frame, and the frame it was last seen in.
 */
public record Track(
        long id,
        int classId,
        float x,
        float y,
        float w,
        float h,
        float vx,
        float vy,
        long lastFrame,
        int hits) {

    /** Where the box is expected at {@code frame}, moving at constant velocity. */
    Track predictedAt(long frame) {
        long elapsed = Math.max(0, frame - lastFrame);
        return new Track(
                id, classId, x + vx * elapsed, y + vy * elapsed, w, h, vx, vy, lastFrame, hits);
    }

    float iou(float ox, float oy, float ow, float oh) {
        float ix = Math.min(x + w, ox + ow) - Math.max(x, ox);
        float iy = Math.min(y + h, oy + oh) - Math.max(y, oy);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        float inter = ix * iy;
        return inter / (w * h + ow * oh - inter);
    }
}
