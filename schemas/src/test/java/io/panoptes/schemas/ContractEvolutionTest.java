package io.panoptes.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.avro.WindowCount;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * The contract as first released ({@code src/test/resources/contract/v1}, copied from the commit
 * that published it) against today's: every record must stay FULL compatible with it — today's
 * readers read v1 records and v1 readers read today's — as the registry's FULL_TRANSITIVE level
 * demands of every subject. A change that breaks this fails here, before a registry refuses it.
 */
class ContractEvolutionTest {

    @Test
    void shouldKeepEveryRecordFullyCompatibleWithTheFirstRelease() throws IOException {
        Map<String, Schema> v1 = firstRelease();
        Map<String, Schema> now =
                Map.of(
                        "Frame", Frame.getClassSchema(),
                        "Detections", Detections.getClassSchema(),
                        "WindowCount", WindowCount.getClassSchema(),
                        "Event", Event.getClassSchema(),
                        "PipelineSpec", PipelineSpec.getClassSchema(),
                        "PipelineStatus", PipelineStatus.getClassSchema(),
                        "ModelSpec", ModelSpec.getClassSchema());
        assertThat(v1.keySet()).containsExactlyInAnyOrderElementsOf(now.keySet());
        now.forEach(
                (name, current) -> {
                    Schema old = v1.get(name);
                    assertThat(
                                    SchemaCompatibility.checkReaderWriterCompatibility(current, old)
                                            .getType())
                            .as("today's %s reads v1's", name)
                            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
                    assertThat(
                                    SchemaCompatibility.checkReaderWriterCompatibility(old, current)
                                            .getType())
                            .as("v1's %s reads today's", name)
                            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
                });
    }

    /** One parser across the files, in the order their named types need (as the Maven plugin). */
    private static Map<String, Schema> firstRelease() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parse(parser, "SourceKind");
        Map<String, Schema> schemas = new java.util.HashMap<>();
        for (String name :
                new String[] {
                    "Detections",
                    "Event",
                    "Frame",
                    "WindowCount",
                    "PipelineSpec",
                    "PipelineStatus",
                    "ModelSpec"
                }) {
            schemas.put(name, parse(parser, name));
        }
        return schemas;
    }

    private static Schema parse(Schema.Parser parser, String name) throws IOException {
        try (InputStream in =
                ContractEvolutionTest.class.getResourceAsStream("/contract/v1/" + name + ".avsc")) {
            return parser.parse(in);
        }
    }
}
