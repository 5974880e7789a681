package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
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
  private static final String HINT = "Try 'analytics4j import --help' for more information.";

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

  /** Runs with the test server, the key file and the rejects path, plus {@code args}. */
  private int run(InputStream stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--endpoint", server.url("/").toString(),
        "--write-key-file", keyFile.toString(), "--rejects", rejects.toString()));
    all.addAll(List.of(args));
    return execute(Map.of(), stdin, all.toArray(new String[0]));
  }

  /** Runs {@code import} with exactly {@code args}. */
  private int execute(Map<String, String> env, InputStream stdin, String... args) {
    out.reset();
    err.reset();
    List<String> all = new ArrayList<>(List.of("import"));
    // The checkpoint beside the rejects file in the test's directory, not in the build's.
    if (!List.of(args).contains("--checkpoint")) all.addAll(List.of("--checkpoint", dir.resolve("checkpoint.txt").toString()));
    all.addAll(List.of(args));
    ImportCommand command = new ImportCommand(env, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, importer -> {});
    return Main.commandLine(command).execute(all.toArray(new String[0]));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private Path input(String... lines) throws Exception {
    return Files.writeString(dir.resolve("events.ndjson"), String.join("\n", lines) + "\n");
  }

  private static InputStream none() {
    return InputStream.nullInputStream();
  }

  @Test
  void sendsGoodLinesWithTheirTimestampsAndListsBadLinesInTheRejectsFile() throws Exception {
    String oversize = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Big\",\"timestamp\":\"2021-06-01T10:00:00Z\","
        + "\"properties\":{\"blob\":\"" + "x".repeat(40_000) + "\"}}";
    Path file = input(IDENTIFY, "{\"type\":\"track\",", TRACK, "{\"type\":\"purchase\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00Z\"}",
        "", PAGE_WITH_ID, "{\"type\":\"track\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00Z\"}", oversize, ALIAS,
        "{\"type\":\"identify\",\"timestamp\":\"2021-06-01T10:00:00Z\"}");

    int code = run(none(), file.toString());

    assertEquals(ImportResult.EXIT_REJECTED, code, out());
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
    assertEquals(5, rejected.size(), rejected.toString());
    assertEquals(file + ":2: not valid JSON at character 17: expected a key in double quotes but found the end of the "
        + "line (is the line cut off?)", rejected.get(0));
    assertEquals(file + ":4: unknown type: \"purchase\" (expected identify, track, page, screen, group or alias)", rejected.get(1));
    assertEquals(file + ":7: missing required field: event", rejected.get(2));
    assertTrue(rejected.get(3).startsWith(file + ":8: oversize: message is "), rejected.get(3));
    assertEquals(file + ":10: missing required field: userId or anonymousId", rejected.get(4));
    String summary = out();
    assertTrue(summary.startsWith("analytics4j import done: every valid line was delivered; some lines were rejected as invalid ("), summary);
    assertTrue(summary.contains("  lines read     9  ("), summary);
    assertTrue(summary.contains("  delivered      4\n"), summary);
    assertTrue(summary.contains("  rejected       5\n"), summary);
    assertTrue(summary.contains("  not delivered  0\n"), summary);
    assertTrue(summary.contains("  rejects file   " + rejects + "\n"), summary);
    assertTrue(summary.endsWith("  exit code      3\n"), summary);
  }

  @Test
  void distinctLinesGetDistinctIdsRepeatsAreCountedAndReRunsSendTheSameIds() throws Exception {
    String click = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Clicked\",\"timestamp\":\"2021-06-01T10:00:00Z\"}";
    Path file = input(
        click,
        click, // a second identical click in the same second: its own event
        "{\"event\":\"Clicked\",\"type\":\"track\",\"userId\":\"u1\",\"timestamp\":\"2021-06-01T10:00:00Z\"}", // key order
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Clicked\",\"timestamp\":\"2021-06-01T12:00:00+02:00\"}", // same instant
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Paid\",\"timestamp\":\"2021-06-01T10:00:00Z\",\"properties\":{\"n\":1}}",
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Paid\",\"timestamp\":\"2021-06-01T10:00:00Z\",\"properties\":{\"n\":1.0}}",
        click); // a third

    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()), out());
    List<Object> first = ids(TestServer.messages(TestServer.requests(server)));
    int taken = server.getRequestCount();
    assertTrue(out().contains("  exact repeats  2  (lines identical to an earlier line; each was sent as its own event)\n"), out());
    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()), out());
    List<Object> second = ids(TestServer.messages(TestServer.requests(server, taken)));

    assertEquals(7, first.stream().distinct().count(), first.toString());
    assertEquals(first, second);
    assertFalse(Files.exists(rejects));
  }

  @Test
  void invalidUtf8IsRejectedWithItsOffsetUnlessACharsetIsGiven() throws Exception {
    byte[] jose = "{\"type\":\"identify\",\"userId\":\"Jos\u00e9\",\"timestamp\":\"2021-06-01T10:00:00Z\"}\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] josee = "{\"type\":\"identify\",\"userId\":\"Jos\u00ea\",\"timestamp\":\"2021-06-01T10:00:00Z\"}\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    Path file = dir.resolve("latin1.ndjson");
    Files.write(file, concat(jose, josee));

    assertEquals(ImportResult.EXIT_REJECTED, run(none(), file.toString()), out());
    assertEquals(0, TestServer.requests(server).size());
    int taken = server.getRequestCount();
    assertEquals(List.of(
        file + ":1: invalid UTF-8 at byte 33 of the line (byte 33 of the input): E9; nothing was replaced; if the file "
            + "is Latin-1 or Windows-1252, pass --charset ISO-8859-1 or --charset windows-1252",
        file + ":2: invalid UTF-8 at byte 33 of the line (byte 104 of the input): EA; nothing was replaced; if the file "
            + "is Latin-1 or Windows-1252, pass --charset ISO-8859-1 or --charset windows-1252"), Files.readAllLines(rejects));

    Files.delete(rejects);
    assertEquals(ImportResult.EXIT_OK, run(none(), "--charset", "ISO-8859-1", file.toString()), out());
    List<Map<String, Object>> messages = TestServer.messages(TestServer.requests(server, taken));
    assertEquals(List.of("Jos\u00e9", "Jos\u00ea"), messages.stream().map(m -> m.get("userId")).collect(Collectors.toList()));
    assertEquals(2, ids(messages).stream().distinct().count());
  }

  @Test
  void keepsTheSourcesContextLibraryAndPutsOursAtBatchLevel() throws Exception {
    Path file = input(
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\",\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"ip\":\"203.0.113.7\"}}",
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"F\",\"timestamp\":\"2021-06-01T10:00:00Z\",\"context\":{\"ip\":\"203.0.113.7\"}}");

    assertEquals(ImportResult.EXIT_OK, run(none(), "--gzip", file.toString()), out());

    StringBuilder bodies = new StringBuilder();
    for (RecordedRequest request : TestServer.requests(server)) {
      assertEquals("gzip", request.getHeaders().get("Content-Encoding"));
      bodies.append(new String(new GZIPInputStream(new ByteArrayInputStream(request.getBody().toByteArray()))
          .readAllBytes(), StandardCharsets.UTF_8));
    }
    String body = bodies.toString();
    assertTrue(body.contains("\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"ip\":\"203.0.113.7\"}"), body);
    assertTrue(body.contains("\"context\":{\"ip\":\"203.0.113.7\",\"library\":{\"name\":\"analytics4j\","), body);
    assertTrue(body.contains("],\"sentAt\":"), body);
    assertTrue(body.substring(body.indexOf("],\"sentAt\":")).contains("\"context\":{\"library\":{\"name\":\"analytics4j\","), body);
    assertFalse(body.contains("source-library"), body);
  }

  @Test
  void readsStandardInputWhenNoFileIsGiven() throws Exception {
    InputStream stdin = new ByteArrayInputStream((IDENTIFY + "\n" + TRACK).getBytes(StandardCharsets.UTF_8));

    assertEquals(ImportResult.EXIT_OK, run(stdin, "--batch-size", "1", "--gzip"));

    List<RecordedRequest> requests = TestServer.requests(server);
    assertEquals(2, requests.size());
    assertEquals("gzip", requests.get(0).getHeaders().get("Content-Encoding"));
  }

  @Test
  void dryRunValidatesWithoutSendingOrCheckingTheEndpoint() throws Exception {
    Path file = input(IDENTIFY, "not json", TRACK);

    int code = run(none(), "--dry-run", file.toString());

    assertEquals(ImportResult.EXIT_REJECTED, code);
    assertEquals(0, server.getRequestCount());
    assertEquals(List.of(file + ":2: not a JSON object: the line starts with 'n'; each line must be one message, {...}"),
        Files.readAllLines(rejects));
    String summary = out();
    assertTrue(summary.contains("  valid          2\n"), summary);
    assertTrue(summary.contains("nothing was sent"), summary);
  }

  @Test
  void aDryRunIsNotPaced() throws Exception {
    String[] lines = new String[11];
    for (int i = 0; i < lines.length; i++) lines[i] = IDENTIFY.replace("u1", "u" + i);
    Path file = input(lines);
    long start = System.nanoTime();

    assertEquals(ImportResult.EXIT_OK, run(none(), "--dry-run", "--rate", "1", file.toString()));

    // Paced at one line per second, 11 lines take at least 10 s.
    long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertTrue(seconds < 9, seconds + " s");
    assertTrue(out().contains("  valid          11\n"), out());
  }

  @Test
  void refusesToRunWithoutAWriteKey() throws Exception {
    Path file = input(IDENTIFY);

    int code = execute(Map.of("ANALYTICS_WRITE_KEY", " "), none(), "--endpoint", server.url("/").toString(), file.toString());

    assertEquals(ImportResult.EXIT_USAGE, code);
    assertEquals("analytics4j import: no write key: set ANALYTICS_WRITE_KEY or pass --write-key-file (environment "
        + "variable ANALYTICS_WRITE_KEY is empty or unset)\n" + HINT + "\n", err());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void readsTheWriteKeyFromTheEnvironment() throws Exception {
    Path file = input(IDENTIFY);

    int code = execute(Map.of("MY_KEY", "abc123"), none(), "--endpoint", server.url("/").toString(),
        "--write-key-env", "MY_KEY", "--rejects", rejects.toString(), file.toString());

    assertEquals(ImportResult.EXIT_OK, code, err());
    assertEquals("Basic YWJjMTIzOg==", TestServer.requests(server).get(0).getHeaders().get("Authorization"));
    assertTrue(out().startsWith("analytics4j import complete: every line was delivered ("), out());
  }

  @Test
  void acceptsAByteOrderMarkInTheInputAndTheKeyFile() throws Exception {
    Files.write(keyFile, concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "abc123\r\n".getBytes(StandardCharsets.UTF_8)));
    Path file = dir.resolve("windows.ndjson");
    Files.write(file, concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, (IDENTIFY + "\r\n" + TRACK + "\r\n").getBytes(StandardCharsets.UTF_8)));

    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()), out());

    List<RecordedRequest> requests = TestServer.all(server, 0);
    for (RecordedRequest request : requests) {
      assertEquals("Basic YWJjMTIzOg==", request.getHeaders().get("Authorization"));
    }
    assertEquals(2, TestServer.messages(requests.stream().filter(r -> !TestServer.isCheck(r))
        .collect(Collectors.toList())).size());
  }

  @Test
  void readsAUtf16KeyFileAndRefusesAUtf16InputBeforeSending() throws Exception {
    Files.write(keyFile, concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "abc123\r\n".getBytes(StandardCharsets.UTF_16LE)));
    Path file = dir.resolve("powershell.ndjson");
    Files.write(file, concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, (IDENTIFY + "\r\n").getBytes(StandardCharsets.UTF_16LE)));

    assertEquals(ImportResult.EXIT_USAGE, run(none(), file.toString()));
    assertEquals("analytics4j import: input file " + file + ": the input is UTF-16 (it starts with a UTF-16 byte order "
        + "mark, as PowerShell 5 writes); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8\n" + HINT + "\n", err());
    assertEquals(0, server.getRequestCount());

    Path utf8 = input(IDENTIFY);
    assertEquals(ImportResult.EXIT_OK, run(none(), utf8.toString()), out());
    assertEquals("Basic YWJjMTIzOg==", TestServer.requests(server).get(0).getHeaders().get("Authorization"));

    Files.write(keyFile, new byte[] {'a', 0, 'b', '\n'});
    assertEquals(ImportResult.EXIT_USAGE, run(none(), utf8.toString()));
    assertEquals("analytics4j import: the write key from --write-key-file " + keyFile + " holds a control character or "
        + "invalid text; is it a text file?\n" + HINT + "\n", err());
  }

  @Test
  void numericIdsAreSentAsTextAndCounted() throws Exception {
    Path file = input("{\"type\":\"identify\",\"userId\":1042,\"timestamp\":\"2021-06-01T10:00:00Z\"}",
        "{\"type\":\"identify\",\"userId\":10.5,\"timestamp\":\"2021-06-01T10:00:00Z\"}");

    assertEquals(ImportResult.EXIT_REJECTED, run(none(), file.toString()), out());

    assertEquals("1042", TestServer.messages(TestServer.requests(server)).get(0).get("userId"));
    assertTrue(out().contains("  numeric ids    1  (numbers in id fields, sent as their decimal text)\n"), out());
    assertEquals(List.of(file + ":2: userId must be a string (or a whole number written in digits) but was a number 10.5"),
        Files.readAllLines(rejects));
  }

  @Test
  void aLineWithAHugeNumberIsRejectedAndTheRunGoesOn() throws Exception {
    Path file = input(IDENTIFY,
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\",\"properties\":{\"x\":1e9999999999}}",
        TRACK);

    assertEquals(ImportResult.EXIT_REJECTED, run(none(), file.toString()), out());

    assertEquals(2, TestServer.messages(TestServer.requests(server)).size());
    assertEquals(List.of(file + ":2: not valid JSON at character 96: the number at properties.x is out of range: 1e9999999999"),
        Files.readAllLines(rejects));
  }

  @Test
  void aLineWithATimestampOutsideYears0000To9999IsRejectedAloneAndItsBatchIsDelivered() throws Exception {
    // A strict collector refuses a whole request that carries a timestamp RFC 3339 cannot write; it
    // once cost the 249 good lines of a batch of 250 their delivery (exit 4).
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        return body.matches("(?s).*\"(timestamp|sentAt)\":\"(?!\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\").*")
            ? TestServer.status(400) : TestServer.ok();
      }
    });
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      String timestamp = i == 125 ? "+12023-01-01T00:00:00Z" : i == 126 ? "0000-01-01T00:00:00Z"
          : i == 127 ? "9999-12-31T23:59:59.999999999Z" : "2021-06-01T10:00:00Z";
      lines.add("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"timestamp\":\"" + timestamp + "\"}");
    }
    Path file = input(lines.toArray(new String[0]));

    assertEquals(ImportResult.EXIT_REJECTED, run(none(), file.toString()), out());

    List<Map<String, Object>> messages = TestServer.messages(TestServer.requests(server));
    assertEquals(249, messages.size());
    assertEquals("0000-01-01T00:00:00.000Z", messages.get(124).get("timestamp"));
    assertEquals("9999-12-31T23:59:59.999Z", messages.get(125).get("timestamp"));
    assertTrue(out().contains("  delivered      249\n"), out());
    assertTrue(out().contains("  rejected       1\n"), out());
    assertEquals(List.of(file + ":125: invalid message: timestamp must be in the years 0000 to 9999 (RFC 3339): "
        + "+12023-01-01T00:00:00Z"), Files.readAllLines(rejects));
  }

  @Test
  void theEndpointCheckIsTheClientsOwnEmptyBatchWithAMillisecondSentAt() throws Exception {
    Path file = input(IDENTIFY);

    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()), out());

    List<RecordedRequest> all = TestServer.all(server, 0);
    assertEquals(2, all.size());
    RecordedRequest check = all.get(0);
    RecordedRequest batch = all.get(1);
    assertTrue(TestServer.isCheck(check));
    assertTrue(check.getBody().utf8().matches("\\{\"batch\":\\[],\"sentAt\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
        + "\\.\\d{3}Z\",\"context\":\\{\"library\":\\{\"name\":\"analytics4j\",\"version\":\"[^\"]+\"}},"
        + "\"writeKey\":\"abc123\"}"), check.getBody().utf8());
    for (String header : List.of("Authorization", "User-Agent", "Content-Type")) {
      assertEquals(batch.getHeaders().get(header), check.getHeaders().get(header), header);
    }
    assertEquals(batch.getUrl(), check.getUrl());
  }

  // --rejects: never destroy anything

  @Test
  void refusesAnExistingRejectsFileUnlessAskedToOverwrite() throws Exception {
    Path file = input(IDENTIFY, "not json");
    Files.writeString(rejects, "yesterday's rejects\n");

    assertEquals(ImportResult.EXIT_USAGE, run(none(), file.toString()));
    assertEquals("analytics4j import: --rejects " + rejects + " already exists; move it away, give another path, or pass "
        + "--overwrite-rejects to replace it\n" + HINT + "\n", err());
    assertEquals("yesterday's rejects\n", Files.readString(rejects));
    assertEquals(0, server.getRequestCount());

    assertEquals(ImportResult.EXIT_REJECTED, run(none(), "--overwrite-rejects", file.toString()));
    assertEquals(List.of(file + ":2: not a JSON object: the line starts with 'n'; each line must be one message, {...}"),
        Files.readAllLines(rejects));
  }

  @Test
  void refusesARejectsPathThatIsAnInputEvenWithOverwrite() throws Exception {
    Path file = input(IDENTIFY);
    byte[] before = Files.readAllBytes(file);

    int code = execute(Map.of(), none(), "--endpoint", server.url("/").toString(), "--write-key-file", keyFile.toString(),
        "--rejects", file.toString(), "--overwrite-rejects", file.toString());

    assertEquals(ImportResult.EXIT_USAGE, code);
    assertEquals("analytics4j import: --rejects " + file + " is " + file + ", which the import reads; give another path\n"
        + HINT + "\n", err());
    assertArrayEquals(before, Files.readAllBytes(file));

    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--endpoint", server.url("/").toString(),
        "--write-key-file", keyFile.toString(), "--rejects", keyFile.toString(), "--overwrite-rejects", file.toString()));
    assertEquals("abc123\n", Files.readString(keyFile));

    assertEquals(ImportResult.EXIT_USAGE, run(none(), file.toString(), dir.resolve(".").resolve("events.ndjson").toString()));
    assertEquals("analytics4j import: input file " + dir.resolve(".").resolve("events.ndjson") + " is given twice\n"
        + HINT + "\n", err());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void refusesARejectsPathThatIsNotARegularFile() throws Exception {
    Path file = input(IDENTIFY);

    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--endpoint", server.url("/").toString(),
        "--write-key-file", keyFile.toString(), "--rejects", dir.toString(), "--overwrite-rejects", file.toString()));
    assertEquals("analytics4j import: --rejects " + dir + " is a directory; give a file path\n" + HINT + "\n", err());

    Path devNull = Path.of("/dev/null");
    if (Files.exists(devNull)) {
      assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--endpoint", server.url("/").toString(),
          "--write-key-file", keyFile.toString(), "--rejects", "/dev/null", "--overwrite-rejects", file.toString()));
      assertEquals("analytics4j import: --rejects /dev/null is not a regular file (a device, pipe or socket); give a "
          + "file path\n" + HINT + "\n", err());
      assertFalse(Files.isRegularFile(devNull));
    }
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void refusesARejectsPathInAMissingDirectoryBeforeSendingAnything() throws Exception {
    Path file = input(IDENTIFY, TRACK);
    Path missing = dir.resolve("no-such-dir").resolve("rejects.txt");

    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--endpoint", server.url("/").toString(),
        "--write-key-file", keyFile.toString(), "--rejects", missing.toString(), file.toString()));

    assertEquals("analytics4j import: --rejects " + missing + ": the directory " + missing.getParent()
        + " does not exist\n" + HINT + "\n", err());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void anEmptyInputSaysSoAndSendsNothing() throws Exception {
    Path file = input("", "  ");

    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()));
    assertTrue(out().startsWith("analytics4j import complete: the input holds no lines, nothing was sent ("), out());
    assertEquals(0, TestServer.requests(server).size());
  }

  @Test
  void aCleanRunAndADryRunLeaveNoRejectsFileBehind() throws Exception {
    Path file = input(IDENTIFY);

    assertEquals(ImportResult.EXIT_OK, run(none(), file.toString()));
    assertFalse(Files.exists(rejects));
    assertEquals(ImportResult.EXIT_OK, run(none(), "--dry-run", file.toString()));
    assertFalse(Files.exists(rejects));
    assertTrue(out().contains("  rejects file   none\n"), out());
  }

  // Fail fast and say why

  @Test
  void aRefusedWriteKeyStopsBeforeReadingAnything() throws Exception {
    server.enqueue(TestServer.status(401));
    Path file = input(IDENTIFY, TRACK);

    int code = run(none(), file.toString());

    assertEquals(ImportResult.EXIT_AUTH, code, out());
    assertEquals(1, server.getRequestCount());
    String summary = out();
    assertTrue(summary.startsWith("analytics4j import stopped: the endpoint refused the write key (HTTP 401); check the "
        + "key and --region (a US workspace's key is refused in the EU, and the reverse) ("), summary);
    assertTrue(summary.contains("  lines read     0  ("), summary);
    assertTrue(summary.contains("  stopped at     the start of " + file + "; nothing was read\n"), summary);
    assertTrue(summary.endsWith("  exit code      5\n"), summary);
    assertEquals("", err());
    assertFalse(Files.exists(rejects));
  }

  @Test
  void aRedirectOrAMissingPathStopsBeforeReading() throws Exception {
    Path file = input(IDENTIFY);
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(301).setHeader("Location", "https://x/").build());

    assertEquals(ImportResult.EXIT_ENDPOINT, run(none(), file.toString()), out());
    assertTrue(out().startsWith("analytics4j import stopped: POST " + server.url("/v1/batch") + " answered HTTP 301 (a "
        + "redirect, which the importer does not follow: is it https?); check --endpoint (give the host only: the "
        + "importer adds /v1/batch) ("), out());

    server.enqueue(TestServer.status(404));
    assertEquals(ImportResult.EXIT_ENDPOINT, run(none(), file.toString()), out());
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void anUnreachableEndpointStopsBeforeReading() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path file = input(IDENTIFY);

    int code = execute(Map.of(), none(), "--endpoint", "http://127.0.0.1:" + port, "--write-key-file", keyFile.toString(),
        "--rejects", rejects.toString(), "--max-downtime", "1", file.toString());

    assertEquals(ImportResult.EXIT_ENDPOINT, code, out());
    assertTrue(out().startsWith("analytics4j import stopped: the endpoint http://127.0.0.1:" + port + "/v1/batch did not "
        + "answer for 0:01 (connection refused); nothing was read; see --max-downtime ("), out());
    assertTrue(out().contains("  lines read     0  ("), out());
  }

  @Test
  void anUnknownHostStopsAtOnceWithoutWaitingForTheDowntimeBound() throws Exception {
    Path file = input(IDENTIFY);

    int code = execute(Map.of(), none(), "--endpoint", "http://no-such-host.invalid", "--write-key-file", keyFile.toString(),
        "--rejects", rejects.toString(), "--max-downtime", "3600", file.toString());

    assertEquals(ImportResult.EXIT_ENDPOINT, code, out());
    assertTrue(out().startsWith("analytics4j import stopped: POST http://no-such-host.invalid/v1/batch failed: unknown "
        + "host "), out());
    assertTrue(out().contains("; check --endpoint; nothing was read ("), out());
  }

  @Test
  void anEndpointGivenWithItsPathSaysWhatToGiveInstead() throws Exception {
    Path file = input(IDENTIFY);

    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--endpoint", "http://127.0.0.1:9/v1/batch",
        "--write-key-file", keyFile.toString(), "--rejects", rejects.toString(), file.toString()));

    assertEquals("analytics4j import: --endpoint takes the host only; the importer adds /v1/batch: try --endpoint "
        + "http://127.0.0.1:9\n" + HINT + "\n", err());
    assertFalse(err().contains("uploadUrl"));
  }

  @Test
  void refusesRatesThatMakeNoSenseEchoingThemAsTyped() throws Exception {
    Path file = input(IDENTIFY);
    for (String rate : List.of("0.0000001", "-1", "abc", "1e400", "NaN", "2000000")) {
      assertEquals(ImportResult.EXIT_USAGE, run(none(), "--rate", rate, file.toString()), rate);
      assertEquals("analytics4j import: --rate must be 0 (no limit) or from 1 to 1000000 messages per second: " + rate
          + "\n" + HINT + "\n", err());
    }
    assertEquals(0, server.getRequestCount());
    assertFalse(Files.exists(rejects));
  }

  @Test
  void aUsageErrorPrintsOneLineAndAHintNotTheWholeHelp() throws Exception {
    assertEquals(ImportResult.EXIT_USAGE, run(none(), "--batch-size", "lots"));
    assertEquals("analytics4j import: Invalid value for option '--batch-size': 'lots' is not an int\n" + HINT + "\n", err());

    assertEquals(ImportResult.EXIT_USAGE, run(none(), "--batch-size", "0"));
    assertEquals("analytics4j import: --batch-size must be in 1..2500: 0\n" + HINT + "\n", err());

    assertEquals(ImportResult.EXIT_USAGE, run(none(), "--charset", "UTF-16"));
    assertEquals("analytics4j import: --charset UTF-16 does not keep ASCII as it is; convert the input to UTF-8 first\n"
        + HINT + "\n", err());
  }

  @Test
  void tellsAMissingInputFromADirectory() throws Exception {
    Path missing = dir.resolve("missing.ndjson");

    assertEquals(ImportResult.EXIT_USAGE, run(none(), missing.toString()));
    assertEquals("analytics4j import: input file not found: " + missing + "\n" + HINT + "\n", err());

    assertEquals(ImportResult.EXIT_USAGE, run(none(), dir.toString()));
    assertEquals("analytics4j import: input file " + dir + " is a directory; give the files in it\n" + HINT + "\n", err());

    Path file = input(IDENTIFY);
    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--write-key-file", dir.toString(), file.toString()));
    assertEquals("analytics4j import: --write-key-file " + dir + " is a directory; give the path of the file that holds "
        + "the key\n" + HINT + "\n", err());
    assertEquals(ImportResult.EXIT_USAGE, execute(Map.of(), none(), "--write-key-file", missing.toString(), file.toString()));
    assertEquals("analytics4j import: --write-key-file not found: " + missing + "\n" + HINT + "\n", err());
    assertFalse(Files.exists(rejects));
  }

  private static List<Object> ids(List<Map<String, Object>> messages) {
    return messages.stream().map(m -> m.get("messageId")).collect(Collectors.toList());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
