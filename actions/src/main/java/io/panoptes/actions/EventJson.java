package io.panoptes.actions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.avro.Detection;
import io.panoptes.avro.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event as the JSON receivers get, in the Standard Webhooks shape: {@code {"type":
 * "panoptes.event.<kind>", "timestamp": ..., "data": {...}}}.
 */
final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {}

    static byte[] of(Event event) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("eventId", event.getEventId());
        data.put("ruleId", event.getRuleId());
        data.put("streamId", event.getStreamId());
        data.put("pipelineId", event.getPipelineId());
        data.put("time", event.getTime().toString());
        data.put("kind", event.getKind().name());
        data.put("attributes", new LinkedHashMap<>(event.getAttributes()));
        List<Map<String, Object>> detections = new ArrayList<>();
        for (Detection d : event.getDetections()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("label", d.getLabel());
            item.put("confidence", d.getConfidence());
            item.put("trackId", d.getTrackId());
            item.put(
                    "box",
                    Map.of(
                            "x",
                            d.getBox().getX(),
                            "y",
                            d.getBox().getY(),
                            "w",
                            d.getBox().getW(),
                            "h",
                            d.getBox().getH()));
            detections.add(item);
        }
        data.put("detections", detections);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put(
                "type",
                "panoptes.event." + event.getKind().name().toLowerCase(java.util.Locale.ROOT));
        envelope.put("timestamp", event.getTime().toString());
        envelope.put("data", data);
        try {
            return JSON.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "event " + event.getEventId() + " cannot be written as JSON", e);
        }
    }
}
