package io.panoptes.worker.internal.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.panoptes.worker.model.Device;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelLoadException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a worker can run, by id, each loaded once on first use and shared by the inference
 * threads. A model that fails to load is remembered with its reason, so every frame asking for it
 * gets the same clear FAILED result without retrying the load. Thread-safe; close frees every
 * session.
 */
public final class ModelCatalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    private final OrtEnvironment env;
    private final Map<String, ModelConfig> configs;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final Device device;
    private final ModelFetcher fetcher;
    private final Map<String, OnnxModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, ModelLoadException> failed = new ConcurrentHashMap<>();

    public ModelCatalog(Map<String, ModelConfig> configs, int intraOpThreads, int interOpThreads) {
        this(configs, intraOpThreads, interOpThreads, Device.CPU, null);
    }

    public ModelCatalog(
            Map<String, ModelConfig> configs,
            int intraOpThreads,
            int interOpThreads,
            Device device) {
        this(configs, intraOpThreads, interOpThreads, device, null);
    }

    /**
     * @param fetcher fetches models configured with a URL; null when none may be fetched
     */
    public ModelCatalog(
            Map<String, ModelConfig> configs,
            int intraOpThreads,
            int interOpThreads,
            Device device,
            ModelFetcher fetcher) {
        this.env = OrtEnvironment.getEnvironment();
        this.configs = Map.copyOf(configs);
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
        this.device = device;
        this.fetcher = fetcher;
    }

    public OrtEnvironment environment() {
        return env;
    }

    public boolean knows(String id) {
        return configs.containsKey(id);
    }

    /**
     * The model {@code id}, loading it on first use.
     *
     * @throws ModelLoadException when it is unknown, or cannot be loaded (then every later call
     *     says the same)
     */
    public OnnxModel get(String id) {
        OnnxModel model = loaded.get(id);
        if (model != null) {
            return model;
        }
        ModelLoadException failure = failed.get(id);
        if (failure != null) {
            throw failure;
        }
        ModelConfig config = configs.get(id);
        if (config == null) {
            throw new ModelLoadException(
                    "unknown model '" + id + "': this worker knows " + configs.keySet(), null);
        }
        return load(config);
    }

    private synchronized OnnxModel load(ModelConfig config) {
        OnnxModel model = loaded.get(config.id());
        if (model != null) {
            return model;
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            config = local(config);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(interOpThreads);
            // graph-optimisation notices (e.g. unused initializers) are not the user's problem
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            device.configure(options, config.id());
            model = OnnxModel.load(env, config, options);
            loaded.put(config.id(), model);
            log.info(
                    "model {} loaded: {} {} input {}x{}, version {}, device {}",
                    config.id(),
                    config.family(),
                    config.path(),
                    model.inputWidth(),
                    model.inputHeight(),
                    model.version(),
                    device);
            return model;
        } catch (ModelLoadException e) {
            failed.put(config.id(), e);
            log.error("{}", e.getMessage());
            throw e;
        } catch (OrtException e) {
            ModelLoadException failure =
                    new ModelLoadException("model " + config.id() + ": " + e.getMessage(), e);
            failed.put(config.id(), failure);
            throw failure;
        }
    }

    /**
     * The config with its file on disk: fetched (or found in the cache) when it comes from a URL.
     */
    private ModelConfig local(ModelConfig config) {
        if (config.download().isEmpty()) {
            return config;
        }
        if (fetcher == null) {
            throw new ModelLoadException(
                    "model "
                            + config.id()
                            + " comes from "
                            + config.download().get().url()
                            + ", but this worker has no model cache configured",
                    null);
        }
        fetcher.fetch(config.id(), config.download().get());
        return config;
    }

    @Override
    public void close() {
        loaded.values().forEach(OnnxModel::close);
        loaded.clear();
    }
}
