package io.panoptes.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.testkit.TestData;
import io.panoptes.worker.internal.model.ModelCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs on machines without CUDA (CI): the GPU path is exercised by its error and its fallback. */
class DeviceTest {

    private static final ModelConfig FACE =
            ModelConfig.of("face", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.BLAZEFACE);

    @Test
    void shouldParseDevices() {
        assertThat(Device.parse("CPU")).isEqualTo(Device.CPU);
        assertThat(Device.parse("cuda")).isEqualTo(new Device(Device.Kind.CUDA, 0));
        assertThat(Device.parse("cuda:1")).hasToString("cuda:1");
        assertThat(Device.parse("auto").kind()).isEqualTo(Device.Kind.AUTO);
        assertThatThrownBy(() -> Device.parse("tpu"))
                .hasMessage("unknown device 'tpu': use cpu, cuda, cuda:N or auto");
        assertThatThrownBy(() -> Device.parse("cuda:x"))
                .hasMessageContaining("the GPU index after cuda: must be a number");
    }

    @Test
    void shouldRefuseCudaWhereItIsNotAvailableSayingHowToFixIt() {
        try (ModelCatalog catalog = catalog(Device.parse("cuda:0"))) {
            assertThatThrownBy(() -> catalog.acquireWaiting("face"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model face: --device cuda:0 cannot be used")
                    .hasMessageContaining("CPU build")
                    .hasMessageContaining("mvn -Pgpu")
                    .hasMessageContaining("--device auto");
        }
    }

    @Test
    void shouldFallBackToTheCpuOnlyWhenAskedToChooseAutomatically() {
        try (ModelCatalog catalog = catalog(Device.parse("auto"))) {
            assertThat(catalog.acquireWaiting("face").model().inputWidth()).isEqualTo(128);
        }
    }

    private static ModelCatalog catalog(Device device) {
        return new ModelCatalog(
                Map.of("face", FACE),
                new ModelCatalog.Settings(1, 1, device, 4, java.time.Duration.ofMinutes(1)),
                null);
    }
}
