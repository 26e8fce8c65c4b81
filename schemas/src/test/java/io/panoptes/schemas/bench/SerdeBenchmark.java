package io.panoptes.schemas.bench;

import io.panoptes.avro.Detection;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.serde.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntSupplier;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Throughput of the Confluent-wire-format serde against a raw Avro loop ({@link
 * SpecificDatumWriter}/{@link SpecificDatumReader} with reused encoder, decoder and buffer) on the
 * same records, in one run. Rounds alternate between the two so that JIT, GC and frequency changes
 * hit both alike; the ratio is of the median round rates. Target: ≥ 0.9×.
 *
 * <p>Run: {@code scripts/benchmark.sh serde [seconds-per-round] [rounds]}.
 */
public final class SerdeBenchmark {

    private static final double TARGET = 0.9;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

        Detections detections = detectionsWith(8);
        Frame frame = frameWithPayload(60_000);
        List<Result> results = new ArrayList<>();
        results.add(
                compare(
                        "Detections (8 boxes) write",
                        seconds,
                        rounds,
                        ourWrite(
                                AvroSerde.of(Detections.class, registry),
                                "panoptes.detections",
                                detections),
                        rawWrite(detections)));
        results.add(
                compare(
                        "Detections (8 boxes) read",
                        seconds,
                        rounds,
                        ourRead(
                                AvroSerde.of(Detections.class, registry),
                                "panoptes.detections",
                                detections),
                        rawRead(detections)));
        results.add(
                compare(
                        "Frame (60 KB JPEG) write",
                        seconds,
                        rounds,
                        ourWrite(AvroSerde.of(Frame.class, registry), "panoptes.frames", frame),
                        rawWrite(frame)));
        results.add(
                compare(
                        "Frame (60 KB JPEG) read",
                        seconds,
                        rounds,
                        ourRead(AvroSerde.of(Frame.class, registry), "panoptes.frames", frame),
                        rawRead(frame)));

        System.out.printf(
                Locale.ROOT,
                "%n%-28s %14s %14s %7s  %s%n",
                "case",
                "serde rec/s",
                "raw rec/s",
                "ratio",
                "target ≥ " + TARGET);
        boolean pass = true;
        for (Result r : results) {
            boolean ok = r.ratio() >= TARGET;
            pass &= ok;
            System.out.printf(
                    Locale.ROOT,
                    "%-28s %14.0f %14.0f %6.2fx  %s%n",
                    r.name,
                    r.ours,
                    r.raw,
                    r.ratio(),
                    ok ? "PASS" : "FAIL");
        }
        System.out.printf(
                Locale.ROOT,
                "%nmachine: %d cores, %s %s, %s; %d rounds of %.1f s per side%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                System.getProperty("os.arch"),
                rounds,
                seconds);
        System.exit(pass ? 0 : 1);
    }

    record Result(String name, double ours, double raw) {
        double ratio() {
            return ours / raw;
        }
    }

    private static Result compare(
            String name, double seconds, int rounds, IntSupplier ours, IntSupplier raw) {
        run(ours, seconds); // warm-up
        run(raw, seconds);
        double[] ourRates = new double[rounds];
        double[] rawRates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                ourRates[i] = run(ours, seconds);
                rawRates[i] = run(raw, seconds);
            } else {
                rawRates[i] = run(raw, seconds);
                ourRates[i] = run(ours, seconds);
            }
        }
        Result result = new Result(name, median(ourRates), median(rawRates));
        System.out.printf(
                Locale.ROOT,
                "%-28s serde %.0f rec/s, raw %.0f rec/s, ratio %.2f%n",
                name,
                result.ours,
                result.raw,
                result.ratio());
        return result;
    }

    private static double run(IntSupplier operation, double seconds) {
        long sink = 0;
        long count = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 256; i++) {
                sink += operation.getAsInt();
            }
            count += 256;
            now = System.nanoTime();
        } while (now < end);
        if (sink == 42) {
            System.out.print(""); // keeps the results alive
        }
        return count / ((now - start) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static <T extends SpecificRecord> IntSupplier ourWrite(
            AvroSerde<T> serde, String topic, T record) {
        return () -> serde.serializer().serialize(topic, record).length;
    }

    private static <T extends SpecificRecord> IntSupplier ourRead(
            AvroSerde<T> serde, String topic, T record) {
        byte[] bytes = serde.serializer().serialize(topic, record);
        return () -> serde.deserializer().deserialize(topic, bytes).hashCode() & 1;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> IntSupplier rawWrite(T record) {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(record.getSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        BinaryEncoder[] encoder = new BinaryEncoder[1];
        return () -> {
            out.reset();
            encoder[0] = EncoderFactory.get().directBinaryEncoder(out, encoder[0]);
            try {
                writer.write(record, encoder[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray().length;
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> IntSupplier rawRead(T record) {
        Class<T> type = (Class<T>) record.getClass();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(type).write(record, encoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        BinaryDecoder[] decoder = new BinaryDecoder[1];
        return () -> {
            decoder[0] = DecoderFactory.get().binaryDecoder(bytes, decoder[0]);
            try {
                return reader.read(null, decoder[0]).hashCode() & 1;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static Detections detectionsWith(int boxes) {
        Detections detections = SampleRecords.detections(1);
        List<Detection> list = new ArrayList<>();
        for (int i = 0; i < boxes; i++) {
            Detection d = SampleRecords.detection();
            d.getBox().setX(10f * i);
            list.add(d);
        }
        detections.setDetections(list);
        return detections;
    }

    private static Frame frameWithPayload(int bytes) {
        byte[] payload = new byte[bytes];
        new Random(1).nextBytes(payload);
        Frame frame = SampleRecords.frame(1);
        frame.setPayload(ByteBuffer.wrap(payload));
        return frame;
    }
}
