package io.panoptes.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 only instantiates classes it trusts: when reading specific records, and when builders
 * fill in default values or copy records. The contract's generated classes live in {@code
 * io.panoptes.avro}; {@link #trust()} adds that package, once, to whatever the JVM already trusts.
 * The serdes call it; so does every component that builds records before any serde ran. It also
 * turns on the generated classes' custom encoders (unless the JVM says otherwise), which write the
 * same bytes faster.
 */
public final class ContractClasses {

    static final String PACKAGE = "io.panoptes.avro";

    /**
     * Avro's switch for the generated classes' own encoders (no per-field reflection), off by
     * default until Avro 1.13.
     */
    static final String CUSTOM_CODERS = "org.apache.avro.specific.use_custom_coders";

    static {
        // read by each generated class's model when the class initializes: set it before the serdes
        // touch one
        System.setProperty(CUSTOM_CODERS, System.getProperty(CUSTOM_CODERS, "true"));
        ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(
                ClassSecurityValidator.composite(
                        before, type -> PACKAGE.equals(type.getPackageName())));
    }

    private ContractClasses() {}

    /** Makes sure the package is trusted; the work happens once, in the static initializer. */
    public static void trust() {
        // class initialisation does it
    }
}
