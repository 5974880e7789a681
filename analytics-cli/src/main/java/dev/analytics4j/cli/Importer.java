package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import dev.analytics4j.okhttp.OkHttpTransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Streams newline-delimited JSON messages from its sources through an {@link Analytics} client,
 * and accounts for every line it read.
 *
 * <p>The numbers come from the client's per-message {@link Callback} reports, which arrive exactly
 * once per accepted message, and from the reader itself for lines that never reached the client.
 * At the end, lines read must equal delivered + rejected + not delivered; {@link ImportResult}
 * refuses to report an outcome when they do not.
 *
 * <p>Memory stays bounded whatever the input size: at most {@code maxInFlightLines} lines are held
 * between reading and their outcome, and the client's queue can hold all of them, so {@code offer}
 * does not drop for lack of room. A permit is taken per line and given back from the callback.
 *
 * <p>The run stops early, and says so, when the endpoint refuses the write key (401, 403), answers
 * 404 or a redirect, or refuses ten requests in a row, all learned from the client's
 * {@link AnalyticsListener} as each answer arrives; when it has accepted nothing for longer than
 * {@code maxDowntime} (down or rate-limiting, as {@link EndpointWatch} tracks); when an input
 * cannot be read to its end; and on {@link #cancel(int)} (Ctrl-C, SIGTERM), which still sends what
 * was read within {@code shutdownTimeout}.
 */
final class Importer {
  private static final int MAX_MESSAGE_BYTES = 32_000;
  private static final int MAX_IN_FLIGHT_REQUESTS = 4;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Requests refused in a row, none delivered between them, that stop the run. */
  static final int MAX_REFUSED_IN_A_ROW = 10;
  /** The endpoint check is one small request: an answer slower than this is no answer. */
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

  private final Analytics.Builder client;
  private final Transport transport;
  private final @Nullable String checkUrl;
  private final @Nullable String checkWriteKey;
  private final boolean gzip;
  private final boolean dryRun;
  private final List<Source> sources;
  private final @Nullable RejectsFile rejects;
  private final Charset charset;
  private final double rate;
  private final int batchSize;
  private final int maxInFlightLines;
  private final int maxLineBytes;
  private final long maxSkipBytes;
  private final Duration shutdownTimeout;
  private final Duration maxDowntime;
  private final LineParser parser = new LineParser();
  private final MessageIds ids = new MessageIds();

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean rejectsClosed = new AtomicBoolean();
  private final AtomicReference<ImportResult.@Nullable Stop> stop = new AtomicReference<>();
  /** Opened by a stop or by the reader's end, so the waiting thread wakes at once. */
  private final CountDownLatch wake = new CountDownLatch(1);
  private final CountDownLatch readerDone = new CountDownLatch(1);
  private final Semaphore permits;
  private final Map<String, Deque<LineRef>> inFlight = new HashMap<>();
  private final ImportTransport importTransport;
  private final EndpointWatch watch;

  private final AtomicLong read = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong notDelivered = new AtomicLong();
  private final AtomicLong numericIds = new AtomicLong();
  /**
   * Requests refused (a 4xx the client does not retry) or failed in the HTTP client since the last
   * one that delivered.
   */
  private final AtomicLong refusedInARow = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final long totalBytes;
  private volatile long startNanos;
  /** Set by the reader: the input and line it is at, for a summary that stops early. */
  private volatile String currentSource = "";
  private volatile long currentLine;
  private volatile boolean midLine;
  /** The line an Error struck while it was being processed; 0 when it struck between lines. */
  private volatile long failedLine;
  /** Whether reading stopped inside a line (an I/O error or an Error while reading it). */
  private volatile boolean brokenLine;
  private volatile boolean allRead;
  /** Copies of the reader's {@link MessageIds} counts, for a summary taken while it is blocked. */
  private volatile long repeats;
  private volatile long repeatedIds;
  /** When the next line may be offered under {@code rate}; only the reader thread uses it. */
  private long nextSlot;

  private Importer(Builder builder) {
    this.client = builder.client;
    this.transport = builder.transport != null ? builder.transport
        : new OkHttpTransportFactory().create(Duration.ofSeconds(10), Duration.ofSeconds(30));
    this.checkUrl = builder.checkUrl;
    this.checkWriteKey = builder.checkWriteKey;
    this.gzip = builder.gzip;
    this.dryRun = builder.dryRun;
    this.sources = List.copyOf(builder.sources);
    this.rejects = builder.rejects;
    this.charset = builder.charset;
    this.rate = builder.rate;
    this.batchSize = builder.batchSize;
    this.maxInFlightLines = builder.maxInFlightLines;
    this.maxLineBytes = builder.maxLineBytes;
    this.maxSkipBytes = builder.maxSkipBytes;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.maxDowntime = builder.maxDowntime;
    this.permits = new Semaphore(maxInFlightLines);
    this.importTransport = new ImportTransport(transport, gzip);
    this.watch = new EndpointWatch(builder.clock);
    long total = 0;
    for (Source source : sources) {
      if (source.size < 0) {
        total = -1;
        break;
      }
      total += source.size;
    }
    this.totalBytes = total;
  }

  static Builder builder(Analytics.Builder client) {
    return new Builder(client);
  }

  /** Stops as Ctrl-C does; see {@link #cancel(int)}. */
  void cancel() {
    cancel(ImportResult.EXIT_SIGINT);
  }

  /**
   * Stops reading and sends what was read within the shutdown timeout; {@link #run()} then returns
   * a result with {@code exitCode}. Safe from any thread (a signal handler), any number of times.
   */
  void cancel(int exitCode) {
    String what = exitCode == ImportResult.EXIT_SIGTERM ? "SIGTERM" : "Ctrl-C";
    stop(new ImportResult.Stop(ImportResult.Stop.Kind.INTERRUPTED, "stopped by " + what
        + "; sent what was read", exitCode));
  }

  /**
   * For a process about to halt without a summary (a second Ctrl-C): writes out the rejects file
   * as far as it goes and says what it does not list. Returns the words for stderr.
   */
  String abandon() {
    if (rejects != null) rejects.flush();
    long unsettled = read.get() - delivered.get() - rejected.get() - notDelivered.get();
    return String.format(Locale.ROOT, "%,d line(s) read, %,d delivered; %,d read but not yet delivered or listed "
        + "(the rejects file lists only what was settled)", read.get(), delivered.get(), Math.max(0, unsettled));
  }

  boolean isCancelled() {
    ImportResult.Stop s = stop.get();
    return s != null && s.kind == ImportResult.Stop.Kind.INTERRUPTED;
  }

  private void stop(ImportResult.Stop reason) {
    if (stop.compareAndSet(null, reason)) wake.countDown();
  }

  /** Reads every source, sends every valid line, waits for each outcome, and reports. Runs once. */
  ImportResult run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) throw new IllegalStateException("run() was already called");
    startNanos = System.nanoTime();
    try {
      if (checkUrl != null && !endpointAnswers()) {
        importTransport.close();
        currentSource = sources.get(0).name;
        closeRejects();
        return result(true);
      }
      // Room for every permit, plus one batch per request in flight: the client runs callbacks
      // (which give permits back) before it frees a batch's room in its queue.
      int held = maxInFlightLines + MAX_IN_FLIGHT_REQUESTS * batchSize;
      Analytics analytics = client
          .transport(importTransport)
          .gzip(false) // ImportTransport compresses, after it has put the sources' libraries back
          .callback(new Outcomes())
          .listener(new Answers())
          .shutdownHook(false)
          .flushAt(batchSize)
          .maxInFlightRequests(MAX_IN_FLIGHT_REQUESTS)
          .maxQueueSize(held)
          .maxQueueBytes((long) held * MAX_MESSAGE_BYTES)
          // The importer decides when an endpoint has been down too long; the client must not give
          // up on batches before that.
          .maxRetries(1000)
          .maxRetryDuration(maxDowntime.plus(Duration.ofMinutes(1)))
          .build();
      // Reading runs on its own daemon thread: a read from a terminal or pipe cannot be interrupted,
      // and a stop must still be able to flush and report while it is blocked.
      Thread reader = new Thread(() -> readAll(analytics), "analytics4j-import-reader");
      reader.setDaemon(true);
      reader.start();

      // Woken at once by a stop as well as by the reader's end: after a refused key every request
      // sent before close is one more refusal, and up to four go out each round trip.
      while (!wake.await(POLL_NANOS, TimeUnit.NANOSECONDS)) watchEndpoint();
      finish(analytics);
      awaitReader(reader);
      closeRejects();
      return result(false);
    } finally {
      closeRejects(); // after an unexpected exception: still flush what was listed
    }
  }

  /** Waits for the outcome of every line sent, then closes the client, as the stop (if any) allows. */
  private void finish(Analytics analytics) throws InterruptedException {
    boolean flushedAfterStop = false;
    long deadline = 0;
    boolean giveUp = urgent(stop.get());
    if (!giveUp) analytics.flush(); // everything read is in the client; do not wait for the interval
    while (!giveUp) {
      watchEndpoint();
      ImportResult.Stop s = stop.get();
      if (urgent(s)) {
        giveUp = true;
        break;
      }
      boolean idle = readerFinished() || (s != null && !midLine);
      if (s != null && idle && !flushedAfterStop) {
        // The reader may have offered a line after the first flush; it offers none from now on.
        analytics.flush();
        flushedAfterStop = true;
      }
      if (idle && permits.availablePermits() == maxInFlightLines) break;
      if (s != null && s.kind == ImportResult.Stop.Kind.INTERRUPTED) {
        if (deadline == 0) deadline = System.nanoTime() + shutdownTimeout.toNanos();
        if (System.nanoTime() - deadline >= 0) {
          giveUp = true;
          break;
        }
      }
      readerDone.await(20, TimeUnit.MILLISECONDS);
    }
    // What close cuts short is no news about the endpoint.
    watch.stopWatching();
    // Lines still unsent are reported to the callback as CLOSE_TIMEOUT and counted there.
    analytics.close(giveUp ? Duration.ZERO : Duration.ofSeconds(2));
  }

  private static boolean urgent(ImportResult.@Nullable Stop s) {
    return s != null && (s.kind == ImportResult.Stop.Kind.AUTH || s.kind == ImportResult.Stop.Kind.ENDPOINT);
  }

  private boolean readerFinished() {
    return readerDone.getCount() == 0;
  }

  /** Lets a reader that saw the stop finish the line it holds; one blocked on input stays behind. */
  private void awaitReader(Thread reader) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (reader.isAlive() && midLine && System.nanoTime() - deadline < 0) reader.join(10);
    // Callbacks of batches settled by close may still be running on the client's threads.
    while (!balanced() && System.nanoTime() - deadline < 0) Thread.sleep(5);
  }

  private boolean balanced() {
    return read.get() == delivered.get() + rejected.get() + notDelivered.get();
  }

  private ImportResult result(boolean nothingRead) {
    String stoppedAt = null;
    if (!allRead) {
      long line = currentLine;
      if (brokenLine) {
        stoppedAt = String.format(Locale.ROOT, "%s line %,d, which could not be read to its end; nothing after it "
            + "was read", currentSource, line + 1);
      } else if (nothingRead || line == 0) {
        stoppedAt = "the start of " + currentSource + "; nothing was read";
      } else {
        stoppedAt = String.format(Locale.ROOT, "%s line %,d; the lines after it were not read", currentSource, line);
      }
    }
    ImportResult.Stop s = stop.get();
    if (s == null && !allRead) {
      s = new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, "reading ended early", ImportResult.EXIT_INPUT);
    }
    return new ImportResult(read.get(), delivered.get(), rejected.get(), notDelivered.get(), repeats,
        repeatedIds, numericIds.get(), dryRun, Duration.ofNanos(System.nanoTime() - startNanos),
        rejects != null && rejects.written() > 0 ? rejects.path() : null, s, stoppedAt);
  }

  private void watchEndpoint() {
    EndpointWatch.State state = watch.state();
    if (state.troubleNanos > maxDowntime.toNanos()) {
      stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint has "
          + (state.throttled ? "rate-limited every request" : "been down") + " for more than "
          + clock(maxDowntime.getSeconds()) + " (" + state.reason + "); see --max-downtime",
          ImportResult.EXIT_ENDPOINT));
    }
  }

  /**
   * Sends an empty batch before reading anything: a wrong host, a refused key or a dead endpoint is
   * found before the first line is read. Retries while the endpoint is down, up to maxDowntime.
   */
  private boolean endpointAnswers() throws InterruptedException {
    String url = Objects.requireNonNull(checkUrl);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", "Basic " + Base64.getEncoder()
        .encodeToString((Objects.requireNonNull(checkWriteKey) + ":").getBytes(StandardCharsets.UTF_8)));
    headers.put("User-Agent", Analytics.LIBRARY_NAME + "/" + Analytics.VERSION);
    long firstFailure = 0;
    long delay = TimeUnit.MILLISECONDS.toNanos(250);
    // Reported to the watch like the client's own requests, so the progress line shows the check's retries.
    for (int attempt = 1; stop.get() == null; attempt++) {
      String problem;
      watch.requestStart(0, attempt);
      long sent = System.nanoTime();
      try {
        Transport.Response response = transport.send(new Transport.Request(url, headers, emptyBatch(), CHECK_TIMEOUT));
        int code = response.code();
        watch.requestEnd(0, attempt, code, System.nanoTime() - sent);
        if (code == 401 || code == 403) {
          stop(authStop(code));
          return false;
        }
        if (wrongEndpoint(code)) {
          stop(wrongEndpointStop("POST " + url, code));
          return false;
        }
        // It answers; a 400 for an empty batch is fine.
        if (!EndpointWatch.isDownAnswer(code) && code != 429 && code < 500) return true;
        problem = "HTTP " + code;
      } catch (UnknownHostException | SSLException e) {
        watch.requestFailed(0, attempt, e, System.nanoTime() - sent);
        // Not an outage that waiting would end: a misspelt host, a certificate that does not match.
        stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "POST " + url + " failed: "
            + EndpointWatch.describe(e) + "; check --endpoint; nothing was read", ImportResult.EXIT_ENDPOINT));
        return false;
      } catch (IOException e) {
        watch.requestFailed(0, attempt, e, System.nanoTime() - sent);
        problem = EndpointWatch.describe(e);
      }
      long now = System.nanoTime();
      if (firstFailure == 0) firstFailure = now;
      if (now - firstFailure >= maxDowntime.toNanos()) {
        stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint " + url
            + (problem.equals("HTTP 429") ? " rate-limited every request for " : " did not answer for ")
            + clock(maxDowntime.getSeconds()) + " (" + problem + "); nothing was read; see --max-downtime",
            ImportResult.EXIT_ENDPOINT));
        return false;
      }
      long wait = Math.min(delay, maxDowntime.toNanos() - (now - firstFailure));
      watch.retryScheduled(0, attempt + 1, wait);
      wake.await(wait, TimeUnit.NANOSECONDS);
      delay = Math.min(delay * 2, TimeUnit.SECONDS.toNanos(5));
    }
    return false;
  }

  private byte[] emptyBatch() {
    StringWriter json = new StringWriter();
    json.write("{\"batch\":[],\"sentAt\":\"" + Instant.now() + "\",\"context\":{\"library\":{\"name\":\""
        + Analytics.LIBRARY_NAME + "\",\"version\":\"" + Analytics.VERSION + "\"}},\"writeKey\":");
    json.write(jsonString(Objects.requireNonNull(checkWriteKey)));
    json.write("}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String jsonString(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Answers that every batch would get: a redirect (not followed), no such path, no POST there. */
  private static boolean wrongEndpoint(int code) {
    return (code >= 300 && code < 400) || code == 404 || code == 405;
  }

  private static ImportResult.Stop wrongEndpointStop(String what, int code) {
    String why = code < 400 ? " (a redirect, which the importer does not follow: is it https?)" : "";
    return new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, what + " answered HTTP " + code + why
        + "; check --endpoint (give the host only: the importer adds /v1/batch)", ImportResult.EXIT_ENDPOINT);
  }

  private static ImportResult.Stop authStop(int code) {
    return new ImportResult.Stop(ImportResult.Stop.Kind.AUTH, "the endpoint refused the write key (HTTP " + code
        + "); check the key and --region (a US workspace's key is refused in the EU, and the reverse)",
        ImportResult.EXIT_AUTH);
  }

  private void readAll(Analytics analytics) {
    try {
      for (Source source : sources) {
        if (stop.get() != null) return;
        currentSource = source.name;
        currentLine = 0;
        try (InputStream in = source.open()) {
          if (!readSource(analytics, source, new LineReader(in, charset, maxLineBytes, maxSkipBytes))) return;
        } catch (IOException e) {
          brokenLine = true;
          String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
          stop(new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, source.name + ": " + message, ImportResult.EXIT_INPUT));
          return;
        }
      }
      allRead = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      // An Error (out of memory, say) must end the run visibly, never as if the input had ended.
      if (failedLine == 0) brokenLine = true;
      stop(new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, describe(e) + " while reading "
          + String.format(Locale.ROOT, "%s line %,d", currentSource, failedLine > 0 ? failedLine : currentLine + 1),
          ImportResult.EXIT_INPUT));
    } finally {
      midLine = false;
      readerDone.countDown();
      wake.countDown();
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof OutOfMemoryError) return "ran out of memory (" + e.getMessage() + "; raise -Xmx)";
    if (e instanceof StackOverflowError) return "ran out of stack";
    return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
  }

  /** Reads one source to its end; false when the run stopped first. */
  private boolean readSource(Analytics analytics, Source source, LineReader lines)
      throws IOException, InterruptedException {
    long bytesBefore = bytesRead.get();
    while (true) {
      if (stop.get() != null) return false;
      LineReader.Line line = lines.next();
      bytesRead.set(bytesBefore + lines.bytesRead());
      if (line == null) return true;
      currentLine = line.number;
      if (line.text != null && line.text.isBlank()) continue;
      midLine = true;
      LineRef ref = new LineRef(source.name, line.number);
      read.incrementAndGet();
      boolean counted = false;
      try {
        if (line.rejection != null) {
          counted = true;
          reject(ref, line.rejection);
          continue;
        }
        Message message = message(Objects.requireNonNull(line.text), Objects.requireNonNull(line.utf8), ref);
        if (message == null) {
          counted = true;
          continue;
        }
        if (rate > 0) {
          // A ceiling, not an average: time lost to a slow endpoint is not made up later in a burst.
          nextSlot = Math.max(nextSlot + (long) (TimeUnit.SECONDS.toNanos(1) / rate), System.nanoTime());
          long wait;
          while ((wait = nextSlot - System.nanoTime()) > 0 && stop.get() == null) {
            LockSupport.parkNanos(Math.min(wait, POLL_NANOS));
          }
        }
        boolean sent = send(analytics, message, ref);
        counted = true;
        if (!sent) {
          notDelivered(ref, stopReason());
          return false;
        }
      } catch (Throwable e) {
        // The line was read; it must be counted even when an Error ends the run.
        if (!counted) notDelivered(ref, describe(e));
        failedLine = line.number;
        throw e;
      } finally {
        midLine = false;
      }
    }
  }

  /** The line as a message with its messageId, or null when it was rejected. */
  private @Nullable Message message(String text, byte[] utf8, LineRef ref) {
    LineParser.Parsed parsed;
    try {
      parsed = parser.parse(text);
    } catch (LineRejectedException e) {
      reject(ref, e.getMessage());
      return null;
    }
    numericIds.addAndGet(parsed.numericIds);
    try {
      if (parsed.messageId != null) {
        ids.noteOwnId(parsed.messageId);
        repeatedIds = ids.repeatedIds();
      } else {
        parsed.builder.messageId(ids.idFor(utf8));
        repeats = ids.repeats();
      }
      return parsed.builder.build();
    } catch (IllegalArgumentException e) {
      reject(ref, "invalid message: " + e.getMessage());
      return null;
    }
  }

  /** Offers {@code message}, waiting for room; false when the run stopped first. */
  private boolean send(Analytics analytics, Message message, LineRef ref) throws InterruptedException {
    while (true) {
      if (!acquirePermit()) return false;
      track(message.messageId(), ref);
      boolean accepted;
      try {
        accepted = analytics.offer(message);
      } catch (Error e) {
        untrack(message.messageId());
        permits.release();
        throw e;
      } catch (IllegalArgumentException e) {
        // Serialization checks: over 32,000 bytes, a value that is not JSON.
        untrack(message.messageId());
        permits.release();
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        reject(ref, reason.contains("-byte limit") ? "oversize: " + reason : "invalid message: " + reason);
        return true;
      }
      if (accepted) return true;
      // Refused (the callback gave the permit back). The queue is sized to hold every permit, so
      // this only happens once the client is closing: the line was read but never sent.
      if (stop.get() != null) return false;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private boolean acquirePermit() throws InterruptedException {
    while (stop.get() == null) {
      if (permits.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
        // A stop gives its permits back as it settles lines; they are not an invitation to send more.
        if (stop.get() == null) return true;
        permits.release();
        return false;
      }
    }
    return false;
  }

  private void track(String messageId, LineRef ref) {
    synchronized (inFlight) {
      inFlight.computeIfAbsent(messageId, id -> new ArrayDeque<>(1)).add(ref);
    }
  }

  private @Nullable LineRef untrack(String messageId) {
    synchronized (inFlight) {
      Deque<LineRef> refs = inFlight.get(messageId);
      if (refs == null) return null;
      LineRef ref = refs.poll();
      if (refs.isEmpty()) inFlight.remove(messageId);
      return ref;
    }
  }

  private void reject(LineRef ref, String reason) {
    rejected.incrementAndGet();
    write(ref, reason);
  }

  /** A line read but not sent, because the run stopped before it could be. */
  private void notDelivered(@Nullable LineRef ref, String why) {
    notDelivered.incrementAndGet();
    write(ref, "not delivered: " + why);
  }

  private String stopReason() {
    ImportResult.Stop s = stop.get();
    return s != null ? "the import stopped before it was sent (" + s.reason + ")"
        : "still unsent when the client closed";
  }

  private void write(@Nullable LineRef ref, String reason) {
    if (rejects == null) return;
    rejects.write(ref != null ? ref.source : "?", ref != null ? ref.line : 0, reason);
  }

  /** Closes the rejects file once; a file that could not be written makes the run fail visibly. */
  private void closeRejects() {
    if (rejects == null || !rejectsClosed.compareAndSet(false, true)) return;
    try {
      rejects.close();
    } catch (IOException e) {
      ImportResult.Stop failed = new ImportResult.Stop(ImportResult.Stop.Kind.OUTPUT,
          e.getMessage() != null ? e.getMessage() : e.toString(), ImportResult.EXIT_INPUT);
      // An incomplete rejects file outranks an interruption: the list the user relies on is wrong.
      if (!stop.compareAndSet(null, failed)) stop.set(failed);
    }
  }

  /** Counters for the progress display; safe to call from any thread. */
  Progress.Snapshot progress() {
    long readNow = read.get();
    long settled = delivered.get() + rejected.get() + notDelivered.get();
    EndpointWatch.State endpoint = watch.state();
    return new Progress.Snapshot(readNow, delivered.get(), rejected.get(), notDelivered.get(),
        Math.max(0, readNow - settled), bytesRead.get(), totalBytes,
        startNanos == 0 ? 0 : System.nanoTime() - startNanos, readerFinished(),
        endpoint.problem, endpoint.throttled, endpoint.troubleNanos, maxDowntime.toNanos(), watch.unansweredNanos());
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  /**
   * Learns each line's fate from the client; runs on its threads, so only counts and writes. The
   * permit goes back whatever happens: a lost permit would hold the end of the run forever.
   */
  private final class Outcomes implements Callback {
    @Override
    public void onSuccess(EncodedMessage message) {
      try {
        delivered.incrementAndGet();
        untrack(message.messageId());
      } finally {
        permits.release();
      }
    }

    @Override
    public void onFailure(EncodedMessage message, Failure failure) {
      try {
        ImportResult.Stop stopped = stop.get();
        if (stopped != null && failure.abandonedAtClose()) {
          // The client gave up on it because the run stopped: say so, where it was, and whether it
          // may have arrived. With neither a status nor an error, its attempt was on the wire.
          String why;
          if (failure.statusCode() == 0 && failure.cause() == null) {
            why = "the import stopped while it was being sent, so it may have arrived; a re-run sends it "
                + "again with the same messageId";
          } else {
            why = "the import stopped while it waited to be sent again after "
                + (failure.statusCode() != 0 ? "HTTP " + failure.statusCode() : "a network error")
                + (failure.mayHaveBeenDelivered() ? "; an earlier attempt may have arrived, and a re-run sends it "
                    + "again with the same messageId" : "");
          }
          notDelivered(untrack(message.messageId()), why + " (" + stopped.reason + ")");
        } else {
          notDelivered(untrack(message.messageId()),
              failure.reason() + " after " + failure.attempts() + " attempt(s)");
        }
      } finally {
        permits.release();
      }
    }

    @Override
    public void onDropped(EncodedMessage message, DropReason reason) {
      try {
        LineRef ref = untrack(message.messageId());
        // QUEUE_FULL and CLOSED happen inside offer, which then returns false and the reader decides.
        if (reason == DropReason.CLOSE_TIMEOUT) notDelivered(ref, stopReason());
      } finally {
        permits.release();
      }
    }
  }

  /**
   * Stops the run on an answer every later request would get too, the moment it arrives, once per
   * request rather than once per line; tells the watch about every request.
   */
  private final class Answers extends AnalyticsListener {
    @Override
    public void requestStart(int messageCount, int attempt) {
      watch.requestStart(messageCount, attempt);
    }

    @Override
    public void requestEnd(int messageCount, int attempt, int code, long latencyNanos) {
      watch.requestEnd(messageCount, attempt, code, latencyNanos);
      if (code == 401 || code == 403) {
        stop(authStop(code));
      } else if (wrongEndpoint(code)) {
        stop(wrongEndpointStop("the endpoint", code));
      } else if (code >= 200 && code < 300) {
        refusedInARow.set(0);
      } else if (code >= 400 && code != 429 && !EndpointWatch.isDownAnswer(code)
          && refusedInARow.incrementAndGet() >= MAX_REFUSED_IN_A_ROW) {
        // The same refusal of ten requests in a row with nothing delivered between them is an
        // endpoint that refuses everything (a body limit, a proxy), not ten bad batches. Counted
        // in requests, not lines: batches of a slow pipe or a --rate hold a few lines each.
        stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint refused the last "
            + MAX_REFUSED_IN_A_ROW + " requests in a row and delivered none between them (last answer: HTTP "
            + code + "; the rejects file has each line with the answer)", ImportResult.EXIT_ENDPOINT));
      }
    }

    @Override
    public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
      watch.requestFailed(messageCount, attempt, error, latencyNanos);
      // Not the network, which the client retries: the HTTP client itself threw, and fails the batch.
      // One that does so ten times in a row would fail every line of the input the same way.
      if (!(error instanceof IOException) && stop.get() == null
          && refusedInARow.incrementAndGet() >= MAX_REFUSED_IN_A_ROW) {
        stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the HTTP client failed on the last "
            + MAX_REFUSED_IN_A_ROW + " requests in a row (" + error.getClass().getSimpleName()
            + "; the rejects file has each line with the error)", ImportResult.EXIT_ENDPOINT));
      }
    }

    @Override
    public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
      watch.retryScheduled(messageCount, nextAttempt, delayNanos);
    }
  }

  /** Where a line came from, for the rejects file. */
  private static final class LineRef {
    final String source;
    final long line;

    LineRef(String source, long line) {
      this.source = source;
      this.line = line;
    }
  }

  /** An input: a file (size known, for the ETA) or a stream such as stdin. */
  static final class Source {
    final String name;
    final long size;
    private final @Nullable Path path;
    private final @Nullable InputStream stream;

    private Source(String name, long size, @Nullable Path path, @Nullable InputStream stream) {
      this.name = name;
      this.size = size;
      this.path = path;
      this.stream = stream;
    }

    /** A file; its size (for the ETA) is known only when it is a regular file. */
    static Source file(Path path) throws IOException {
      Objects.requireNonNull(path, "path == null");
      return new Source(path.toString(), Files.isRegularFile(path) ? Files.size(path) : -1, path, null);
    }

    /** A stream of unknown length, read once; {@code name} labels its lines in the rejects file. */
    static Source stream(String name, InputStream stream) {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(stream, "stream == null");
      return new Source(name, -1, null, stream);
    }

    InputStream open() throws IOException {
      if (path != null) return Files.newInputStream(path);
      return Objects.requireNonNull(stream, "stream");
    }
  }

  static final class Builder {
    private final Analytics.Builder client;
    private @Nullable Transport transport;
    private @Nullable String checkUrl;
    private @Nullable String checkWriteKey;
    private boolean gzip;
    private boolean dryRun;
    private final List<Source> sources = new ArrayList<>();
    private @Nullable RejectsFile rejects;
    private Charset charset = StandardCharsets.UTF_8;
    private double rate;
    private int batchSize = 250;
    private int maxInFlightLines = 2_000;
    private int maxLineBytes = LineReader.DEFAULT_MAX_LINE_BYTES;
    private long maxSkipBytes = LineReader.DEFAULT_MAX_SKIP_BYTES;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration maxDowntime = Duration.ofMinutes(2);
    private LongSupplier clock = System::nanoTime;

    private Builder(Analytics.Builder client) {
      this.client = Objects.requireNonNull(client, "client == null");
    }

    Builder source(Source source) {
      sources.add(Objects.requireNonNull(source, "source == null"));
      return this;
    }

    /** The HTTP transport to send with; default OkHttp. The importer wraps it. */
    Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /** Checks with an empty batch to {@code url} that the endpoint answers before reading. */
    Builder checkEndpoint(String url, String writeKey) {
      this.checkUrl = Objects.requireNonNull(url, "url == null");
      this.checkWriteKey = Objects.requireNonNull(writeKey, "writeKey == null");
      return this;
    }

    Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /** Only words the summary ("valid" rather than "delivered"); the caller supplies a transport that sends nothing. */
    Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Where bad lines and undelivered lines are listed. */
    Builder rejects(@Nullable RejectsFile rejects) {
      this.rejects = rejects;
      return this;
    }

    Builder charset(Charset charset) {
      this.charset = Objects.requireNonNull(charset, "charset == null");
      return this;
    }

    /** Messages per second at most; 0 for no limit. */
    Builder rate(double rate) {
      if (!(rate >= 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("rate must be a finite number >= 0: " + rate);
      this.rate = rate;
      return this;
    }

    /** Messages per request, 1..2500; default 250. */
    Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 2500) throw new IllegalArgumentException("batchSize must be in 1..2500: " + batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /** Lines held at once between reading and their outcome; bounds memory. */
    Builder maxInFlightLines(int maxInFlightLines) {
      if (maxInFlightLines < 1) throw new IllegalArgumentException("maxInFlightLines must be at least 1: " + maxInFlightLines);
      this.maxInFlightLines = maxInFlightLines;
      return this;
    }

    /** The longest line accepted, and how far to look for the end of a longer one before stopping. */
    Builder maxLineBytes(int maxLineBytes, long maxSkipBytes) {
      if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
      if (maxSkipBytes < maxLineBytes) throw new IllegalArgumentException("maxSkipBytes must be at least maxLineBytes: " + maxSkipBytes);
      this.maxLineBytes = maxLineBytes;
      this.maxSkipBytes = maxSkipBytes;
      return this;
    }

    /** How long sending may go on after {@link Importer#cancel()}. */
    Builder shutdownTimeout(Duration shutdownTimeout) {
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout == null");
      if (shutdownTimeout.isNegative()) throw new IllegalArgumentException("shutdownTimeout must not be negative: " + shutdownTimeout);
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /** How long the endpoint may fail every attempt before the import stops; default 2 minutes. */
    Builder maxDowntime(Duration maxDowntime) {
      Objects.requireNonNull(maxDowntime, "maxDowntime == null");
      if (maxDowntime.isNegative() || maxDowntime.isZero()) {
        throw new IllegalArgumentException("maxDowntime must be positive: " + maxDowntime);
      }
      this.maxDowntime = maxDowntime;
      return this;
    }

    /** The clock the endpoint's downtime and retry countdown are measured on; tests replace it. */
    Builder clock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    Importer build() {
      if (sources.isEmpty()) throw new IllegalStateException("no source");
      return new Importer(this);
    }
  }
}
