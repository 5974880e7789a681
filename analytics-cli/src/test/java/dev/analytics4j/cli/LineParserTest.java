package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.Message;
import org.junit.jupiter.api.Test;

class LineParserTest {
  private final LineParser parser = new LineParser();

  @Test
  void derivesTheSameMessageIdFromTheSameContent() throws Exception {
    Message a = parser.parse("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":\"2020-01-01T00:00:00Z\",\"properties\":{\"a\":1.0,\"b\":[1,2]}}");
    Message b = parser.parse("{\"timestamp\":\"2020-01-01T01:00:00+01:00\",\"properties\":{\"b\":[1,2],\"a\":1},\"event\":\"E\",\"userId\":\"u1\",\"type\":\"track\",\"sentAt\":\"2020-01-02T00:00:00Z\"}");
    Message c = parser.parse("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":\"2020-01-01T00:00:00.001Z\",\"properties\":{\"a\":1,\"b\":[1,2]}}");

    assertEquals(a.messageId(), b.messageId());
    assertNotEquals(a.messageId(), c.messageId());
    assertEquals(36, a.messageId().length());
  }

  @Test
  void namesTheProblemOfABadLine() {
    assertEquals("missing required field: timestamp", assertThrows(LineRejectedException.class,
        () -> parser.parse("{\"type\":\"identify\",\"userId\":\"u1\"}")).getMessage());
    assertEquals("missing required field: groupId", assertThrows(LineRejectedException.class,
        () -> parser.parse("{\"type\":\"group\",\"userId\":\"u1\",\"timestamp\":\"2020-01-01T00:00:00Z\"}")).getMessage());
    assertEquals("properties must be an object but was an array", assertThrows(LineRejectedException.class,
        () -> parser.parse("{\"type\":\"page\",\"userId\":\"u1\",\"timestamp\":\"2020-01-01T00:00:00Z\",\"properties\":[]}")).getMessage());
    assertEquals("invalid JSON: expected an object but was BEGIN_ARRAY", assertThrows(LineRejectedException.class,
        () -> parser.parse("[1]")).getMessage());
    assertTrue(assertThrows(LineRejectedException.class, () -> parser.parse("{} {}")).getMessage()
        .startsWith("invalid JSON: "));
  }
}
