package io.panoptes.worker.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where models run: {@code cpu} (the default), {@code cuda} or {@code cuda:N} (GPU N; fails when
 * CUDA is not available, with what to do about it), or {@code auto} (CUDA when available, else the
 * CPU, saying so). CUDA needs ONNX Runtime's GPU build on the classpath ({@code mvn -Pgpu}).
 */
public record Device(Kind kind, int gpu) {

    private static final Logger log = LoggerFactory.getLogger(Device.class);

    /** The kinds of device. */
    public enum Kind {
        CPU,
        CUDA,
        AUTO
    }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (gpu < 0) {
            throw new IllegalArgumentException("GPU index must be >= 0, got " + gpu);
        }
    }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}. */
    public static Device parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return CPU;
        }
        if (value.equals("auto")) {
            return new Device(Kind.AUTO, 0);
        }
        if (value.equals("cuda")) {
            return new Device(Kind.CUDA, 0);
        }
        if (value.startsWith("cuda:")) {
            try {
                return new Device(Kind.CUDA, Integer.parseInt(value.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "device '" + text + "': the GPU index after cuda: must be a number", e);
            }
        }
        throw new IllegalArgumentException(
                "unknown device '" + text + "': use cpu, cuda, cuda:N or auto");
    }

    /**
     * Adds this device's execution provider to {@code options} for model {@code modelId}.
     *
     * @throws ModelLoadException when CUDA is asked for and cannot be used, saying how to fix it
     */
    public void configure(OrtSession.SessionOptions options, String modelId) {
        if (kind == Kind.CPU) {
            return;
        }
        boolean available = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        String problem =
                available
                        ? null
                        : "this JVM has ONNX Runtime's CPU build (providers "
                                + OrtEnvironment.getAvailableProviders()
                                + ")";
        if (available) {
            try {
                options.addCUDA(gpu);
                return;
            } catch (OrtException e) {
                problem = e.getMessage();
            }
        }
        if (kind == Kind.AUTO) {
            log.warn("model {}: CUDA is not usable ({}); running on the CPU", modelId, problem);
            return;
        }
        throw new ModelLoadException(
                "model "
                        + modelId
                        + ": --device cuda:"
                        + gpu
                        + " cannot be used: "
                        + problem
                        + ". Build the GPU variant (mvn -Pgpu package: com.microsoft.onnxruntime:onnxruntime_gpu) and run it"
                        + " where an NVIDIA driver and CUDA 12 are installed, or use --device cpu, or --device auto to fall"
                        + " back to the CPU",
                null);
    }

    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + gpu : kind.name().toLowerCase(Locale.ROOT);
    }
}
