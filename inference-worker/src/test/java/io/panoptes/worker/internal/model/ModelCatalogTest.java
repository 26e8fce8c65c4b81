package io.panoptes.worker.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelSpec;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.Device;
import io.panoptes.worker.model.ModelCache;
import io.panoptes.worker.model.ModelDefinition;
import io.panoptes.worker.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models defined while the catalog runs: loading, reloading, unloading, bad files. */
class ModelCatalogTest {

    @TempDir Path cacheDir;

    private static final Path BRIGHT = TestData.file(TestData.BRIGHT_SQUARE_YOLOV8);

    @Test
    void shouldLoadAModelDefinedWhileRunningAndLoadItAgainWhenRedefined() {
        try (ModelCatalog catalog = catalog(4)) {
            assertThat(catalog.knows("squares")).isFalse();
            catalog.define("squares", definition(spec("squares", BRIGHT, 1)));

            OnnxModel first;
            try (ModelCatalog.Lease lease = catalog.acquireWaiting("squares")) {
                first = lease.model();
                assertThat(first.config().labels()).containsExactly("bright", "dark");
            }
            ModelSpec relabelled = spec("squares", BRIGHT, 2);
            relabelled.setLabels(List.of("light", "shadow"));
            catalog.define("squares", definition(relabelled));

            try (ModelCatalog.Lease lease = catalog.acquireWaiting("squares")) {
                assertThat(lease.model()).isNotSameAs(first);
                assertThat(lease.model().config().labels()).containsExactly("light", "shadow");
            }
            assertThat(first.isClosed()).isTrue();
        }
    }

    @Test
    void shouldUnloadTheLeastRecentlyUsedModelOnlyOnceNoRunHoldsIt() {
        try (ModelCatalog catalog = catalog(1)) {
            catalog.define("a", definition(spec("a", BRIGHT, 1)));
            catalog.define("b", definition(spec("b", BRIGHT, 1)));

            ModelCatalog.Lease a = catalog.acquireWaiting("a");
            try (ModelCatalog.Lease b = catalog.acquireWaiting("b")) {
                assertThat(catalog.resident()).isEqualTo(1);
                assertThat(a.model().isClosed()).as("a is still running").isFalse();
                assertThat(b.model().isClosed()).isFalse();
            }
            a.close();
            assertThat(a.model().isClosed()).isTrue();
            try (ModelCatalog.Lease again = catalog.acquireWaiting("a")) {
                assertThat(again.model().isClosed()).as("loaded again when asked").isFalse();
            }
        }
    }

    @Test
    void shouldFailEveryRunOfABrokenModelNamingItAndTheCause() throws Exception {
        Path garbage = cacheDir.resolve("garbage.onnx");
        Files.write(garbage, "not an onnx graph".getBytes());
        try (ModelCatalog catalog = catalog(4)) {
            catalog.define("broken", definition(spec("broken", garbage, 1)));
            ModelSpec wrongSize = spec("sized", BRIGHT, 1);
            wrongSize.setInputWidth(320);
            wrongSize.setInputHeight(320);
            catalog.define("sized", definition(wrongSize));
            ModelSpec wrongSum = spec("pinned", BRIGHT, 1);
            wrongSum.setSha256("0".repeat(64));
            catalog.define("pinned", definition(wrongSum));

            assertThatThrownBy(() -> catalog.acquireWaiting("broken"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model broken")
                    .hasMessageContaining("ONNX Runtime cannot load it");
            assertThatThrownBy(() -> catalog.acquire("broken"))
                    .as("remembered, not loaded again per frame")
                    .hasMessageContaining("ONNX Runtime cannot load it");
            assertThatThrownBy(() -> catalog.acquireWaiting("sized"))
                    .hasMessageContaining("model sized (models topic v1)")
                    .hasMessageContaining(
                            "its spec says input 320x320, but the graph takes 640x640");
            assertThatThrownBy(() -> catalog.acquireWaiting("pinned"))
                    .hasMessageContaining("model pinned")
                    .hasMessageContaining("checksum mismatch");
            assertThatThrownBy(() -> catalog.acquire("nope"))
                    .hasMessageContaining("unknown model 'nope'")
                    .hasMessageContaining("[broken, pinned, sized]");
        }
    }

    @Test
    void shouldSayWhyASpecIsRejectedAndForgetARemovedModel() {
        try (ModelCatalog catalog = catalog(4)) {
            ModelSpec noFamily = spec("odd", BRIGHT, 3);
            noFamily.setFamily(ModelLayout.UNKNOWN);
            assertThatThrownBy(() -> definition(noFamily))
                    .hasMessageContaining(
                            "model odd (models topic v3) is invalid: family: is required");
            catalog.reject("odd", "model odd (models topic v3) is invalid: family: is required");
            assertThatThrownBy(() -> catalog.acquire("odd"))
                    .hasMessageContaining("family: is required");

            catalog.define("squares", definition(spec("squares", BRIGHT, 1)));
            catalog.acquireWaiting("squares").close();
            catalog.remove("squares");
            assertThat(catalog.knows("squares")).isFalse();
            assertThatThrownBy(() -> catalog.acquire("squares"))
                    .hasMessageContaining("unknown model 'squares'");
        }
    }

    private ModelCatalog catalog(int maxResident) {
        return new ModelCatalog(
                Map.of(),
                new ModelCatalog.Settings(1, 1, Device.CPU, maxResident, Duration.ofSeconds(30)),
                null);
    }

    private ModelDefinition definition(ModelSpec spec) {
        return ModelDefinition.of(spec, new ModelCache(cacheDir, 1 << 30, false));
    }

    static ModelSpec spec(String id, Path file, long version) {
        return ModelSpec.newBuilder()
                .setModelId(id)
                .setVersion(version)
                .setSource(file.toAbsolutePath().toString())
                .setFamily(ModelLayout.YOLOV8)
                .setLabels(List.of("bright", "dark"))
                .setConfidence(0.5f)
                .build();
    }
}
