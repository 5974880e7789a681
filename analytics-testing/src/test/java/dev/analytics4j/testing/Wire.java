package dev.analytics4j.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Views made from JSON text, for tests of the assertions that need no client. */
final class Wire {
  private Wire() {}

  static SentMessage message(String json) {
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
