package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jetbrains.annotations.NotNull;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --resume and --checkpoint through the command: what is sent again, what is refused, which files are kept. */
class ResumeTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  /** Batches answered 200 before the server answers 401 to every batch; the endpoint check always passes. */
  private final AtomicInteger goodBatches = new AtomicInteger(Integer.MAX_VALUE);
  private final List<List<String>> deliveredBatches = new ArrayList<>();
  private Path checkpoint;

  @BeforeEach
  void setUp() {
    checkpoint = dir.resolve("checkpoint.txt");
    server.setDispatcher(new Dispatcher() {
      @Override
      public @NotNull MockResponse dispatch(@NotNull RecordedRequest request) {
        if (TestServer.isCheck(request)) return TestServer.ok();
        if (goodBatches.getAndDecrement() <= 0) return TestServer.status(401);
        try {
          List<String> ids = TestServer.messages(List.of(request)).stream().map(m -> (String) m.get("messageId"))
              .collect(Collectors.toList());
          synchronized (deliveredBatches) {
            deliveredBatches.add(ids);
          }
        } catch (Exception e) {
          return TestServer.status(500);
        }
        return TestServer.ok();
      }
    });
  }

  private int run(InputStream stdin, String... args) throws Exception {
    out.reset();
    err.reset();
    Path key = Files.writeString(dir.resolve("key"), "abc123\n");
    List<String> all = new ArrayList<>(List.of("import", "--endpoint", server.url("/").toString(),
        "--write-key-file", key.toString(), "--checkpoint", checkpoint.toString(), "--batch-size", "10"));
    all.addAll(List.of(args));
    ImportCommand command = new ImportCommand(Map.of(), stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, importer -> {});
    return Main.commandLine(command).execute(all.toArray(new String[0]));
  }

  private List<String> delivered() {
    synchronized (deliveredBatches) {
      List<String> all = new ArrayList<>();
      deliveredBatches.forEach(all::addAll);
      deliveredBatches.clear();
      return all;
    }
  }

  private static String track(int i) {
    return "{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\"}";
  }

  /** 200 lines: distinct ones, exact repeats of earlier ones, an invalid line every 25, a blank line every 40. */
  private static List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (i % 25 == 24) {
        lines.add("{broken " + i);
      } else if (i % 40 == 39) {
        lines.add("");
      } else {
        lines.add(i % 7 == 6 ? track(i / 2) : track(i));
      }
    }
    return lines;
  }

  /** Line number (from 1) to the id one uninterrupted run gives it. */
  private static Map<Integer, String> idsByLineNumber(List<String> lines) {
    Map<Integer, String> ids = new java.util.HashMap<>();
    try (MessageIds messageIds = new MessageIds()) {
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.startsWith("{\"type\"")) ids.put(i + 1, messageIds.idFor(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return ids;
  }

  private static List<String> idsOfOneRun(List<String> lines) {
    List<String> ids = new ArrayList<>();
    try (MessageIds messageIds = new MessageIds()) {
      for (String line : lines) {
        if (line.startsWith("{\"type\"")) ids.add(messageIds.idFor(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return ids;
  }

  @Test
  void aStoppedRunResumedSendsOnlyWhatWasNotDeliveredWithTheSameIds() throws Exception {
    List<String> lines = lines();
    Path events = Files.writeString(dir.resolve("events.ndjson"), String.join("\n", lines) + "\n");
    Path rejects = dir.resolve("rejects.txt");
    goodBatches.set(6);

    assertEquals(ImportResult.EXIT_AUTH, run(InputStream.nullInputStream(), "--rejects", rejects.toString(),
        events.toString()), out.toString());
    List<String> first = delivered();
    assertEquals(60, first.size());
    assertTrue(out.toString().contains("  checkpoint     " + checkpoint + " (continue with --resume"), out.toString());
    assertTrue(Files.exists(checkpoint));
    String firstRejects = Files.readString(rejects);

    // Started over by mistake: refused, nothing sent, nothing touched.
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--rejects", dir.resolve("other.txt").toString(),
        events.toString()));
    assertTrue(err.toString().contains("an unfinished import left its checkpoint at " + checkpoint
        + ": continue it with --resume"), err.toString());
    assertTrue(delivered().isEmpty());

    goodBatches.set(Integer.MAX_VALUE);
    int code = run(InputStream.nullInputStream(), "--resume", events.toString());
    List<String> second = delivered();
    String summary = out.toString();
    // The first run may or may not have read (and so rejected) every invalid line before the 401.
    long invalid = lines.stream().filter(l -> l.startsWith("{broken")).count();
    long rejectedFirst = firstRejects.lines().filter(l -> l.contains("not valid JSON")).count();
    assertEquals(rejectedFirst < invalid ? ImportResult.EXIT_REJECTED : ImportResult.EXIT_OK, code, summary);

    // Together the ids of one uninterrupted run. Sent twice only lines the 401 caught on the wire,
    // whose answer the stop cut off: the first run listed them as possibly arrived.
    List<String> expected = idsOfOneRun(lines);
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    assertEquals(new HashSet<>(expected), new HashSet<>(all));
    Set<String> both = new HashSet<>(first);
    both.retainAll(second);
    Map<Integer, String> idOfLine = idsByLineNumber(lines);
    Set<String> mayHaveArrived = firstRejects.lines().filter(l -> l.contains("so it may have arrived"))
        .map(l -> idOfLine.get(Integer.parseInt(l.substring(events.toString().length() + 1, l.indexOf(": ")))))
        .collect(Collectors.toSet());
    assertTrue(mayHaveArrived.containsAll(both), both + " " + mayHaveArrived);
    assertEquals(expected.size() + both.size(), all.size());

    long nonBlank = lines.stream().filter(l -> !l.isEmpty()).count();
    assertTrue(summary.contains(String.format("  lines read     %d  (", nonBlank)), summary);
    assertTrue(summary.contains("  delivered      " + second.size() + "\n"), summary);
    long skipped = first.size() - both.size() + rejectedFirst; // what the first run saw settle for good
    assertTrue(summary.contains("  rejected       " + (invalid - rejectedFirst) + "\n"), summary);
    assertTrue(summary.contains("  skipped        " + skipped + "  (delivered or rejected by an earlier run"), summary);
    assertTrue(summary.contains("  checkpoint     removed (every line has its final fate"), summary);
    assertFalse(Files.exists(checkpoint));
    // The first run's rejects file as it was; the resumed run's in one of its own, listing the
    // invalid lines the first run never reached.
    assertEquals(firstRejects, Files.readString(rejects));
    Path own = dir.resolve("rejects.resume-1.txt");
    List<String> listed = new ArrayList<>(Files.readAllLines(rejects));
    if (rejectedFirst < invalid) {
      assertTrue(summary.contains("  rejects file   " + own), summary);
      listed.addAll(Files.readAllLines(own));
    } else {
      assertTrue(summary.contains("  rejects file   none"), summary);
      assertFalse(Files.exists(own));
    }
    assertEquals(invalid, listed.stream().filter(l -> l.contains("not valid JSON")).count(), listed.toString());
  }

  @Test
  void aChangedInputIsRefused() throws Exception {
    Path events = Files.writeString(dir.resolve("events.ndjson"), String.join("\n", lines()) + "\n");
    goodBatches.set(2);
    assertEquals(ImportResult.EXIT_AUTH, run(InputStream.nullInputStream(), "--rejects", dir.resolve("r.txt").toString(),
        events.toString()));
    String saved = Files.readString(checkpoint);
    FileTime time = Files.getLastModifiedTime(events);

    Files.writeString(events, track(999) + "\n", StandardOpenOption.APPEND);
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", events.toString()));
    assertTrue(err.toString().contains("--resume: input " + events + " is not the file the import read as input 1 ("
        + events.toAbsolutePath() + "), or changed since: its size was "), err.toString());
    assertTrue(err.toString().contains("start over without --resume (remove " + checkpoint + ")"), err.toString());

    // Back to its size, one byte other, the time set back: the sampled hash tells.
    Files.writeString(events, String.join("\n", lines()).replace("\"u1\"", "\"v1\"") + "\n");
    Files.setLastModifiedTime(events, time);
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", events.toString()));
    assertTrue(err.toString().contains("its content differs"), err.toString());

    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", "--charset", "ISO-8859-1",
        events.toString()));
    assertTrue(err.toString().contains("--resume: the import was read as UTF-8; pass --charset UTF-8"), err.toString());

    assertEquals(saved, Files.readString(checkpoint));
    assertTrue(delivered().size() == 20);
  }

  @Test
  void refusesStdinAnotherFileAndAnEarlierRunsRejects() throws Exception {
    assertEquals(ImportResult.EXIT_USAGE, run(new ByteArrayInputStream(new byte[0]), "--resume"));
    assertTrue(err.toString().contains("--resume cannot continue standard input: it cannot be read again from where it "
        + "stopped; save it to a file and import the file"), err.toString());
    assertEquals(ImportResult.EXIT_USAGE, run(new ByteArrayInputStream(new byte[0]), "--resume", "-"));

    Path events = Files.writeString(dir.resolve("events.ndjson"), track(1) + "\n");
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", events.toString()));
    assertTrue(err.toString().contains("--checkpoint " + checkpoint + " not found"), err.toString());

    // A file of the user's at the checkpoint's path: never replaced.
    Files.writeString(checkpoint, "my notes\n");
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--rejects", dir.resolve("r.txt").toString(),
        events.toString()));
    assertTrue(err.toString().contains("--checkpoint " + checkpoint + " exists and is not a checkpoint"), err.toString());
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", events.toString()));
    assertTrue(err.toString().contains("is not a checkpoint of this importer"), err.toString());
    assertEquals("my notes\n", Files.readString(checkpoint));
    assertFalse(Files.exists(dir.resolve("r.txt")));

    Files.delete(checkpoint);
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--rejects", checkpoint.toString(), events.toString()));
    assertTrue(err.toString().contains("--rejects and --checkpoint name the same file"), err.toString());
    assertFalse(Files.exists(checkpoint));
    Path rejects = dir.resolve("rejects.txt");
    goodBatches.set(0);
    assertEquals(ImportResult.EXIT_AUTH, run(InputStream.nullInputStream(), "--rejects", rejects.toString(), events.toString()));
    String listed = Files.readString(rejects);
    assertEquals(ImportResult.EXIT_USAGE, run(InputStream.nullInputStream(), "--resume", "--rejects", rejects.toString(),
        "--overwrite-rejects", events.toString()));
    assertTrue(err.toString().contains("--rejects " + rejects + " is the rejects file of an earlier run of this import, "
        + "which is kept"), err.toString());
    assertEquals(listed, Files.readString(rejects));
  }

  /** Standard input keeps no checkpoint (it cannot be resumed), and a complete run leaves none. */
  @Test
  void stdinAndCompleteRunsLeaveNoCheckpoint() throws Exception {
    assertEquals(ImportResult.EXIT_OK, run(new ByteArrayInputStream((track(1) + "\n").getBytes(StandardCharsets.UTF_8)),
        "--rejects", dir.resolve("r.txt").toString()));
    assertFalse(Files.exists(checkpoint));
    assertFalse(out.toString().contains("checkpoint"), out.toString());
    Path events = Files.writeString(dir.resolve("events.ndjson"), track(2) + "\n");
    assertEquals(ImportResult.EXIT_OK, run(InputStream.nullInputStream(), "--rejects", dir.resolve("r.txt").toString(),
        events.toString()));
    assertFalse(Files.exists(checkpoint));
    assertEquals(2, delivered().size());
  }

  /** A gzip input (two members, named .txt), stopped and resumed like any other. */
  @Test
  void aGzipInputIsReadByItsContentAndResumes() throws Exception {
    List<String> lines = lines();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (List<String> half : List.of(lines.subList(0, 77), lines.subList(77, lines.size()))) {
      try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
        gzip.write((String.join("\n", half) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    Path events = Files.write(dir.resolve("events.txt"), bytes.toByteArray());
    goodBatches.set(4);
    assertEquals(ImportResult.EXIT_AUTH, run(InputStream.nullInputStream(), "--rejects", dir.resolve("r.txt").toString(),
        events.toString()));
    List<String> first = delivered();
    goodBatches.set(Integer.MAX_VALUE);
    // 3, or 0 when the first run had read, and rejected, every invalid line before the 401.
    int code = run(InputStream.nullInputStream(), "--resume", events.toString());
    assertTrue(code == ImportResult.EXIT_REJECTED || code == ImportResult.EXIT_OK, out.toString());
    List<String> all = new ArrayList<>(first);
    all.addAll(delivered());
    assertEquals(new HashSet<>(idsOfOneRun(lines)), new HashSet<>(all));
  }
}
