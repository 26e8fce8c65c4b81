package io.panoptes.ingest.source;

import io.panoptes.pipeline.source.SourceType;
import io.panoptes.pipeline.source.SourceUris;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;

/**
 * Frames from anything FFmpeg opens: files (audio streams are skipped), RTSP, RTMP, HTTP (MJPEG,
 * HLS), V4L2 devices and single images. Live sources get explicit timeouts, because a stalled peer
 * otherwise blocks {@code grabImage()} forever; a lost source then reads as null. Frames are
 * converted to BGR {@link org.bytedeco.opencv.opencv_core.Mat}s without Java2D. Not thread-safe:
 * one thread opens, reads and closes it (the grabber is synchronized, so it is never stopped from
 * another thread).
 */
public final class FfmpegSource implements FrameSource {

    private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-?\\d+)");

    static {
        // FFmpeg's own log is noisy (e.g. every packed-B-frame AVI); our errors carry the cause
        // instead.
        avutil.av_log_set_level(
                Integer.getInteger("panoptes.ffmpeg.logLevel", avutil.AV_LOG_FATAL));
    }

    private final String input;
    private final String location;
    private final SourceType type;
    private final Map<String, String> options;
    private final DecoderSettings settings;
    private FFmpegFrameGrabber grabber;
    private OpenCVFrameConverter.ToMat converter;

    public FfmpegSource(
            String location,
            SourceType type,
            Map<String, String> options,
            DecoderSettings settings) {
        this.input = location;
        this.location = SourceUris.redact(location);
        this.type = type;
        this.options = options;
        this.settings = settings;
    }

    @Override
    public void open() {
        if (!type.isNetwork() && type != SourceType.DEVICE) {
            requireReadableFile(SourceType.localPath(input));
        }
        String path = input.startsWith("file:") ? SourceType.localPath(input).toString() : input;
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(path);
        configure(g);
        try {
            g.start();
        } catch (FrameGrabber.Exception e) {
            release(g);
            throw new SourceException(
                    "cannot open " + location + ": " + describe(e), retriable(e), e);
        }
        grabber = g;
        converter = new OpenCVFrameConverter.ToMat();
        checkDimensions();
    }

    private void configure(FFmpegFrameGrabber g) {
        String timeoutMicros = Long.toString(settings.networkTimeout().toNanos() / 1000);
        switch (type) {
            case RTSP -> {
                g.setOption("rtsp_transport", "tcp");
                g.setOption("timeout", timeoutMicros);
            }
            case HTTP, RTMP -> g.setOption("rw_timeout", timeoutMicros);
            case DEVICE -> g.setFormat("video4linux2");
            default -> {}
        }
        options.forEach(g::setOption);
        g.setVideoOption("threads", Integer.toString(settings.decoderThreads()));
    }

    private void checkDimensions() {
        int width = grabber.getImageWidth();
        int height = grabber.getImageHeight();
        if (width <= 0 || height <= 0) {
            String format = grabber.getFormat();
            close();
            throw new SourceException(
                    location
                            + " has no video stream (FFmpeg found format "
                            + format
                            + " without a decodable picture)",
                    false,
                    null);
        }
        if ((long) width * height > settings.maxPixels()) {
            close();
            throw new SourceException(
                    location
                            + " declares "
                            + width
                            + "x"
                            + height
                            + " pixels, above the cap of "
                            + settings.maxPixels()
                            + " pixels (raise --max-pixels if this is intended)",
                    false,
                    null);
        }
    }

    @Override
    public CapturedFrame next() {
        try {
            Frame frame = grabber.grabImage();
            if (frame == null || frame.image == null) {
                return null;
            }
            return new CapturedFrame(
                    converter.convert(frame), frame.timestamp, System.currentTimeMillis());
        } catch (FrameGrabber.Exception e) {
            throw new SourceException(
                    "cannot decode " + location + ": " + describe(e), type.isNetwork(), e);
        }
    }

    @Override
    public double frameRate() {
        return grabber == null ? 0 : grabber.getFrameRate();
    }

    @Override
    public long declaredFrames() {
        if (grabber == null) {
            return 0;
        }
        // the container header's own count (an AVI's, counting empty repeat chunks); JavaCV's
        // estimate is the duration times the rate, and a cut file's duration is guessed from its
        // size
        AVFormatContext format = grabber.getFormatContext();
        for (int i = 0; format != null && i < format.nb_streams(); i++) {
            AVStream stream = format.streams(i);
            if (stream.codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO
                    && stream.nb_frames() > 0) {
                return stream.nb_frames();
            }
        }
        return Math.max(0, grabber.getLengthInVideoFrames());
    }

    @Override
    public long durationMicros() {
        return grabber == null ? 0 : Math.max(0, grabber.getLengthInTime());
    }

    public int width() {
        return grabber.getImageWidth();
    }

    public int height() {
        return grabber.getImageHeight();
    }

    @Override
    public void close() {
        if (converter != null) {
            converter.close();
            converter = null;
        }
        if (grabber != null) {
            release(grabber);
            grabber = null;
        }
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.stop();
            g.release();
        } catch (FrameGrabber.Exception e) {
            // nothing more to free; the grabber's own memory is released either way
        }
    }

    private void requireReadableFile(Path path) {
        if (!Files.exists(path)) {
            throw new SourceException("no such file: " + path, false, null);
        }
        if (!Files.isReadable(path)) {
            throw new SourceException("cannot read " + path + ": permission denied", false, null);
        }
    }

    /**
     * FFmpeg's error code, translated into words, e.g. "Connection refused (FFmpeg error -111)".
     */
    static String describe(FrameGrabber.Exception e) {
        Matcher m = FFMPEG_ERROR.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
            return String.valueOf(e.getMessage());
        }
        int code = Integer.parseInt(m.group(1));
        try (BytePointer text = new BytePointer(256)) {
            avutil.av_strerror(code, text, 256);
            String raw = text.getString();
            String words = raw.indexOf('\0') >= 0 ? raw.substring(0, raw.indexOf('\0')) : raw;
            if (code == avutil.AVERROR_INVALIDDATA()) {
                words += ": not a video or image FFmpeg can read, or corrupt";
            }
            return words + " (FFmpeg error " + code + ")";
        }
    }

    private static boolean retriable(FrameGrabber.Exception e) {
        Matcher m = FFMPEG_ERROR.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
            return true;
        }
        int code = Integer.parseInt(m.group(1));
        return code != -2
                && code != avutil.AVERROR_INVALIDDATA()
                && code != -13; // ENOENT, bad data, EACCES
    }
}
