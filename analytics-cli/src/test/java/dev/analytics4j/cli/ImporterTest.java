package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, failures, stops and interruption, driven through the importer's own API. */
class ImporterTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  @BeforeEach
  void answerOkWhenNothingIsScripted() {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.ok());
  }

  private Analytics.Builder client() {
    return Analytics.builder("abc123")
        .endpoint(server.url("/").toString())
        .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(20))
        .flushInterval(Duration.ofHours(1));
  }

  private RejectsFile rejects() throws Exception {
    return RejectsFile.open(dir.resolve("rejects.txt"), false, List.of());
  }

  private static String lines(int count) {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= count; i++) lines.append(line(i)).append('\n');
    return lines.toString();
  }

  private static String line(int i) {
    return "{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"Signed Up\",\"timestamp\":\"2020-01-0" + (i % 9 + 1) + "T00:00:00Z\"}";
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private static CompletableFuture<ImportResult> runAsync(Importer importer) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return importer.run();
      } catch (InterruptedException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Test
  void retriesAServerErrorAndDeliversEveryLine() throws Exception {
    server.enqueue(TestServer.status(503));
    Importer importer = Importer.builder(client()).source(Importer.Source.stream("in", stream(lines(3)))).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_OK, result.exitCode(), result.toString());
    assertEquals(3, result.delivered);
    List<RecordedRequest> requests = TestServer.requests(server);
    assertEquals(2, requests.size());
    assertNull(requests.get(0).getHeaders().get("X-Retry-Count"));
    assertEquals("1", requests.get(1).getHeaders().get("X-Retry-Count"));
    assertEquals(TestServer.messages(requests.subList(0, 1)), TestServer.messages(requests.subList(1, 2)));
  }

  @Test
  void aLineTheApiRefusedAloneIsRejectedWithTheAnswer() throws Exception {
    // Refused batches of more lines are narrowed down (NarrowingTest); one line is refused alone.
    server.enqueue(TestServer.status(400));
    Importer importer = Importer.builder(client()).source(Importer.Source.stream("in", stream(lines(1))))
        .rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_REJECTED, result.exitCode());
    assertEquals(1, result.rejected);
    assertEquals(List.of("in:1: refused by the endpoint: HTTP 400 is not retryable: {}"),
        Files.readAllLines(dir.resolve("rejects.txt")));
  }

  @Test
  void boundsLinesInFlightWithoutLosingAny() throws Exception {
    Importer importer = Importer.builder(client()).batchSize(7).maxInFlightLines(10)
        .source(Importer.Source.stream("in", stream(lines(100)))).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_OK, result.exitCode(), result.toString());
    assertEquals(100, result.delivered);
    assertEquals(100, TestServer.messages(TestServer.requests(server)).size());
  }

  @Test
  void cancelDeliversWhatWasReadAndNamesTheLastLineRead() throws Exception {
    // 8 messages on 10 lines: the summary must name the file's line, not the count of messages.
    String text = line(1) + "\n\n" + line(2) + "\n" + line(3) + "\n   \n" + line(4) + "\n" + line(5) + "\n" + line(6)
        + "\n" + line(7) + "\n" + line(8) + "\n";
    BlockingStream input = new BlockingStream(text);
    Importer importer = Importer.builder(client()).batchSize(100).shutdownTimeout(Duration.ofSeconds(30))
        .source(Importer.Source.stream("pipe", input)).build();
    CompletableFuture<ImportResult> run = runAsync(importer);
    try {
      assertTrue(input.drained.await(30, TimeUnit.SECONDS), "all lines read");
      importer.cancel();

      ImportResult result = run.get(60, TimeUnit.SECONDS);

      assertEquals(ImportResult.EXIT_SIGINT, result.exitCode());
      assertEquals(8, result.read);
      assertEquals(8, result.delivered);
      assertEquals(8, TestServer.messages(TestServer.requests(server)).size());
      assertEquals("pipe line 10; the lines after it were not read", result.stoppedAt);
      assertTrue(result.format().contains("  stopped at     pipe line 10; the lines after it were not read"), result.format());
    } finally {
      input.release.countDown();
    }
  }

  @Test
  void cancelListsEveryLineItDidNotDeliverInTheRejectsFile() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        answer.await(30, TimeUnit.SECONDS);
        return TestServer.ok();
      }
    });
    BlockingStream input = new BlockingStream(lines(5));
    Importer importer = Importer.builder(client()).batchSize(100).shutdownTimeout(Duration.ZERO)
        .source(Importer.Source.stream("pipe", input)).rejects(rejects()).build();
    CompletableFuture<ImportResult> run = runAsync(importer);
    try {
      assertTrue(input.drained.await(30, TimeUnit.SECONDS), "all lines read");
      importer.cancel(ImportResult.EXIT_SIGTERM);

      ImportResult result = run.get(60, TimeUnit.SECONDS);

      assertEquals(ImportResult.EXIT_SIGTERM, result.exitCode());
      assertEquals(5, result.read);
      assertEquals(0, result.delivered);
      assertEquals(5, result.notDelivered);
      List<String> rejected = Files.readAllLines(dir.resolve("rejects.txt"));
      assertEquals(5, rejected.size(), rejected.toString());
      for (int i = 1; i <= 5; i++) {
        // Cancelled before its request went out, or while it was on the wire with the answer held back.
        String before = "pipe:" + i + ": not delivered: the import stopped before it was sent (stopped by SIGTERM; "
            + "sent what was read)";
        String during = "pipe:" + i + ": not delivered: the import stopped while it was being sent, so it may have "
            + "arrived; a re-run sends it again with the same messageId (stopped by SIGTERM; sent what was read)";
        assertTrue(rejected.contains(before) || rejected.contains(during), rejected.toString());
      }
    } finally {
      answer.countDown();
      input.release.countDown();
    }
  }

  /**
   * Runs {@code importer} against a collector that holds every request until the run has ended, and
   * presses Ctrl-C once the first one is on the wire; returns the run's result.
   */
  private ImportResult cancelOnceARequestIsHeld(Importer importer) throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        received.countDown();
        answer.await(30, TimeUnit.SECONDS);
        return TestServer.ok();
      }
    });
    CompletableFuture<ImportResult> run = runAsync(importer);
    try {
      assertTrue(received.await(30, TimeUnit.SECONDS), "request on the wire");
      importer.cancel();
      return run.get(60, TimeUnit.SECONDS);
    } finally {
      answer.countDown();
    }
  }

  @Test
  void aRequestCutShortByTheStopDoesNotLeaveTheEndpointShownAsDown() throws Exception {
    Importer importer = Importer.builder(client()).shutdownTimeout(Duration.ZERO)
        .source(Importer.Source.stream("in", stream(lines(3)))).rejects(rejects()).build();
    ImportResult result = cancelOnceARequestIsHeld(importer);

    assertEquals(ImportResult.EXIT_SIGINT, result.exitCode(), result.format());
    assertEquals(3, result.notDelivered);
    // The last progress line is drawn after this: "endpoint down (transport closed)" would be untrue.
    assertNull(importer.progress().endpointProblem);
    assertTrue(Files.readAllLines(dir.resolve("rejects.txt")).get(0).contains("while it was being sent, so it may have "
        + "arrived"));
  }

  @Test
  void anErrorInTheReaderStopsTheRunVisibly() throws Exception {
    InputStream failing = failingAfter(lines(3), () -> new OutOfMemoryError("Java heap space"));
    Importer importer = Importer.builder(client()).source(Importer.Source.stream("in", failing))
        .source(Importer.Source.stream("never", stream(lines(2)))).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_INPUT, result.exitCode());
    assertTrue(result.balanced());
    assertEquals(3, result.read);
    assertEquals(3, result.delivered);
    assertEquals("ran out of memory (Java heap space; raise -Xmx) while reading in line 4", result.stop.reason);
    String summary = result.format();
    assertTrue(summary.startsWith("analytics4j import stopped reading: ran out of memory (Java heap space; raise -Xmx) "
        + "while reading in line 4 ("), summary);
    assertTrue(summary.contains("  stopped at     in line 4, which could not be read to its end; nothing after it "
        + "was read\n"), summary);
    assertFalse(summary.contains("complete"), summary);
  }

  /** Serves {@code text}, then fails as a disk or a network mount does. */
  private static InputStream failingAfter(String text) {
    return failingAfter(text, () -> new IOException("Input/output error"));
  }

  /** Serves {@code text}, then throws {@code failure}'s: an IOException or an Error. */
  private static InputStream failingAfter(String text, Supplier<Throwable> failure) {
    return new InputStream() {
      private final InputStream data = stream(text);

      @Override
      public int read() throws IOException {
        throw new AssertionError("not used");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = data.read(b, off, len);
        if (n >= 0) return n;
        Throwable t = failure.get();
        if (t instanceof IOException) throw (IOException) t;
        throw (Error) t;
      }
    };
  }

  /**
   * The checkpoint could not be written (its directory removed), which stops the run; a Ctrl-C
   * then still bounds the sending of what was read by the shutdown timeout.
   */
  @Test
  void cancelAfterTheCheckpointFailedStopsWithinTheShutdownTimeout() throws Exception {
    // Holds every request until closed: only a stop that ends the sending can end the run.
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Transport holding = new Transport() {
      @Override
      public Transport.Response send(Transport.Request request) throws IOException {
        received.countDown();
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("transport closed");
      }

      @Override
      public void close() {
        closed.countDown();
      }
    };
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path input = Files.writeString(dir.resolve("in.ndjson"), "\n" + lines(2));
    Checkpoint checkpoint = new Checkpoint(sub.resolve("cp.txt"), List.of(Checkpoint.identify(input)), "UTF-8",
        List.of("r.txt"), new FinalLines());
    checkpoint.create();
    Files.delete(sub.resolve("cp.txt"));
    Files.delete(sub); // the blank first line is final at once: writing that fails, and stops the run
    // Batches of 100 every hour: the one request goes out only after that stop.
    BlockingStream stream = new BlockingStream("\n" + lines(2));
    Importer importer = Importer.builder(client()).transport(holding).batchSize(100).maxInFlightLines(4)
        .shutdownTimeout(Duration.ZERO).source(Importer.Source.stream("in", stream)).rejects(rejects())
        .state(checkpoint, false, dir).build();
    CompletableFuture<ImportResult> run = runAsync(importer);
    ImportResult result;
    try {
      assertTrue(received.await(30, TimeUnit.SECONDS), "request on the wire");
      importer.cancel();
      result = run.get(60, TimeUnit.SECONDS);
    } finally {
      closed.countDown();
      stream.release.countDown();
    }

    assertEquals(ImportResult.EXIT_INPUT, result.exitCode(), result.format());
    assertTrue(result.stop.reason.startsWith("writing the checkpoint " + sub.resolve("cp.txt") + " failed ("),
        result.stop.reason);
    assertEquals(0, result.delivered);
    assertEquals(2, result.notDelivered);
  }

  /**
   * Reading broke, then the endpoint refused the key for what was read: exit 5 outranks 7, and no
   * batch after the refusal is sent (each would be one more 401).
   */
  @Test
  void aRefusedWriteKeyAfterAReadErrorStillStopsTheImportWithItsExitCode() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.status(401));
    // Nothing is sent before reading ends (flushInterval 1 h, batches of 100): the input's stop comes first.
    Importer importer = Importer.builder(client()).batchSize(100).maxInFlightLines(100)
        .source(Importer.Source.stream("in", failingAfter(lines(3)))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_AUTH, result.exitCode(), result.format());
    assertEquals(1, server.getRequestCount());
    assertEquals(3, result.notDelivered);
    assertEquals("in line 4, which could not be read to its end; nothing after it was read", result.stoppedAt);
    assertTrue(result.format().startsWith("analytics4j import stopped: the endpoint refused the write key (HTTP 401)"),
        result.format());
  }

  /** Ctrl-C after a read error bounds the sending by the shutdown timeout, as after any other stop. */
  @Test
  void cancelAfterAReadErrorStopsWithinTheShutdownTimeout() throws Exception {
    Importer importer = Importer.builder(client()).batchSize(100).shutdownTimeout(Duration.ZERO)
        .source(Importer.Source.stream("in", failingAfter(lines(3)))).rejects(rejects()).build();
    // The batch goes out once reading has ended, with the read error.
    ImportResult result = cancelOnceARequestIsHeld(importer);

    assertEquals(ImportResult.EXIT_SIGINT, result.exitCode(), result.format());
    assertEquals(0, result.delivered);
    assertEquals(3, result.notDelivered);
    assertEquals("in line 4, which could not be read to its end; nothing after it was read", result.stoppedAt);
  }

  @Test
  void aRefusedWriteKeyStopsTheImportAtTheFirstAnswer() throws Exception {
    server.enqueue(TestServer.status(401));
    Importer importer = Importer.builder(client()).batchSize(10).maxInFlightLines(10)
        .source(Importer.Source.stream("in", stream(lines(1000)))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_AUTH, result.exitCode(), result.format());
    assertEquals(1, server.getRequestCount());
    assertEquals(0, result.delivered);
    assertEquals(0, result.rejected);
    assertTrue(result.read == 10 || result.read == 11, result.toString()); // the 11th may be waiting for room
    assertEquals(result.read, result.notDelivered);
    assertTrue(result.format().startsWith("analytics4j import stopped: the endpoint refused the write key (HTTP 401); "
        + "check the key and --region"), result.format());
    assertEquals(result.read, Files.readAllLines(dir.resolve("rejects.txt")).size());
  }

  @Test
  void anEndpointThatRefusesEveryBatchStopsTheImport() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.status(413));
    Importer importer = Importer.builder(client()).batchSize(2).maxInFlightLines(20)
        .source(Importer.Source.stream("in", stream(lines(1000)))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertEquals("the endpoint refused the last 10 requests in a row and delivered none between them (last answer: "
        + "HTTP 413; the rejects file has each line with the answer)", result.stop.reason);
    // Ten, and those already on the wire when the tenth answer came (up to four at once), and
    // halves of refused batches sent on their own (Narrower): at most eight per batch.
    assertTrue(server.getRequestCount() <= 20 + Narrower.MAX_REFUSED_BEFORE_DELIVERY,
        "requests: " + server.getRequestCount());
    assertEquals(0, result.delivered);
    // A line refused alone is rejected with the answer; the others were not delivered.
    assertEquals(result.read, result.rejected + result.notDelivered);
    assertTrue(result.read < 100, result.toString());
    assertEquals(result.read, Files.readAllLines(dir.resolve("rejects.txt")).size());
  }

  @Test
  void anEndpointDownLongerThanTheBoundStopsTheImport() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.status(503));
    Importer importer = Importer.builder(client()).maxDowntime(Duration.ofSeconds(1))
        .source(Importer.Source.stream("in", stream(lines(5)))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertEquals(5, result.notDelivered);
    // One attempt or several, as a loaded machine schedules them within the second.
    assertTrue(result.stop.reason.matches("the endpoint has been down for more than 0:01 \\(HTTP 503, (1 failed "
        + "attempt|\\d+ failed attempts)\\); see --max-downtime"), result.stop.reason);
    List<String> rejected = Files.readAllLines(dir.resolve("rejects.txt"));
    assertEquals(5, rejected.size());
    // Stopped between retries or during one (it may have arrived).
    assertTrue(rejected.get(0).matches("in:\\d: not delivered: the import stopped (while it waited to be sent again "
        + "after HTTP 503|while it was being sent, so it may have arrived; a re-run sends it again with the same "
        + "messageId) \\(the endpoint "
        + "has been down for more than 0:01 \\(HTTP 503, \\d+ failed attempts\\); see --max-downtime\\)"),
        rejected.get(0));
  }

  @Test
  void anEndpointThatRefusesEveryRequestStopsAfterTenRequestsHoweverFewLinesEachHolds() throws Exception {
    // A slow pipe or a --rate sends batches of a line or two: counting refused lines against ten
    // full batches (2,500 lines at the default size) would keep a dead import going for hours.
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.status(413));
    Semaphore answered = new Semaphore(0);
    Dispatcher refuse = server.getDispatcher();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        try {
          return refuse.dispatch(request);
        } finally {
          answered.release();
        }
      }
    });
    // One line at a time, the next only once the server has had the one before: one line per request.
    InputStream paced = new InputStream() {
      private int served;

      @Override
      public int read() {
        throw new AssertionError("not used");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          if (served == 200 || (served > 0 && !answered.tryAcquire(30, TimeUnit.SECONDS))) return -1;
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        byte[] line = (line(++served) + "\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(line, 0, b, off, line.length);
        return line.length;
      }
    };
    Importer importer = Importer.builder(client().flushInterval(Duration.ofMillis(5))).batchSize(250)
        .source(Importer.Source.stream("pipe", paced)).rejects(rejects()).build();

    ImportResult result;
    try {
      result = importer.run();
    } finally {
      answered.release(1_000); // a reader left blocked after the stop ends at once
    }

    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertTrue(result.stop.reason.startsWith("the endpoint refused the last 10 requests in a row"), result.stop.reason);
    // Ten, and those already on the wire when the tenth answer came back (up to four at once): the
    // server hands out the next line as soon as it has a request, before its answer arrives.
    assertTrue(server.getRequestCount() >= 10 && server.getRequestCount() <= 20, "requests: " + server.getRequestCount());
    assertEquals(0, result.delivered);
    // Each request held one line: refused alone, it is rejected with the answer.
    assertEquals(result.read, result.rejected + result.notDelivered);
    assertTrue(result.read <= 21, result.toString());
  }

  @Test
  void anHttpClientThatFailsEveryRequestStopsTheImport() throws Exception {
    Importer importer = Importer.builder(client()).batchSize(2).maxInFlightLines(20)
        .transport(request -> {
          throw new IllegalStateException("no TLS provider");
        })
        .source(Importer.Source.stream("in", stream(lines(1000)))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertEquals("the HTTP client failed on the last 10 requests in a row (IllegalStateException; the rejects file "
        + "has each line with the error)", result.stop.reason);
    assertEquals(0, result.delivered);
    assertEquals(result.read, result.notDelivered);
    assertTrue(result.read < 100, result.toString());
    assertTrue(Files.readAllLines(dir.resolve("rejects.txt")).contains("in:1: not delivered: transport failed: "
        + "java.lang.IllegalStateException: no TLS provider after 1 attempt(s)"));
  }

  @Test
  void showsTheRetryCountdownWhileTheEndpointIsDown() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "30").body("{}").build());
    AtomicLong now = new AtomicLong();
    Importer importer = Importer.builder(client()).shutdownTimeout(Duration.ZERO).clock(now::get)
        .source(Importer.Source.stream("in", stream(lines(3)))).rejects(rejects()).build();
    CompletableFuture<ImportResult> run = runAsync(importer);
    try {
      // The client waits 30 s as the 503 asks; the watch learns of it from retryScheduled.
      awaitUntil(() -> retryKnown(importer)); // requestEnd comes first, then retryScheduled

      Progress.Snapshot s = importer.progress();
      assertEquals("HTTP 503, retry 1 in 30 s", s.endpointProblem);
      assertFalse(s.throttled);
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(12_300));
      s = importer.progress();
      assertEquals("HTTP 503, retry 1 in 18 s", s.endpointProblem);
      assertEquals(TimeUnit.MILLISECONDS.toNanos(12_300), s.downNanos);
    } finally {
      importer.cancel();
    }

    ImportResult result = run.get(60, TimeUnit.SECONDS);
    assertEquals(ImportResult.EXIT_SIGINT, result.exitCode(), result.format());
    assertEquals(3, result.notDelivered);
    assertEquals(1, server.getRequestCount());
    // It was sent once and answered: "before it was sent" would not be true.
    assertEquals("in:1: not delivered: the import stopped while it waited to be sent again after HTTP 503 (stopped by "
        + "Ctrl-C; sent what was read)", Files.readAllLines(dir.resolve("rejects.txt")).stream().sorted()
        .findFirst().orElseThrow());
  }

  @Test
  void anEndpointThatRateLimitsEveryRequestLongerThanTheBoundStopsTheImport() throws Exception {
    // It answers, so it is not down; but it accepts nothing, and a run waiting on it would never end.
    ((QueueDispatcher) server.getDispatcher()).setFailFast(
        new MockResponse.Builder().code(429).addHeader("Retry-After", "30").body("{}").build());
    AtomicLong now = new AtomicLong();
    Importer importer = Importer.builder(client()).maxDowntime(Duration.ofSeconds(120)).clock(now::get)
        .source(Importer.Source.stream("in", stream(lines(3)))).rejects(rejects()).build();
    CompletableFuture<ImportResult> run = runAsync(importer);
    try {
      awaitUntil(() -> retryKnown(importer)); // requestEnd comes first, then retryScheduled
      assertEquals("HTTP 429, retry 1 in 30 s", importer.progress().endpointProblem);
      assertTrue(importer.progress().throttled);
    } catch (Throwable e) {
      importer.cancel();
      throw e;
    }
    now.addAndGet(TimeUnit.SECONDS.toNanos(121));

    ImportResult result = run.get(60, TimeUnit.SECONDS);
    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertEquals("the endpoint has rate-limited every request for more than 2:00 (HTTP 429, 1 failed attempt); "
        + "see --max-downtime", result.stop.reason);
    assertEquals(3, result.notDelivered);
    assertEquals(List.of(
        "in:1: not delivered: the import stopped while it waited to be sent again after HTTP 429 (" + result.stop.reason + ")",
        "in:2: not delivered: the import stopped while it waited to be sent again after HTTP 429 (" + result.stop.reason + ")",
        "in:3: not delivered: the import stopped while it waited to be sent again after HTTP 429 (" + result.stop.reason + ")"),
        Files.readAllLines(dir.resolve("rejects.txt")).stream().sorted().collect(java.util.stream.Collectors.toList()));
  }

  private static boolean retryKnown(Importer importer) {
    String problem = importer.progress().endpointProblem;
    return problem != null && problem.contains(", retry ");
  }

  /**
   * Waits for a state the client's threads reach; what the test then asserts is exact. A bounded
   * wait for a condition, never a sleep standing in for one.
   */
  private static void awaitUntil(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() - deadline < 0, "not reached within 30 s");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /**
   * The second input was removed (a log rotation, a cleanup) while the first was sent: the summary
   * says so, and that nothing of it was read, instead of "b.ndjson: b.ndjson" and a line 1 cut short.
   */
  @Test
  void anInputGoneBeforeItsTurnStopsTheRunSayingWhatHappened() throws Exception {
    Path first = Files.writeString(dir.resolve("a.ndjson"), lines(2));
    Path second = Files.writeString(dir.resolve("b.ndjson"), lines(2));
    Importer importer = Importer.builder(client()).source(Importer.Source.file(first))
        .source(Importer.Source.file(second)).build();
    Files.delete(second);

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_INPUT, result.exitCode(), result.format());
    assertEquals(2, result.delivered);
    assertEquals(second + ": cannot be opened: it is gone (removed or renamed since the import started)",
        result.stop.reason);
    assertEquals("the start of " + second + "; nothing was read", result.stoppedAt);
  }

  @Test
  void anEndlessLineStopsTheRunWithAnError() throws Exception {
    InputStream zeros = new InputStream() {
      @Override
      public int read() {
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 0);
        return len;
      }
    };
    Importer importer = Importer.builder(client()).maxLineBytes(1024, 64 * 1024)
        .source(Importer.Source.stream("zero", zeros)).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_INPUT, result.exitCode());
    assertTrue(result.stop.reason.startsWith("zero: line 1 has no line end after "), result.stop.reason);
    assertTrue(result.stop.reason.endsWith(" bytes (is the input newline-delimited JSON?)"), result.stop.reason);
    assertTrue(result.format().contains("  stopped at     zero line 1, which could not be read to its end; nothing "
        + "after it was read\n"), result.format());
    assertEquals(0, result.read);
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void anOversizeLineIsRejectedAndTheRunGoesOn() throws Exception {
    String text = line(1) + "\n" + "x".repeat(5000) + "\n" + line(2) + "\n";
    Importer importer = Importer.builder(client()).maxLineBytes(1024, 64 * 1024)
        .source(Importer.Source.stream("in", stream(text))).rejects(rejects()).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_REJECTED, result.exitCode());
    assertEquals(2, result.delivered);
    assertEquals(List.of("in:2: oversize: the line is 5,000 bytes, over the limit of 1,024 (a message may be at most "
        + "32,000 bytes)"), Files.readAllLines(dir.resolve("rejects.txt")));
  }

  /** Serves its text, then blocks like a pipe whose writer has gone quiet. */
  private static final class BlockingStream extends InputStream {
    final CountDownLatch drained = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final ByteArrayInputStream data;

    BlockingStream(String text) {
      this.data = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (data.available() > 0) return data.read(b, off, len);
      drained.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return -1;
    }
  }
}
