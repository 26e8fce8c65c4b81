package io.panoptes.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 only instantiates classes it trusts: when reading specific records, and when builders
 * fill in default values or copy records. The contract's generated classes live in
 * {@code io.panoptes.avro}; {@link #trust()} adds that package, once, to whatever the JVM already
 * trusts. The serdes call it; so does every component that builds records before any serde ran.
 */
public final class ContractClasses {

    static final String PACKAGE = "io.panoptes.avro";

    static {
        ClassSecurityValidator.ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(before,
                type -> PACKAGE.equals(type.getPackageName())));
    }

    private ContractClasses() {}

    /** Makes sure the package is trusted; the work happens once, in the static initializer. */
    public static void trust() {
        // class initialisation does it
    }
}
