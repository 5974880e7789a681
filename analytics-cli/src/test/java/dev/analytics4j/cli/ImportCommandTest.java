package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command end to end: options, files, write key, rejects file, summary and exit code. */
class ImportCommandTest {
  private static final String IDENTIFY = "{\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00.123Z\",\"traits\":{\"plan\":\"team\"}}";
  private static final String TRACK = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\",\"timestamp\":\"2021-06-01T10:05:00.000Z\",\"properties\":{\"revenue\":42.50,\"items\":3,\"big\":12345678901234567890}}";
  private static final String PAGE_WITH_ID = "{\"type\":\"page\",\"anonymousId\":\"a1\",\"messageId\":\"kept-id-1\",\"name\":\"Pricing\",\"timestamp\":\"2021-06-01T09:59:00+02:00\"}";
  private static final String ALIAS = "{\"type\":\"alias\",\"previousId\":\"a1\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00.124Z\",\"receivedAt\":\"2021-06-01T10:00:01Z\"}";

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Path keyFile;
  private Path rejects;

  @BeforeEach
  void setUp() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.ok());
    keyFile = Files.writeString(dir.resolve("key"), "abc123\n");
    rejects = dir.resolve("rejects.txt");
  }

  private int run(InputStream stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("import", "--endpoint", server.url("/").toString(),
        "--write-key-file", keyFile.toString(), "--rejects", rejects.toString()));
    all.addAll(List.of(args));
    ImportCommand command = new ImportCommand(Map.of(), stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, false, importer -> {});
    return Main.commandLine(command).execute(all.toArray(new String[0]));
  }

  private Path input(String... lines) throws Exception {
    return Files.writeString(dir.resolve("events.ndjson"), String.join("\n", lines) + "\n");
  }

  @Test
  void sendsGoodLinesWithTheirTimestampsAndListsBadLinesInTheRejectsFile() throws Exception {
    String oversize = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Big\",\"timestamp\":\"2021-06-01T10:00:00Z\","
        + "\"properties\":{\"blob\":\"" + "x".repeat(40_000) + "\"}}";
    Path file = input(IDENTIFY, "{\"type\":\"track\",", TRACK, "{\"type\":\"purchase\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00Z\"}",
        "", PAGE_WITH_ID, "{\"type\":\"track\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00Z\"}", oversize, ALIAS,
        "{\"type\":\"identify\",\"timestamp\":\"2021-06-01T10:00:00Z\"}");

    int code = run(InputStream.nullInputStream(), file.toString());

    assertEquals(ImportResult.EXIT_INCOMPLETE, code, out.toString());
    List<RecordedRequest> requests = TestServer.requests(server);
    List<Map<String, Object>> messages = TestServer.messages(requests);
    assertEquals(List.of("identify", "track", "page", "alias"),
        messages.stream().map(m -> (String) m.get("type")).collect(Collectors.toList()));
    assertEquals("2021-06-01T10:00:00.123Z", messages.get(0).get("timestamp"));
    assertEquals("2021-06-01T07:59:00.000Z", messages.get(2).get("timestamp"));
    assertEquals("kept-id-1", messages.get(2).get("messageId"));
    assertFalse(messages.get(3).containsKey("receivedAt"));
    String trackBody = requests.get(0).getBody().utf8();
    assertTrue(trackBody.contains("\"revenue\":42.50,\"items\":3,\"big\":12345678901234567890"), trackBody);
    assertEquals("Basic YWJjMTIzOg==", requests.get(0).getHeaders().get("Authorization"));

    List<String> rejected = Files.readAllLines(rejects);
    assertEquals(5, rejected.size(), String.join("\n", rejected));
    assertTrue(rejected.get(0).startsWith(file + ":2: invalid JSON"), rejected.get(0));
    assertEquals(file + ":4: unknown type: \"purchase\" (expected identify, track, page, screen, group or alias)", rejected.get(1));
    assertEquals(file + ":7: missing required field: event", rejected.get(2));
    assertTrue(rejected.get(3).startsWith(file + ":8: oversize: "), rejected.get(3));
    assertEquals(file + ":10: missing required field: userId or anonymousId", rejected.get(4));
    String summary = out.toString(StandardCharsets.UTF_8);
    assertTrue(summary.contains("lines read     9"), summary);
    assertTrue(summary.contains("delivered      4"), summary);
    assertTrue(summary.contains("rejected       5"), summary);
  }

  @Test
  void reimportingAFileSendsTheSameMessageIds() throws Exception {
    Path file = input(IDENTIFY, TRACK, PAGE_WITH_ID, ALIAS);

    assertEquals(ImportResult.EXIT_OK, run(InputStream.nullInputStream(), file.toString()), out.toString());
    List<Object> first = ids(TestServer.messages(TestServer.requests(server)));
    // Same content with keys in another order and numbers written differently: the same events.
    Files.writeString(file, String.join("\n", IDENTIFY,
        "{\"properties\":{\"big\":12345678901234567890,\"items\":3,\"revenue\":42.5},\"event\":\"Order Completed\",\"type\":\"track\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:05:00Z\"}",
        PAGE_WITH_ID, ALIAS) + "\n");
    assertEquals(ImportResult.EXIT_OK, run(InputStream.nullInputStream(), file.toString()), out.toString());
    List<Object> second = ids(TestServer.messages(TestServer.requests(server, 1)));

    assertEquals(first, second);
    assertEquals(4, first.stream().distinct().count());
    assertEquals("kept-id-1", first.get(2));
    assertFalse(Files.exists(rejects));
  }

  @Test
  void readsStandardInputWhenNoFileIsGiven() throws Exception {
    InputStream stdin = new java.io.ByteArrayInputStream((IDENTIFY + "\n" + TRACK).getBytes(StandardCharsets.UTF_8));

    assertEquals(ImportResult.EXIT_OK, run(stdin, "--batch-size", "1", "--gzip"));

    List<RecordedRequest> requests = TestServer.requests(server);
    assertEquals(2, requests.size());
    assertEquals("gzip", requests.get(0).getHeaders().get("Content-Encoding"));
  }

  @Test
  void dryRunValidatesWithoutSending() throws Exception {
    Path file = input(IDENTIFY, "not json", TRACK);

    int code = run(InputStream.nullInputStream(), "--dry-run", file.toString());

    assertEquals(ImportResult.EXIT_INCOMPLETE, code);
    assertEquals(0, server.getRequestCount());
    assertEquals(1, Files.readAllLines(rejects).size());
    String summary = out.toString(StandardCharsets.UTF_8);
    assertTrue(summary.contains("valid          2"), summary);
    assertTrue(summary.contains("nothing was sent"), summary);
  }

  @Test
  void refusesToRunWithoutAWriteKey() throws Exception {
    Path file = input(IDENTIFY);
    ImportCommand command = new ImportCommand(Map.of("ANALYTICS_WRITE_KEY", " "), InputStream.nullInputStream(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        false, false, importer -> {});

    int code = Main.commandLine(command).execute("import", "--endpoint", server.url("/").toString(), file.toString());

    assertEquals(ImportResult.EXIT_USAGE, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no write key: set ANALYTICS_WRITE_KEY"), err.toString());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void readsTheWriteKeyFromTheEnvironment() throws Exception {
    Path file = input(IDENTIFY);
    ImportCommand command = new ImportCommand(Map.of("MY_KEY", "abc123"), InputStream.nullInputStream(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        false, false, importer -> {});

    int code = Main.commandLine(command).execute("import", "--endpoint", server.url("/").toString(),
        "--write-key-env", "MY_KEY", "--rejects", rejects.toString(), file.toString());

    assertEquals(ImportResult.EXIT_OK, code, err.toString());
    assertEquals("Basic YWJjMTIzOg==", TestServer.requests(server).get(0).getHeaders().get("Authorization"));
    assertNotEquals(-1, out.toString(StandardCharsets.UTF_8).indexOf("every line was delivered"));
  }

  private static List<Object> ids(List<Map<String, Object>> messages) {
    return messages.stream().map(m -> m.get("messageId")).collect(Collectors.toList());
  }
}
