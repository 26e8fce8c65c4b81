package io.panoptes.ingest.source;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One decoded frame, BGR, 8 bits per channel. The image belongs to the source and is valid only
 * until its next {@code next()} call: encode it before asking for another.
 *
 * @param image the pixels, owned by the source
 * @param ptsMicros presentation time from the start of the source, in microseconds (may be
 *     unreliable; see PresentationClock)
 * @param wallClockMillis when the frame was captured (returned by the decoder)
 */
public record CapturedFrame(Mat image, long ptsMicros, long wallClockMillis) {}
