package io.panoptes.worker.internal.model;

/**
 * Fitting a source image into the model's input while keeping its aspect ratio: scaled by {@code
 * scale}, centred with {@code padX}/{@code padY} pixels of border. Maps model-input coordinates
 * back to source pixels.
 */
public record Letterbox(
        int sourceWidth,
        int sourceHeight,
        int inputWidth,
        int inputHeight,
        float scale,
        int scaledWidth,
        int scaledHeight,
        int padX,
        int padY) {

    public static Letterbox fit(
            int sourceWidth, int sourceHeight, int inputWidth, int inputHeight) {
        float scale =
                Math.min((float) inputWidth / sourceWidth, (float) inputHeight / sourceHeight);
        int scaledWidth = Math.max(1, Math.round(sourceWidth * scale));
        int scaledHeight = Math.max(1, Math.round(sourceHeight * scale));
        return new Letterbox(
                sourceWidth,
                sourceHeight,
                inputWidth,
                inputHeight,
                scale,
                scaledWidth,
                scaledHeight,
                (inputWidth - scaledWidth) / 2,
                (inputHeight - scaledHeight) / 2);
    }

    public float toSourceX(float inputX) {
        return clamp((inputX - padX) / scale, sourceWidth);
    }

    public float toSourceY(float inputY) {
        return clamp((inputY - padY) / scale, sourceHeight);
    }

    private static float clamp(float value, int max) {
        return Math.max(0, Math.min(max, value));
    }
}
