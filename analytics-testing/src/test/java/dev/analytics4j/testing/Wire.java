package dev.analytics4j.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Views made from JSON text, for tests of the assertions that need no client. */
final class Wire {
  static final String LIBRARY_FIELDS = "{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}";

  private Wire() {}

  /** The message {@code json} gives, with the client's {@code context.library} added when it has none. */
  static SentMessage message(String json) {
    if (!json.contains("\"library\"")) {
      json = json.contains("\"context\":{")
          ? json.replace("\"context\":{", "\"context\":{\"library\":" + LIBRARY_FIELDS + ",")
          : json.substring(0, json.lastIndexOf('}')) + ",\"context\":{\"library\":" + LIBRARY_FIELDS + "}}";
    }
    try {
      return WireContract.checkMessage(json.getBytes(StandardCharsets.UTF_8), "test message");
    } catch (WireContract.Refusal e) {
      throw new AssertionError(e.status + " " + e.getMessage());
    }
  }

  /** Messages given as their distinctive JSON fields; type, messageId and timestamp are added. */
  static SentMessages sent(String... fields) {
    List<SentMessage> messages = new ArrayList<>();
    int n = 0;
    for (String f : fields) {
      messages.add(message("{\"messageId\":\"m" + (++n) + "\",\"timestamp\":\"2025-03-14T09:26:53.589Z\"," + f + "}"));
    }
    return new SentMessages(messages);
  }
}
