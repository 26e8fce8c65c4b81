package io.panoptes.worker.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.panoptes.testkit.LoopbackPorts;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelDownload;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFetcherTest {

    private static final byte[] MODEL = TestData.bytes(TestData.BRIGHT_SQUARE_YOLOV8);
    private static final String SHA256 = sha256(MODEL);

    @TempDir Path cache;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldDownloadOnceThenWorkOfflineFromTheCache() throws Exception {
        URI url = serve(MODEL, MODEL.length);
        ModelFetcher fetcher = new ModelFetcher(cache, 1 << 20, true, Duration.ofSeconds(5));
        ModelDownload download = new ModelDownload(url, SHA256);

        Path file = fetcher.fetch("bright", download);
        server.stop(0); // offline from now on
        Path again = fetcher.fetch("bright", download);

        assertThat(file).isEqualTo(again).isEqualTo(fetcher.cachePath(download));
        assertThat(Files.readAllBytes(file)).isEqualTo(MODEL);
        assertThat(requests).hasValue(1);
        try (ModelCatalog catalog =
                new ModelCatalog(
                        Map.of(
                                "bright",
                                ModelConfig.of("bright", file, ModelFamily.YOLOV8)
                                        .withDownload(download)),
                        ModelCatalog.Settings.cpu(1, 1),
                        fetcher)) {
            assertThat(catalog.acquireWaiting("bright").model().version())
                    .isEqualTo("sha256:" + SHA256.substring(0, 12));
        }
    }

    @Test
    void shouldRefuseLoopbackAndPrivateAddressesUnlessAllowed() throws Exception {
        URI url = serve(MODEL, MODEL.length);
        ModelFetcher fetcher = new ModelFetcher(cache, 1 << 20, false, Duration.ofSeconds(5));

        assertThatThrownBy(() -> fetcher.fetch("bright", new ModelDownload(url, SHA256)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model bright (" + url + ")")
                .hasMessageContaining("resolves to the local or private address 127.0.0.1")
                .hasMessageContaining("--allow-private-model-urls");
        assertThatThrownBy(
                        () ->
                                fetcher.fetch(
                                        "lan",
                                        new ModelDownload(
                                                URI.create("http://10.1.2.3/m.onnx"), SHA256)))
                .hasMessageContaining("private address 10.1.2.3");
        assertThat(requests).hasValue(0);
    }

    @Test
    void shouldRefuseAFileWhoseChecksumDiffersAndKeepNothing() throws Exception {
        URI url = serve(MODEL, MODEL.length);
        ModelFetcher fetcher = new ModelFetcher(cache, 1 << 20, true, Duration.ofSeconds(5));
        String wrong = "0".repeat(64);

        assertThatThrownBy(() -> fetcher.fetch("bright", new ModelDownload(url, wrong)))
                .hasMessageContaining(
                        "checksum mismatch: expected sha256 " + wrong + ", downloaded " + SHA256);
        assertThat(Files.list(cache)).isEmpty();
    }

    @Test
    void shouldRefuseAPartialDownload() throws Exception {
        URI url =
                serve(
                        java.util.Arrays.copyOf(MODEL, 1000),
                        MODEL.length); // promises more than it sends
        ModelFetcher fetcher = new ModelFetcher(cache, 1 << 20, true, Duration.ofSeconds(5));

        assertThatThrownBy(() -> fetcher.fetch("bright", new ModelDownload(url, SHA256)))
                .hasMessageContaining("partial download");
        assertThat(Files.list(cache)).isEmpty();
    }

    @Test
    void shouldRefuseAFileAboveTheSizeCap() throws Exception {
        URI url = serve(MODEL, MODEL.length);
        ModelFetcher fetcher = new ModelFetcher(cache, 1000, true, Duration.ofSeconds(5));

        assertThatThrownBy(() -> fetcher.fetch("bright", new ModelDownload(url, SHA256)))
                .hasMessageContaining(MODEL.length + " bytes, above the model size cap of 1000");
    }

    @Test
    void shouldNameTheUrlWhenItIsUnreachableAndNothingIsCached() {
        URI url = URI.create("http://127.0.0.1:" + LoopbackPorts.closed() + "/m.onnx");
        ModelFetcher fetcher = new ModelFetcher(cache, 1 << 20, true, Duration.ofSeconds(5));

        assertThatThrownBy(() -> fetcher.fetch("gone", new ModelDownload(url, SHA256)))
                .hasMessageContaining("model gone (" + url + "): cannot download")
                .hasMessageContaining("no cached copy");
    }

    @Test
    void shouldValidateDownloads() {
        assertThatThrownBy(() -> new ModelDownload(URI.create("ftp://host/m.onnx"), SHA256))
                .hasMessageContaining("must be http:// or https://");
        assertThatThrownBy(() -> new ModelDownload(URI.create("https://host/m.onnx"), "abc"))
                .hasMessageContaining("needs a pinned sha256");
    }

    private URI serve(byte[] body, long declaredLength) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/m.onnx",
                exchange -> {
                    requests.incrementAndGet();
                    exchange.sendResponseHeaders(200, declaredLength);
                    try {
                        exchange.getResponseBody().write(body);
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/m.onnx");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
