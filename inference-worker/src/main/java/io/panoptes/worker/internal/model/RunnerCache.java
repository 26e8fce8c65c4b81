package io.panoptes.worker.internal.model;

import ai.onnxruntime.OrtEnvironment;
import java.util.HashMap;
import java.util.Map;

/**
 * One thread's model runners, by model id. A model that was reloaded or unloaded since its runner
 * was made gets a new runner (the old one's buffers freed), so a thread never runs a closed
 * session. Not thread-safe: one per thread; close it to free the native memory.
 */
public final class RunnerCache implements AutoCloseable {

    private final int maxBatch;
    private final Map<String, ModelRunner> runners = new HashMap<>();

    /** Runners of up to {@code maxBatch} images per run. */
    public RunnerCache(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    /** The runner of the model {@code lease} holds, made when none is current. */
    public ModelRunner runner(ModelCatalog.Lease lease) {
        OnnxModel model = lease.model();
        String id = model.config().id();
        dropClosed();
        ModelRunner runner = runners.get(id);
        if (runner != null && runner.model() != model) {
            runners.remove(id).close();
            runner = null;
        }
        if (runner == null) {
            runner = new ModelRunner(OrtEnvironment.getEnvironment(), model, maxBatch);
            runners.put(id, runner);
        }
        return runner;
    }

    /** Frees the runners of models unloaded since, so that an unloaded model's buffers go too. */
    private void dropClosed() {
        runners.values()
                .removeIf(
                        runner -> {
                            if (runner.model().isClosed()) {
                                runner.close();
                                return true;
                            }
                            return false;
                        });
    }

    @Override
    public void close() {
        runners.values().forEach(ModelRunner::close);
        runners.clear();
    }
}
