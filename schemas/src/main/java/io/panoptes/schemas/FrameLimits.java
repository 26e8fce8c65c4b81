package io.panoptes.schemas;

/** Limits on what the frames topic carries, shared by the roles that write and read it. */
public final class FrameLimits {

    /** The largest frame accepted by default: 8K (7680x4320), about 33 million pixels. */
    public static final long MAX_PIXELS_8K = 7680L * 4320L;

    private FrameLimits() {}
}
