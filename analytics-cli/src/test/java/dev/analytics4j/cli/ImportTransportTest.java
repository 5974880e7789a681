package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.analytics4j.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportTransportTest {
  private static final String OURS = "\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}";
  private static final String SOURCE = "\"\\u0000analytics4j:source-library\"";

  private static String restore(String body) {
    return new String(ImportTransport.restoreSourceLibraries(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void putsTheSourcesLibraryBackInPlaceOfOurs() {
    String body = "{\"batch\":["
        + "{\"type\":\"track\",\"properties\":{\"s\":\"}],\\\"library\\\"\",\"library\":{\"x\":[1,{}]}},\"context\":{\"ip\":\"1\"," + SOURCE
        + ":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"page\":{\"path\":\"/\"}," + OURS + "},\"integrations\":{\"All\":true}},"
        + "{\"type\":\"identify\",\"context\":{" + OURS + "}}"
        + "],\"sentAt\":\"2025-01-01T00:00:00.000Z\",\"context\":{" + OURS + "},\"writeKey\":\"k\"}";

    assertEquals("{\"batch\":["
        + "{\"type\":\"track\",\"properties\":{\"s\":\"}],\\\"library\\\"\",\"library\":{\"x\":[1,{}]}},\"context\":{\"ip\":\"1\","
        + "\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"page\":{\"path\":\"/\"}},\"integrations\":{\"All\":true}},"
        + "{\"type\":\"identify\",\"context\":{" + OURS + "}}"
        + "],\"sentAt\":\"2025-01-01T00:00:00.000Z\",\"context\":{" + OURS + "},\"writeKey\":\"k\"}", restore(body));
  }

  @Test
  void keepsOurLibraryWhenThePlaceholderIsOnlyAStringValue() {
    String body = "{\"batch\":[{\"context\":{\"ip\":" + SOURCE + "," + OURS + "}}],\"writeKey\":\"k\"}";
    assertEquals(body, restore(body));
  }

  @Test
  void leavesABodyWithoutSourceLibrariesAsItIs() {
    byte[] body = ("{\"batch\":[{\"context\":{" + OURS + "}}]}").getBytes(StandardCharsets.UTF_8);
    assertSame(body, ImportTransport.restoreSourceLibraries(body));
  }

  @Test
  void keepsTheClientsDeadlineForEachAttempt() throws Exception {
    // Without it a server that trickles its answer holds a batch, and the run's end, past every bound.
    for (boolean gzip : new boolean[] {false, true}) {
      Transport.Request[] sent = new Transport.Request[1];
      ImportTransport transport = new ImportTransport(request -> {
        sent[0] = request;
        return new Transport.Response(200, null, "{}");
      }, gzip);

      transport.send(new Transport.Request("http://x/v1/batch", Map.of(), new byte[] {'{', '}'}, Duration.ofSeconds(7)));

      assertEquals(Duration.ofSeconds(7), sent[0].timeout(), "gzip " + gzip);
    }
  }
}
