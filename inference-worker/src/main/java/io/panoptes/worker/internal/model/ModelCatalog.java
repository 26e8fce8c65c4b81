package io.panoptes.worker.internal.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.panoptes.worker.model.Device;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelDefinition;
import io.panoptes.worker.model.ModelLoadException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a worker can run, by id: those configured on its command line, and those defined (and
 * redefined, and removed) on the models topic while it runs. A model is loaded when first asked
 * for, on a loader thread of its own, so neither the poll thread nor the inference threads wait for
 * a download; at most {@code maxResident} are kept loaded, the least recently used being unloaded
 * once no thread runs it. A redefined model is loaded again; a model that failed to load keeps its
 * reason (every frame asking for it fails the same way) until it is redefined or {@link
 * #RETRY_FAILED} has passed. Thread-safe; close frees every session.
 */
public final class ModelCatalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    /** How long a failed load is remembered before the next request tries again. */
    static final Duration RETRY_FAILED = Duration.ofSeconds(30);

    private final OrtEnvironment env;
    private final Settings settings;
    private final ModelFetcher fetcher;
    private final Map<String, ModelDefinition> configured;
    private final Map<String, ModelDefinition> defined = new ConcurrentHashMap<>();
    private final Map<String, String> invalid = new ConcurrentHashMap<>();
    private final Map<String, Entry> entries = new HashMap<>(); // guarded by this
    private final ExecutorService loader;
    private boolean closed; // guarded by this

    /** How models run, how many stay loaded and how long a frame waits for one that is loading. */
    public record Settings(
            int intraOpThreads,
            int interOpThreads,
            Device device,
            int maxResident,
            Duration loadWait) {

        public Settings {
            if (maxResident < 1) {
                throw new IllegalArgumentException(
                        "at least 1 model must stay loaded, got " + maxResident);
            }
        }

        /** One ONNX Runtime thread per run, on the CPU, 4 models loaded, a minute's wait. */
        public static Settings cpu(int intraOpThreads, int interOpThreads) {
            return new Settings(
                    intraOpThreads, interOpThreads, Device.CPU, 4, Duration.ofMinutes(1));
        }
    }

    /**
     * @param configured the command line's models, by id; they win over the models topic
     * @param fetcher fetches models given by URL; null when none may be fetched
     */
    public ModelCatalog(
            Map<String, ModelConfig> configured, Settings settings, ModelFetcher fetcher) {
        this.env = OrtEnvironment.getEnvironment();
        this.settings = settings;
        this.fetcher = fetcher;
        Map<String, ModelDefinition> byId = new LinkedHashMap<>();
        configured.forEach((id, config) -> byId.put(id, ModelDefinition.configured(config)));
        this.configured = Map.copyOf(byId);
        this.loader =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "model-loader");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** The command line's models on the CPU, for single-image inference and tests. */
    public ModelCatalog(
            Map<String, ModelConfig> configured, int intraOpThreads, int interOpThreads) {
        this(configured, Settings.cpu(intraOpThreads, interOpThreads), null);
    }

    public OrtEnvironment environment() {
        return env;
    }

    /** Whether {@code id} is defined here (it may still fail to load). */
    public boolean knows(String id) {
        return configured.containsKey(id) || defined.containsKey(id) || invalid.containsKey(id);
    }

    /** The definition of {@code id}, when it has one that may load. */
    public Optional<ModelDefinition> definition(String id) {
        return Optional.ofNullable(configured.get(id))
                .or(() -> Optional.ofNullable(defined.get(id)));
    }

    /** Every id defined here, sorted. */
    public Set<String> ids() {
        Set<String> ids = new TreeSet<>(configured.keySet());
        ids.addAll(defined.keySet());
        ids.addAll(invalid.keySet());
        return ids;
    }

    /**
     * Defines (or redefines) model {@code id} from the models topic; a loaded older definition is
     * unloaded once no thread runs it, and the next frame loads the new one.
     */
    public void define(String id, ModelDefinition definition) {
        if (configured.containsKey(id)) {
            log.warn(
                    "model {} is configured on this worker's command line: its spec on the models"
                            + " topic ({}) is not used here",
                    id,
                    definition.origin());
            return;
        }
        invalid.remove(id);
        ModelDefinition before = defined.put(id, definition);
        if (!definition.equals(before)) {
            log.info(
                    "model {} {} ({}): loaded when a frame asks for it",
                    id,
                    before == null ? "defined" : "redefined",
                    definition.origin());
            retire(id);
        }
    }

    /** Marks {@code id} as defined but unusable, for {@code reason}; its frames fail saying so. */
    public void reject(String id, String reason) {
        if (configured.containsKey(id)) {
            return;
        }
        defined.remove(id);
        invalid.put(id, reason);
        log.error("{}", reason);
        retire(id);
    }

    /** Forgets {@code id} (removed from the models topic) and unloads it once idle. */
    public void remove(String id) {
        if (defined.remove(id) != null || invalid.remove(id) != null) {
            log.info("model {} removed from the models topic: unloaded once idle", id);
            retire(id);
        }
    }

    /**
     * Completes when model {@code id} is loaded or has failed, or when the load has taken {@link
     * Settings#loadWait()}; starts the load if it has not started. Completes at once for an unknown
     * or invalid id ({@link #acquire} then says why).
     */
    public synchronized CompletableFuture<Void> ready(String id) {
        Entry entry = closed ? null : entry(id);
        return entry == null ? CompletableFuture.completedFuture(null) : entry.ready;
    }

    /**
     * Model {@code id} for one run, without waiting: release the lease when the run is done.
     *
     * @throws ModelLoadException when it is unknown, invalid, failed to load or is still loading
     */
    public synchronized Lease acquire(String id) {
        Entry entry = entry(id);
        if (entry == null) {
            String reason = invalid.get(id);
            throw new ModelLoadException(
                    reason != null
                            ? reason
                            : "unknown model '" + id + "': this worker knows " + ids(),
                    null);
        }
        if (!entry.model.isDone()) {
            throw new ModelLoadException(
                    "model "
                            + id
                            + " is still loading after "
                            + Duration.ofNanos(System.nanoTime() - entry.startedNanos).toSeconds()
                            + " s ("
                            + entry.definition.origin()
                            + "); frames wait at most "
                            + settings.loadWait().toSeconds()
                            + " s for a model",
                    null);
        }
        if (entry.model.isCompletedExceptionally()) {
            throw entry.failure();
        }
        OnnxModel model = entry.model.join();
        entry.leases++;
        entry.lastUsedNanos = System.nanoTime();
        return new Lease(entry, model);
    }

    /**
     * Model {@code id} for one run, waiting for it to load at most {@link Settings#loadWait()}.
     *
     * @throws ModelLoadException as {@link #acquire(String)}
     */
    public Lease acquireWaiting(String id) {
        try {
            ready(id).get(settings.loadWait().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while waiting for model " + id, e);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            // acquire says what state the model is in
        }
        return acquire(id);
    }

    /** Models loaded now, for metrics. */
    public synchronized int resident() {
        return (int) entries.values().stream().filter(Entry::loaded).count();
    }

    /** The entry for {@code id}, starting its load when there is none (or a stale failure). */
    private Entry entry(String id) {
        if (closed) {
            throw new ModelLoadException(
                    "the worker is stopping: model " + id + " is closed", null);
        }
        ModelDefinition definition =
                Optional.ofNullable(configured.get(id)).orElseGet(() -> defined.get(id));
        if (definition == null) {
            return null;
        }
        Entry entry = entries.get(id);
        if (entry != null && entry.failedLongAgo()) {
            entries.remove(id);
            entry = null;
        }
        if (entry == null) {
            entry = new Entry(definition, settings.loadWait());
            entries.put(id, entry);
            Entry starting = entry;
            loader.execute(() -> load(starting));
        }
        return entry;
    }

    private void load(Entry entry) {
        ModelDefinition definition = entry.definition;
        try {
            OnnxModel model = open(definition);
            synchronized (this) {
                if (closed || entries.get(definition.config().id()) != entry) {
                    model.close(); // redefined or closed while loading
                } else {
                    entry.lastUsedNanos = System.nanoTime();
                    unloadBeyond(settings.maxResident() - 1, entry);
                }
            }
            entry.model.complete(model);
        } catch (ModelLoadException e) {
            log.error("{}", e.getMessage());
            entry.failedNanos = System.nanoTime();
            entry.model.completeExceptionally(e);
        } catch (RuntimeException e) {
            log.error("model {} failed to load", definition.config().id(), e);
            entry.failedNanos = System.nanoTime();
            entry.model.completeExceptionally(
                    new ModelLoadException(
                            "model " + definition.config().id() + " failed to load: " + e, e));
        }
    }

    private OnnxModel open(ModelDefinition definition) {
        ModelConfig config = local(definition.config());
        if (definition.sha256() != null) {
            ModelFetcher.verify(config.id(), config.path(), definition.sha256());
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(settings.interOpThreads());
            // graph-optimisation notices (e.g. unused initializers) are not the user's problem
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            settings.device().configure(options, config.id());
            OnnxModel model = OnnxModel.load(env, config, options);
            requireInputSize(definition, model);
            log.info(
                    "model {} loaded: {} {} input {}x{}, version {}, device {} ({})",
                    config.id(),
                    config.family(),
                    config.path(),
                    model.inputWidth(),
                    model.inputHeight(),
                    model.version(),
                    settings.device(),
                    definition.origin());
            return model;
        } catch (OrtException e) {
            throw new ModelLoadException("model " + config.id() + ": " + e.getMessage(), e);
        }
    }

    private static void requireInputSize(ModelDefinition definition, OnnxModel model) {
        Integer width = definition.inputWidth();
        Integer height = definition.inputHeight();
        if (width != null
                && height != null
                && (width != model.inputWidth() || height != model.inputHeight())) {
            model.close();
            throw new ModelLoadException(
                    "model "
                            + definition.config().id()
                            + " ("
                            + definition.origin()
                            + "): its spec says input "
                            + width
                            + "x"
                            + height
                            + ", but the graph takes "
                            + model.inputWidth()
                            + "x"
                            + model.inputHeight(),
                    null);
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

    /** Unloads the least recently used models until at most {@code keep} others stay loaded. */
    private void unloadBeyond(int keep, Entry except) {
        while (true) {
            Entry[] others =
                    entries.values().stream()
                            .filter(e -> e != except && e.loaded())
                            .sorted(Comparator.comparingLong(e -> e.lastUsedNanos))
                            .toArray(Entry[]::new);
            if (others.length <= keep) {
                return;
            }
            String id = others[0].definition.config().id();
            log.info(
                    "model {} unloaded: least recently used of more than {} loaded (--max-models)",
                    id,
                    settings.maxResident());
            entries.remove(id);
            others[0].retire();
        }
    }

    private synchronized void retire(String id) {
        Entry entry = entries.remove(id);
        if (entry != null) {
            entry.retire();
        }
    }

    /** One run's hold on a model: it is not closed before the lease is released. */
    public final class Lease implements AutoCloseable {

        private final Entry entry;
        private final OnnxModel model;
        private boolean released;

        private Lease(Entry entry, OnnxModel model) {
            this.entry = entry;
            this.model = model;
        }

        public OnnxModel model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (ModelCatalog.this) {
                if (!released) {
                    released = true;
                    entry.leases--;
                    entry.closeIfIdle();
                }
            }
        }
    }

    /** A model's load and use; guarded by the catalog. */
    private static final class Entry {

        final ModelDefinition definition;
        final CompletableFuture<OnnxModel> model = new CompletableFuture<>();
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final long startedNanos = System.nanoTime();
        volatile long failedNanos;
        long lastUsedNanos = System.nanoTime();
        int leases;
        boolean retired;

        Entry(ModelDefinition definition, Duration wait) {
            this.definition = definition;
            model.whenComplete((m, e) -> ready.complete(null));
            ready.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean loaded() {
            return model.isDone() && !model.isCompletedExceptionally();
        }

        boolean failedLongAgo() {
            return model.isCompletedExceptionally()
                    && System.nanoTime() - failedNanos > RETRY_FAILED.toNanos();
        }

        ModelLoadException failure() {
            try {
                model.join();
                throw new IllegalStateException("not failed");
            } catch (java.util.concurrent.CompletionException e) {
                return e.getCause() instanceof ModelLoadException m
                        ? m
                        : new ModelLoadException(e.getCause().toString(), e.getCause());
            }
        }

        void retire() {
            retired = true;
            closeIfIdle();
        }

        void closeIfIdle() {
            if (retired && leases == 0) {
                model.thenAccept(OnnxModel::close);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            entries.values().forEach(Entry::retire);
            entries.clear();
        }
        loader.shutdownNow();
        try {
            loader.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
