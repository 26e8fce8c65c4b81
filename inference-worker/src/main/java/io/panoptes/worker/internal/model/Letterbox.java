package io.panoptes.worker.internal.model;

/**
 * How a source image is fitted into the model's input: scaled by {@code scaleX}/{@code scaleY} to
 * {@code scaledWidth}x{@code scaledHeight} and placed with {@code padX}/{@code padY} pixels of
 * border. Maps model-input coordinates back to source pixels.
 */
public record Letterbox(
        int sourceWidth,
        int sourceHeight,
        int inputWidth,
        int inputHeight,
        float scaleX,
        float scaleY,
        int scaledWidth,
        int scaledHeight,
        int padX,
        int padY) {

    /** Keeping the aspect ratio, centred on a border (YOLO, BlazeFace). */
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
                scale,
                scaledWidth,
                scaledHeight,
                (inputWidth - scaledWidth) / 2,
                (inputHeight - scaledHeight) / 2);
    }

    /** Stretched to the whole input, each axis by its own scale (CenterNet was trained so). */
    public static Letterbox stretch(
            int sourceWidth, int sourceHeight, int inputWidth, int inputHeight) {
        return new Letterbox(
                sourceWidth,
                sourceHeight,
                inputWidth,
                inputHeight,
                (float) inputWidth / sourceWidth,
                (float) inputHeight / sourceHeight,
                inputWidth,
                inputHeight,
                0,
                0);
    }

    public float toSourceX(float inputX) {
        return clamp((inputX - padX) / scaleX, sourceWidth);
    }

    public float toSourceY(float inputY) {
        return clamp((inputY - padY) / scaleY, sourceHeight);
    }

    private static float clamp(float value, int max) {
        return Math.max(0, Math.min(max, value));
    }
}
