package io.panoptes.worker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.observability.QueryString;
import io.panoptes.schemas.ContractClasses;
import io.panoptes.worker.image.FrameDecodeException;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelRunner;
import io.panoptes.worker.model.OnnxModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous inference over HTTP (the microservice mode): {@code POST /v1/infer/{modelId}} with a
 * JPEG or PNG body (raw, or as the {@code image} part of a multipart/form-data form) answers the detections as JSON, with the worker's own decoding, models and
 * pre/post-processing. Query parameters: {@code confidence}, {@code iou}, {@code classes} (labels,
 * comma-separated). At most {@code concurrency} requests run and {@code queue} wait; more get 429
 * at once rather than queueing without bound. Bodies above {@code maxBodyBytes} get 413; images
 * above the pixel cap, undecodable or truncated ones 422; other media types 415; unknown models 404.
 * Owns a socket and threads: close it.
 */
public final class InferenceHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceHttpServer.class);
    private static final String PREFIX = "/v1/infer/";

    static {
        // without TCP_NODELAY, the JDK server's separate header and body writes meet the client's delayed ACK:
        // about 40 ms per request. Read once per JVM, so Panoptes.main sets it first too.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final ModelCatalog catalog;
    private final long maxPixels;
    private final int maxBodyBytes;
    private final Semaphore admitted;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<FrameImageDecoder> decoder;
    private final ThreadLocal<Map<String, ModelRunner>> runners;
    private final ThreadLocal<Mat> image;

    public InferenceHttpServer(ModelCatalog catalog, InetSocketAddress address, int concurrency, int queue,
            long maxPixels, int maxBodyBytes) {
        if (concurrency < 1 || queue < 0) {
            throw new IllegalArgumentException("HTTP inference needs concurrency >= 1 and queue >= 0, got "
                    + concurrency + " and " + queue);
        }
        ContractClasses.trust(); // requests become Frames before any serde has run
        this.catalog = catalog;
        this.maxPixels = maxPixels;
        this.maxBodyBytes = maxBodyBytes;
        this.admitted = new Semaphore(concurrency + queue);
        this.decoder = ThreadLocal.withInitial(() -> owned(new FrameImageDecoder(maxPixels, null)));
        this.runners = ThreadLocal.withInitial(HashMap::new);
        this.image = ThreadLocal.withInitial(() -> owned(new Mat()));
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "http-infer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve HTTP inference on " + address + ": " + e.getMessage(), e);
        }
        server.createContext("/", this::admit);
        server.setExecutor(r -> r.run()); // the accepting thread only admits or refuses; work goes to the pool
        server.start();
        log.info("HTTP inference at {}{}<model>", url(), PREFIX);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private <T extends AutoCloseable> T owned(T resource) {
        perThread.add(resource);
        return resource;
    }

    private void admit(HttpExchange exchange) {
        if (!admitted.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            respond(exchange, 429, error(429, "too many requests in progress; retry shortly"));
            return;
        }
        executor.execute(() -> {
            try {
                handle(exchange);
            } finally {
                admitted.release();
            }
        });
    }

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("POST") || !path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
                respond(exchange, 404, error(404, "use POST " + PREFIX + "{modelId} with a JPEG or PNG body, or a multipart form with an 'image' part"));
                return;
            }
            String modelId = URLDecoder.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8);
            respond(exchange, 200, infer(modelId, exchange));
        } catch (HttpError e) {
            respond(exchange, e.status, error(e.status, e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("HTTP inference failed", e);
            respond(exchange, 500, error(500, "unexpected error: " + e));
        }
    }

    private Map<String, Object> infer(String modelId, HttpExchange exchange) {
        if (!catalog.knows(modelId)) {
            throw new HttpError(404, "unknown model '" + modelId + "'");
        }
        Map<String, String> query = QueryString.parse(exchange.getRequestURI());
        byte[] body = image(exchange, body(exchange));
        FrameEncoding encoding = encoding(body);
        OnnxModel model;
        try {
            model = catalog.get(modelId);
        } catch (ModelLoadException e) {
            throw new HttpError(503, e.getMessage());
        }
        float confidence = parameter(query, "confidence", model.config().confidence());
        float iou = parameter(query, "iou", model.config().iou());
        Set<String> classes = query.containsKey("classes") ? Set.of(query.get("classes").split(",")) : null;
        Mat decoded;
        try {
            decoded = decoder.get().decode(frameOf(body, encoding), image.get());
        } catch (FrameDecodeException e) {
            throw new HttpError(422, e.getMessage());
        }
        ModelRunner.Inference inference;
        try {
            inference = runners.get().computeIfAbsent(modelId, id -> owned(new ModelRunner(catalog.environment(), model)))
                    .detect(decoded, confidence, iou);
        } catch (ai.onnxruntime.OrtException e) {
            throw new HttpError(500, "model " + modelId + " failed on this image: " + e.getMessage());
        }
        return answer(model, decoded, inference, classes);
    }

    private byte[] body(HttpExchange exchange) {
        long declared = exchange.getRequestHeaders().getFirst("Content-Length") == null ? -1
                : Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
        try (InputStream in = exchange.getRequestBody()) {
            if (declared > maxBodyBytes) {
                refuseLarge(exchange, in, "body of " + declared + " bytes is above the limit of " + maxBodyBytes);
            }
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                refuseLarge(exchange, in, "body is above the limit of " + maxBodyBytes + " bytes");
            }
            if (body.length == 0) {
                throw new HttpError(400, "the body is empty: send the image's bytes");
            }
            return body;
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the body: " + e.getMessage());
        }
    }

    /** The image: the body itself, or its image part when it is multipart/form-data. */
    private static byte[] image(HttpExchange exchange, byte[] body) {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!MultipartImage.isMultipart(contentType)) {
            return body;
        }
        try {
            return MultipartImage.extract(contentType, body);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    /** Reads (a bounded amount of) what the client is still sending, so it can read the 413, then closes. */
    private void refuseLarge(HttpExchange exchange, InputStream in, String reason) throws IOException {
        long drained = 0;
        byte[] sink = new byte[64 * 1024];
        int n;
        while (drained < 4L * maxBodyBytes && (n = in.read(sink)) > 0) {
            drained += n;
        }
        exchange.getResponseHeaders().set("Connection", "close");
        throw new HttpError(413, reason);
    }

    private static FrameEncoding encoding(byte[] body) {
        if (body.length >= 2 && (body[0] & 0xff) == 0xff && (body[1] & 0xff) == 0xd8) {
            return FrameEncoding.JPEG;
        }
        if (body.length >= 4 && (body[0] & 0xff) == 0x89 && body[1] == 'P' && body[2] == 'N' && body[3] == 'G') {
            return FrameEncoding.PNG;
        }
        throw new HttpError(415, "the body is neither a JPEG nor a PNG");
    }

    private static Frame frameOf(byte[] body, FrameEncoding encoding) {
        Instant now = Instant.now();
        return Frame.newBuilder().setStreamId("http").setSeq(0).setCaptureTime(now).setIngestTime(now)
                .setEncoding(encoding).setPayload(ByteBuffer.wrap(body)).build();
    }

    private static float parameter(Map<String, String> query, String name, float fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            float parsed = Float.parseFloat(value);
            if (parsed >= 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpError(400, "query parameter " + name + " must be a number in [0, 1], got '" + value + "'");
    }

    /**
     * The JSON answer (as maps) for detections of {@code model} on {@code image}: model, image size,
     * detections of the {@code classes} asked for (all when null), timings. Also what {@code panoptes infer} prints.
     */
    public static Map<String, Object> answer(OnnxModel model, Mat image, ModelRunner.Inference inference, Set<String> classes) {
        List<Map<String, Object>> detections = new ArrayList<>();
        for (Detection d : inference.detections()) {
            if (classes != null && !classes.contains(d.getLabel())) {
                continue;
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("classId", d.getClassId());
            item.put("label", d.getLabel());
            item.put("confidence", d.getConfidence());
            item.put("box", Map.of("x", d.getBox().getX(), "y", d.getBox().getY(), "w", d.getBox().getW(), "h", d.getBox().getH()));
            List<Map<String, Object>> keypoints = new ArrayList<>();
            d.getKeypoints().forEach(k -> keypoints.add(Map.of("x", k.getX(), "y", k.getY(),
                    "name", k.getName() == null ? "" : k.getName())));
            item.put("keypoints", keypoints);
            detections.add(item);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", Map.of("id", model.config().id(), "version", String.valueOf(model.version())));
        answer.put("width", image.cols());
        answer.put("height", image.rows());
        answer.put("detections", detections);
        answer.put("timings", Map.of("preprocessMs", inference.preprocessMs(), "inferMs", inference.inferMs(),
                "postprocessMs", inference.postprocessMs()));
        return answer;
    }

    private static Map<String, Object> error(int status, String message) {
        return Map.of("status", status, "error", message);
    }

    private void respond(HttpExchange exchange, int status, Object body) {
        try (exchange) {
            byte[] bytes = json.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException e) {
            log.debug("client went away before the answer: {}", e.toString());
        }
    }

    /** An answer other than 200, with its reason. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        perThread.forEach(resource -> {
            try {
                resource.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", resource, e.toString());
            }
        });
    }
}
