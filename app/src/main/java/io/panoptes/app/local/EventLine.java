package io.panoptes.app.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One event of the events file (the file sink's JSON line: {@code {type, timestamp, data}}) as a
 * line for people.
 */
public final class EventLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventLine() {}

    /** {@code TIME RULE (KIND) k=v ...}, or the line itself when it is not an event's JSON. */
    public static String of(String json) {
        try {
            JsonNode event = JSON.readTree(json).path("data"); // the file sink's envelope
            List<String> attributes = new ArrayList<>();
            event.path("attributes")
                    .fields()
                    .forEachRemaining(
                            a -> attributes.add(a.getKey() + "=" + a.getValue().asText()));
            return event.path("time").asText()
                    + " "
                    + event.path("ruleId").asText()
                    + " ("
                    + event.path("kind").asText()
                    + ")"
                    + (attributes.isEmpty() ? "" : " " + String.join(" ", attributes));
        } catch (IOException e) {
            return json;
        }
    }
}
