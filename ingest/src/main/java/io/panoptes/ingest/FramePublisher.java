package io.panoptes.ingest;

import io.panoptes.avro.Frame;
import io.panoptes.ingest.internal.encode.EncodedImage;
import io.panoptes.schemas.claimcheck.PayloadStore;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends frames to the frames topic keyed by stream id. A payload above the threshold goes to the
 * payload store and the record carries its reference (claim check). A frame counts as published
 * only in the broker's acknowledgement callback. Thread-safe (the producer is).
 */
final class FramePublisher {

    private static final Logger log = LoggerFactory.getLogger(FramePublisher.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Producer<String, Frame> producer;
    private final String topic;
    private final PayloadStore store;
    private final int threshold;
    private final java.util.concurrent.atomic.AtomicLong lastErrorLogNanos =
            new java.util.concurrent.atomic.AtomicLong(
                    System.nanoTime() - ERROR_LOG_INTERVAL_NANOS - 1);

    FramePublisher(
            Producer<String, Frame> producer, String topic, PayloadStore store, int threshold) {
        this.producer = producer;
        this.topic = topic;
        this.store = store;
        this.threshold = threshold;
    }

    /**
     * Sends {@code frame}, with {@code image} inline or claim-checked, counting it in {@code
     * metrics} when acknowledged.
     */
    void send(Frame frame, EncodedImage image, StreamMetrics metrics) {
        if (image != null) {
            frame.setWidth(image.width());
            frame.setHeight(image.height());
            frame.setEncoding(image.encoding());
            if (image.bytes().length > threshold) {
                frame.setPayloadRef(
                        store.put(
                                        frame.getStreamId(),
                                        frame.getEpoch(),
                                        frame.getSeq(),
                                        image.extension(),
                                        image.bytes())
                                .toString());
                metrics.claimChecked();
            } else {
                frame.setPayload(ByteBuffer.wrap(image.bytes()));
            }
        }
        long captureMillis = frame.getCaptureTime().toEpochMilli();
        producer.send(
                new ProducerRecord<>(topic, frame.getStreamId(), frame),
                (metadata, error) -> {
                    if (error == null) {
                        metrics.acknowledged(metadata.partition(), captureMillis);
                    } else {
                        metrics.failed(error.toString());
                        long now = System.nanoTime();
                        long last = lastErrorLogNanos.get();
                        if (now - last > ERROR_LOG_INTERVAL_NANOS
                                && lastErrorLogNanos.compareAndSet(last, now)) {
                            // at most one line per interval: a broker that refuses every frame must
                            // not flood the log
                            log.error(
                                    "frame {} seq {} of stream {} was not acknowledged by Kafka ({} so far in this stream): {}",
                                    frame.getEpoch(),
                                    frame.getSeq(),
                                    frame.getStreamId(),
                                    metrics.unacknowledged(),
                                    error.toString());
                        }
                    }
                });
    }

    void flush() {
        producer.flush();
    }
}
