package io.panoptes.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.schemas.Evolution;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void shouldGiveTheSameSchemaTheSameIdInEverySubject() {
        int first = registry.register("a-value", Frame.getClassSchema());
        int again = registry.register("a-value", Frame.getClassSchema());
        int otherSubject = registry.register("b-value", Frame.getClassSchema());
        int otherSchema = registry.register("a-detections", Detections.getClassSchema());

        assertThat(again).isEqualTo(first);
        assertThat(otherSubject).isEqualTo(first);
        assertThat(otherSchema).isNotEqualTo(first);
        assertThat(registry.versions("a-value")).containsExactly(1);
        assertThat(registry.schemaById(first)).isEqualTo(Frame.getClassSchema());
        assertThat(registry.subjects()).containsExactly("a-value", "b-value", "a-detections");
    }

    @Test
    void shouldDefaultToFullTransitive() {
        assertThat(registry.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(registry.compatibility("any")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
    }

    @Test
    void shouldAcceptANewDefaultedFieldAndANewEnumSymbol() {
        registry.register("f-value", Frame.getClassSchema());
        int v2 = registry.register("f-value", Evolution.frameV2());

        assertThat(registry.latest("f-value").id()).isEqualTo(v2);
        assertThat(registry.latest("f-value").version()).isEqualTo(2);
        assertThat(registry.lookup("f-value", Frame.getClassSchema()))
                .hasValueSatisfying(r -> assertThat(r.version()).isEqualTo(1));
    }

    @Test
    void shouldRefuseAFieldWithoutDefaultNamingTheReason() {
        registry.register("f-value", Frame.getClassSchema());

        assertThatThrownBy(() -> registry.register("f-value", Evolution.frameWithRequiredField()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("f-value")
                .hasMessageContaining("FULL_TRANSITIVE")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE")
                .hasMessageContaining("cameraSerial");
        assertThat(registry.versions("f-value")).containsExactly(1);
    }

    @Test
    void shouldRefuseATypeChange() {
        registry.register("f-value", Frame.getClassSchema());

        CompatibilityResult result =
                registry.testCompatibility("f-value", Evolution.frameWithSeqAsString());

        assertThat(result.compatible()).isFalse();
        assertThat(result.messages())
                .anySatisfy(m -> assertThat(m).contains("TYPE_MISMATCH").contains("/fields/2"));
    }

    @Test
    void shouldCheckEveryEarlierVersionOnlyWhenTransitive() {
        // v1 -> v2 adds a required field (backward-incompatible under FULL), allowed under NONE
        registry.setCompatibility("t-value", CompatibilityLevel.NONE);
        registry.register("t-value", Frame.getClassSchema());
        registry.register("t-value", Evolution.frameWithRequiredField());

        registry.setCompatibility("t-value", CompatibilityLevel.FORWARD);
        assertThat(
                        registry.testCompatibility("t-value", Evolution.frameWithRequiredField())
                                .compatible())
                .isTrue();

        registry.setCompatibility("t-value", CompatibilityLevel.BACKWARD);
        // v3 = v1 again: a reader of v1 reads v2 data (drops the extra field): fine against the
        // latest only
        assertThat(registry.testCompatibility("t-value", Frame.getClassSchema()).compatible())
                .isTrue();
        registry.setCompatibility("t-value", CompatibilityLevel.FORWARD_TRANSITIVE);
        // v2's reader cannot read v1-shaped data (cameraSerial has no default): fails against v2
        assertThat(registry.testCompatibility("t-value", Frame.getClassSchema()).compatible())
                .isFalse();
    }

    @Test
    void shouldNameWhatIsMissing() {
        assertThatThrownBy(() -> registry.schemaById(99))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("99");
        assertThatThrownBy(() -> registry.latest("nope-value"))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("nope-value");
        registry.register("x-value", Frame.getClassSchema());
        assertThatThrownBy(() -> registry.version("x-value", 5))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("Version 5");
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .hasMessageContaining("SIDEWAYS")
                .hasMessageContaining("FULL_TRANSITIVE");
    }
}
