package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.schemas.SampleRecords;
import org.junit.jupiter.api.Test;

class ResultsTest {

    private final Frame frame = SampleRecords.frame(4);

    @Test
    void shouldCopyTheFramesIdentityIntoEveryKindOfResult() {
        ModelRef model = new ModelRef("m", null);
        for (Detections result :
                new Detections[] {
                    Results.failed(frame, model, "no model", null),
                    Results.skippedStale(frame, model, "old"),
                    Results.endOfStream(frame, model)
                }) {
            assertThat(result.getStreamId()).isEqualTo("cam-1");
            assertThat(result.getEpoch()).isEqualTo(frame.getEpoch());
            assertThat(result.getSeq()).isEqualTo(4);
            assertThat(result.getPipelineId()).isEqualTo("door");
            assertThat(result.getCaptureTime()).isEqualTo(frame.getCaptureTime());
            assertThat(result.getTimings()).isNotNull();
            assertThat(result.getDetections()).isEmpty();
        }
        assertThat(Results.failed(frame, model, "no model", null).getStatus())
                .isEqualTo(DetectionStatus.FAILED);
        assertThat(Results.failed(frame, model, "no model", null).getError()).isEqualTo("no model");
    }
}
