package io.panoptes.app.cli;

import io.panoptes.avro.Detection;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.WindowCount;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.runtime.lifecycle.ShutdownHook;
import io.panoptes.schemas.topics.Topic;
import io.panoptes.schemas.topics.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Prints a results topic as it grows, one line per committed record, until Ctrl-C.",
            "",
            "Examples:",
            "  panoptes consume detections                       # new results from now on",
            "  panoptes consume counts --from-beginning --stream cam-1",
            "  panoptes consume events --json --max 10           # Avro's JSON form, then exit"
        })
public final class ConsumeCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Mixin private KafkaOptions kafka;

    @Mixin private RegistryOptions registry;

    @Option(
            names = "--prefix",
            defaultValue = Topics.DEFAULT_PREFIX,
            paramLabel = "PREFIX",
            description = "Topic-name prefix (default: ${DEFAULT-VALUE}).")
    private String prefix;

    @Parameters(
            index = "0",
            paramLabel = "detections|tracks|counts|events",
            description = "Which topic.")
    private String what;

    @Option(
            names = "--from-beginning",
            description = "Start at the oldest record kept (default: only new ones).")
    private boolean fromBeginning;

    @Option(names = "--stream", paramLabel = "ID", description = "Only this stream's records.")
    private String stream;

    @Option(names = "--max", paramLabel = "N", description = "Exit after N records.")
    private Long max;

    @Option(names = "--json", description = "Print each value as JSON instead of a summary line.")
    private boolean json;

    @Override
    public Integer call() {
        Topics topics = Topics.create(prefix, registry.client());
        Topic<String, ? extends SpecificRecord> topic =
                switch (what.toLowerCase(Locale.ROOT)) {
                    case "detections" -> topics.detections();
                    case "tracks" -> topics.tracks();
                    case "counts" -> topics.counts();
                    case "events" -> topics.events();
                    default ->
                            throw new IllegalArgumentException(
                                    "consume what? detections, tracks, counts or events, not '"
                                            + what
                                            + "'");
                };
        PrintWriter out = spec.commandLine().getOut();
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, Object> config =
                ClientConfigs.of(kafka.clientConfig(), "consume")
                        .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .without(ConsumerConfig.GROUP_ID_CONFIG)
                        .build();
        try (ShutdownHook hook = ShutdownHook.install("consume");
                KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(
                                config, new StringDeserializer(), new ByteArrayDeserializer())) {
            hook.onSignal(
                    () -> {
                        running.set(false);
                        consumer.wakeup();
                    });
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long printed = 0;
            while (running.get() && (max == null || printed < max)) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    if (stream != null && !stream.equals(record.key())) {
                        continue;
                    }
                    out.println(line(topic, record));
                    out.flush();
                    if (max != null && ++printed >= max) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            // Ctrl-C
        }
        return 0;
    }

    private String line(
            Topic<String, ? extends SpecificRecord> topic, ConsumerRecord<String, byte[]> record) {
        SpecificRecord value;
        try {
            value = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return "unreadable record at "
                    + record.topic()
                    + "-"
                    + record.partition()
                    + " offset "
                    + record.offset()
                    + ": "
                    + e.getMessage();
        }
        if (json || value == null) {
            return String.valueOf(value);
        }
        if (value instanceof Detections d) {
            StringBuilder line =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "%s %s #%d %s",
                                    d.getCaptureTime(),
                                    d.getStreamId(),
                                    d.getSeq(),
                                    d.getStatus()));
            for (Detection det : d.getDetections()) {
                line.append(
                        String.format(
                                Locale.ROOT,
                                " | %s %.2f [%.0f,%.0f %.0fx%.0f]%s",
                                det.getLabel(),
                                det.getConfidence(),
                                det.getBox().getX(),
                                det.getBox().getY(),
                                det.getBox().getW(),
                                det.getBox().getH(),
                                det.getTrackId() == null ? "" : " track " + det.getTrackId()));
            }
            if (d.getError() != null) {
                line.append(" | ").append(d.getError());
            }
            return line.toString();
        }
        if (value instanceof WindowCount c) {
            return String.format(
                    Locale.ROOT,
                    "%s %s %s%s %s..%s unique %d, max %d, mean %.2f, in %d, out %d, frames %d (+%d skipped)%s",
                    c.getStreamId(),
                    c.getLabel(),
                    c.getZone() == null ? "" : "zone " + c.getZone() + " ",
                    "window",
                    c.getWindowStart(),
                    c.getWindowEnd(),
                    c.getUniqueTracks(),
                    c.getMaxConcurrent(),
                    c.getMeanPerFrame(),
                    c.getLineIn(),
                    c.getLineOut(),
                    c.getFramesSeen(),
                    c.getFramesSkipped(),
                    c.getFinal$() ? " final" : " running");
        }
        Event e = (Event) value;
        return String.format(
                Locale.ROOT,
                "%s %s rule %s %s %s id %s",
                e.getTime(),
                e.getStreamId(),
                e.getRuleId(),
                e.getKind(),
                e.getAttributes(),
                e.getEventId());
    }
}
