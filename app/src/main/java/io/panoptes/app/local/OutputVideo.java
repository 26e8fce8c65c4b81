package io.panoptes.app.local;

import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.pipeline.geometry.DirectedLine;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.geometry.Polygon;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.worker.image.FrameImageDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one stream's frames and its results with track ids (both read_committed), pairs them by
 * seq, in order, and writes each frame with its detections blurred or boxed to a video file (MPEG-4
 * in MP4, FFmpeg through JavaCV); counts what it saw for the progress line and summary. Done at the
 * stream's end-of-stream result. Owns a thread, a consumer and native memory: close it.
 */
public final class OutputVideo implements AutoCloseable {

    /** How detections are drawn. */
    public enum Style {
        BLUR,
        BOXES
    }

    private static final Logger log = LoggerFactory.getLogger(OutputVideo.class);

    private final String streamId;
    private final Path file;
    private final Style style;
    private final Geometry geometry;
    private final double frameRate;
    private final Topics topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<Long, Frame> frames = new HashMap<>();
    private final Map<Long, Detections> results = new HashMap<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong resultsSeen = new AtomicLong();
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;
    private volatile MjpegServer mjpeg;
    private volatile long endedAtNanos;
    private long nextSeq = -1;
    private FFmpegFrameRecorder recorder;

    /**
     * @param file where the video goes; null to follow and count only
     */
    public OutputVideo(
            String streamId,
            Path file,
            Style style,
            Geometry geometry,
            double frameRate,
            Topics topics,
            String bootstrapServers) {
        this.streamId = streamId;
        this.geometry = geometry;
        this.file = file;
        this.style = style;
        this.frameRate = frameRate;
        this.topics = topics;
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrapServers,
                                "isolation.level",
                                "read_committed",
                                "max.partition.fetch.bytes",
                                16 * 1024 * 1024),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "output-video");
        thread.start();
    }

    private void run() {
        try (FrameImageDecoder decoder = new FrameImageDecoder(Long.MAX_VALUE, null);
                Mat image = new Mat();
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.frames().name(), topics.tracks().name())) {
                consumer.partitionsFor(topic)
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running && ended.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    if (streamId.equals(record.key())) {
                        take(record);
                    }
                }
                writeReady(decoder, image, converter);
            }
        } catch (Exception e) {
            failure = e.toString();
            log.error("output video {} stopped: {}", file, e.toString());
            ended.countDown();
        } finally {
            stopRecorder();
            consumer.close();
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.frames().name())) {
            Frame frame =
                    topics.frames()
                            .valueSerde()
                            .deserializer()
                            .deserialize(record.topic(), record.value());
            frames.put(frame.getSeq(), frame);
            if (nextSeq < 0 || frame.getSeq() < nextSeq) {
                nextSeq = frame.getSeq();
            }
        } else {
            Detections result =
                    topics.tracks()
                            .valueSerde()
                            .deserializer()
                            .deserialize(record.topic(), record.value());
            results.put(result.getSeq(), result);
        }
    }

    /** Writes the frames whose results are in, in seq order. */
    private void writeReady(
            FrameImageDecoder decoder, Mat image, OpenCVFrameConverter.ToMat converter)
            throws Exception {
        while (nextSeq >= 0 && frames.containsKey(nextSeq) && results.containsKey(nextSeq)) {
            Frame frame = frames.remove(nextSeq);
            Detections result = results.remove(nextSeq);
            nextSeq++;
            resultsSeen.incrementAndGet();
            switch (result.getStatus()) {
                case END_OF_STREAM -> {
                    endedAtNanos = System.nanoTime();
                    stopRecorder();
                    ended.countDown();
                    return;
                }
                case SKIPPED_STALE -> skipped.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
                default -> objects.addAndGet(result.getDetections().size());
            }
            MjpegServer live = mjpeg;
            if ((file == null && live == null) || frame.getEndOfStream()) {
                continue;
            }
            decoder.decode(frame, image);
            drawShapes(image, geometry);
            if (result.getStatus() == DetectionStatus.OK) {
                draw(image, result.getDetections(), style);
            }
            if (live != null) {
                live.publish(jpeg(image));
            }
            if (file != null) {
                if (recorder == null) {
                    startRecorder(image.cols(), image.rows());
                }
                recorder.record(converter.convert(image));
                written.incrementAndGet();
            }
        }
    }

    /** Also publishes every annotated frame as MJPEG over HTTP. */
    public void serveMjpeg(MjpegServer server) {
        this.mjpeg = server;
    }

    private static byte[] jpeg(Mat image) {
        try (org.bytedeco.javacpp.BytePointer bytes = new org.bytedeco.javacpp.BytePointer()) {
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", image, bytes);
            byte[] jpeg = new byte[(int) bytes.limit()];
            bytes.get(jpeg);
            return jpeg;
        }
    }

    /** The stream's zones (yellow outlines) and counting lines (magenta, a dot at the end). */
    public static void drawShapes(Mat image, Geometry geometry) {
        try (Scalar yellow = new Scalar(0, 255, 255, 0);
                Scalar magenta = new Scalar(255, 0, 255, 0)) {
            for (Polygon zone : geometry.zones()) {
                List<double[]> vertices = zone.vertices();
                for (int i = 0; i < vertices.size(); i++) {
                    double[] a = vertices.get(i);
                    double[] b = vertices.get((i + 1) % vertices.size());
                    segment(image, a[0], a[1], b[0], b[1], yellow);
                }
                label(image, zone.name(), vertices.get(0)[0], vertices.get(0)[1], yellow);
            }
            for (DirectedLine line : geometry.lines()) {
                segment(image, line.startX(), line.startY(), line.endX(), line.endY(), magenta);
                try (Point end = new Point((int) line.endX(), (int) line.endY())) {
                    circle(
                            image, end, 5, magenta, -1, 8,
                            0); // where it points: IN is its right side
                }
                label(image, line.name(), line.endX(), line.endY(), magenta);
            }
        }
    }

    private static void segment(
            Mat image, double x0, double y0, double x1, double y1, Scalar colour) {
        try (Point a = new Point((int) Math.round(x0), (int) Math.round(y0));
                Point b = new Point((int) Math.round(x1), (int) Math.round(y1))) {
            line(image, a, b, colour, 2, 8, 0);
        }
    }

    private static void label(Mat image, String text, double x, double y, Scalar colour) {
        try (Point at = new Point((int) x + 6, Math.max(12, (int) y - 6))) {
            putText(image, text, at, FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, 8, false);
        }
    }

    /** Blurs or boxes {@code detections} on {@code image}, in place. */
    public static void draw(Mat image, List<Detection> detections, Style style) {
        for (Detection d : detections) {
            int x = Math.max(0, Math.round(d.getBox().getX()));
            int y = Math.max(0, Math.round(d.getBox().getY()));
            int w = Math.min(image.cols() - x, Math.round(d.getBox().getW()));
            int h = Math.min(image.rows() - y, Math.round(d.getBox().getH()));
            if (w <= 0 || h <= 0) {
                continue;
            }
            try (Rect box = new Rect(x, y, w, h)) {
                if (style == Style.BLUR) {
                    try (Mat region = image.apply(box);
                            Size none = new Size(0, 0)) {
                        GaussianBlur(region, region, none, Math.max(w, h) / 5.0);
                    }
                } else {
                    try (Scalar green = new Scalar(0, 255, 0, 0);
                            Point at = new Point(x, Math.max(12, y - 4))) {
                        rectangle(image, box, green, 2, 8, 0);
                        String label =
                                d.getLabel()
                                        + (d.getTrackId() == null ? "" : " #" + d.getTrackId());
                        putText(image, label, at, FONT_HERSHEY_SIMPLEX, 0.5, green, 1, 8, false);
                    }
                }
            }
        }
    }

    private void startRecorder(int width, int height) throws Exception {
        recorder = recorder(file, width, height, frameRate);
        log.info(
                "writing {} ({}x{}, {} fps, detections {})",
                file,
                width,
                height,
                frameRate,
                style.name().toLowerCase());
    }

    /**
     * An MP4 (MPEG-4 Part 2) recorder started for frames of {@code width}x{@code height} at {@code
     * frameRate}, given as a rate the encoder takes ({@link #encoderRate}).
     */
    static FFmpegFrameRecorder recorder(Path file, int width, int height, double frameRate)
            throws FFmpegFrameRecorder.Exception {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height);
        recorder.setFormat("mp4");
        recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
        recorder.setFrameRate(encoderRate(frameRate));
        recorder.setVideoBitrate(4_000_000);
        recorder.start();
        return recorder;
    }

    /**
     * A frame rate whose time base MPEG-4 accepts (numerator and denominator below 2^16): a
     * container's 1000000/66667 (14.99993) becomes 15, an NTSC 23.976 stays 24000/1001, anything
     * else is rounded to a thousandth. A rate unknown or absurd becomes 25.
     */
    static double encoderRate(double rate) {
        if (!(rate > 0.5 && rate <= 1000)) {
            return 25;
        }
        double whole = Math.rint(rate);
        if (Math.abs(rate - whole) < whole * 1e-4) {
            return whole;
        }
        double ntsc = Math.rint(rate * 1.001);
        if (Math.abs(rate - ntsc / 1.001) < rate * 1e-4) {
            return ntsc * 1000 / 1001;
        }
        return Math.rint(rate * 1000) / 1000;
    }

    private void stopRecorder() {
        if (recorder != null) {
            try {
                recorder.stop();
                recorder.release();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", file, e.toString());
            }
            recorder = null;
        }
    }

    /** Waits for the end of the stream; true when it came. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /** When the end-of-stream result arrived ({@link System#nanoTime()}), or 0. */
    public long endedAtNanos() {
        return endedAtNanos;
    }

    public boolean ended() {
        return ended.getCount() == 0;
    }

    public String failure() {
        return failure;
    }

    public long framesWritten() {
        return written.get();
    }

    /** Results taken in order (pictures and the end of stream). */
    public long results() {
        return resultsSeen.get();
    }

    public long objects() {
        return objects.get();
    }

    public long skipped() {
        return skipped.get();
    }

    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
