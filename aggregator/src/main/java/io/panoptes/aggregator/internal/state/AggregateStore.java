package io.panoptes.aggregator.internal.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * A task's stream aggregates as live objects over a logged key-value store of their states. The
 * processor changes an aggregate after every result and marks it dirty; its state is serialized
 * into the inner store only when Kafka Streams flushes caches before a commit, so each commit's
 * changelog carries exactly the state behind its output, and a stream's state is encoded once per
 * commit instead of once per result.
 *
 * <p>Kafka Streams calls {@code flushCache()} on stores that implement its internal {@link
 * CachedStateStore} interface, just before it flushes the producer and commits; no public API
 * offers that hook (written by hand for that reason; the exactly-once kill test guards it).
 */
public final class AggregateStore
        implements StateStore, CachedStateStore<String, StreamAggregate.State>, StoredStates {

    private final KeyValueStore<String, StreamAggregate.State> inner;
    private final Map<String, StreamAggregate> live = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();

    AggregateStore(KeyValueStore<String, StreamAggregate.State> inner) {
        this.inner = inner;
    }

    /**
     * The aggregate in use for {@code streamId}, or null when it must be restored from {@link
     * #stored}.
     */
    public StreamAggregate live(String streamId) {
        return live.get(streamId);
    }

    /** The state last written for {@code streamId}, or null. */
    public StreamAggregate.State stored(String streamId) {
        return inner.get(streamId);
    }

    /** For interactive queries (another thread): the stored state, as of the last commit. */
    @Override
    public StreamAggregate.State get(String streamId) {
        return inner.get(streamId);
    }

    /** Keeps {@code aggregate} as the stream's, to be written with the next commit. */
    public void put(String streamId, StreamAggregate aggregate) {
        live.put(streamId, aggregate);
        dirty.add(streamId);
    }

    /** Every stream this task holds, stored or new. */
    public List<String> streamIds() {
        Set<String> ids = new LinkedHashSet<>();
        try (KeyValueIterator<String, StreamAggregate.State> all = inner.all()) {
            all.forEachRemaining(entry -> ids.add(entry.key));
        }
        ids.addAll(live.keySet());
        return new ArrayList<>(ids);
    }

    private void writeDirty() {
        for (String streamId : dirty) {
            inner.put(streamId, live.get(streamId).state());
        }
        dirty.clear();
    }

    @Override
    public void flushCache() {
        writeDirty();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    @Override
    public void clearCache() {
        live.clear();
        dirty.clear();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(
            CacheFlushListener<String, StreamAggregate.State> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void flush() {
        writeDirty();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeDirty();
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        live.clear(); // a (re)initialised task starts from its restored store
        dirty.clear();
        inner.init(context, root);
    }

    @Override
    public void close() {
        live.clear(); // a clean close has committed (and so written) first; a dirty one must
        // not write
        dirty.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(
            Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public long approximateNumUncommittedBytes() {
        return inner.approximateNumUncommittedBytes();
    }

    /** Builds the store over a logged, cached key-value store builder. */
    public static StoreBuilder<AggregateStore> builder(
            StoreBuilder<KeyValueStore<String, StreamAggregate.State>> inner) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<AggregateStore> withCachingEnabled() {
                inner.withCachingEnabled();
                return this;
            }

            @Override
            public StoreBuilder<AggregateStore> withCachingDisabled() {
                inner.withCachingDisabled();
                return this;
            }

            @Override
            public StoreBuilder<AggregateStore> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<AggregateStore> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public AggregateStore build() {
                return new AggregateStore(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    /** For interactive queries: the stored states of the streams of this instance's tasks. */
    public static final class Queryable implements QueryableStoreType<StoredStates> {

        @Override
        public boolean accepts(StateStore store) {
            return store instanceof AggregateStore;
        }

        @Override
        public StoredStates create(StateStoreProvider provider, String storeName) {
            return streamId -> {
                for (StoredStates store : provider.stores(storeName, this)) {
                    StreamAggregate.State state = store.get(streamId);
                    if (state != null) {
                        return state;
                    }
                }
                return null;
            };
        }
    }
}
