package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Streams newline-delimited JSON messages from its sources through an {@link Analytics} client.
 *
 * <p>Memory stays constant whatever the input size: at most {@code maxInFlightLines} lines are held
 * (parsed, queued or being sent), and the client's queue is sized so that it can hold all of them,
 * so {@code offer} does not drop for lack of room. A permit is taken per line and given back from
 * the {@link Callback} when the line's fate is known.
 *
 * <p>{@link #cancel()} (Ctrl-C) stops reading, then sends what was read within
 * {@code shutdownTimeout}; lines still unsent at the deadline are counted as not delivered.
 */
final class Importer {
  /** The API refuses larger messages; anything much longer on one line cannot be valid. */
  static final int MAX_LINE_BYTES = 1024 * 1024;
  private static final int MAX_MESSAGE_BYTES = 32_000;
  private static final int MAX_IN_FLIGHT_REQUESTS = 4;

  private final Analytics.Builder client;
  private final List<Source> sources;
  private final @Nullable Path rejectsFile;
  private final double rate;
  private final int batchSize;
  private final int maxInFlightLines;
  private final Duration shutdownTimeout;
  private final LineParser parser = new LineParser();

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final CountDownLatch stopWaiting = new CountDownLatch(1);
  private final Semaphore permits;
  private final Map<String, Deque<LineRef>> inFlight = new HashMap<>();
  private final Object rejectsLock = new Object();
  private @Nullable Writer rejects;
  private @Nullable IOException rejectsError;

  private final AtomicLong read = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong notSent = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  private final long totalBytes;
  private volatile long startNanos;
  /** When the next line may be offered under {@code rate}; only the reader thread uses it. */
  private long nextSlot;
  private volatile @Nullable Exception readError;

  private Importer(Builder builder) {
    this.client = builder.client;
    this.sources = List.copyOf(builder.sources);
    this.rejectsFile = builder.rejectsFile;
    this.rate = builder.rate;
    this.batchSize = builder.batchSize;
    this.maxInFlightLines = builder.maxInFlightLines;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.permits = new Semaphore(maxInFlightLines);
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

  /**
   * Stops reading and sends what was read within the shutdown timeout; {@link #run()} then returns.
   * Safe to call from any thread (a shutdown hook), any number of times.
   */
  void cancel() {
    if (cancelled.compareAndSet(false, true)) stopWaiting.countDown();
  }

  boolean isCancelled() {
    return cancelled.get();
  }

  /** Reads every source, sends every valid line, waits for each outcome, and reports. Runs once. */
  ImportResult run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) throw new IllegalStateException("run() was already called");
    startNanos = System.nanoTime();
    // The client runs callbacks before it frees a batch's room in its queue, so a permit can come
    // back while up to one batch per request in flight still counts as held: room for those too.
    int held = maxInFlightLines + MAX_IN_FLIGHT_REQUESTS * batchSize;
    Analytics analytics = client
        .callback(new Outcomes())
        .shutdownHook(false)
        .flushAt(batchSize)
        .maxInFlightRequests(MAX_IN_FLIGHT_REQUESTS)
        .maxQueueSize(held)
        .maxQueueBytes((long) held * MAX_MESSAGE_BYTES)
        .build();
    // Reading runs on its own daemon thread: a read from a terminal or pipe cannot be interrupted,
    // and Ctrl-C must still be able to flush and report while it is blocked.
    Thread reader = new Thread(() -> readAll(analytics), "analytics4j-import-reader");
    reader.setDaemon(true);
    reader.start();
    stopWaiting.await();

    if (cancelled.get()) {
      long deadline = System.nanoTime() + shutdownTimeout.toNanos();
      reader.join(Math.max(1, Math.min(250, shutdownTimeout.toMillis())));
      finish(analytics, deadline);
    } else {
      finish(analytics, Long.MAX_VALUE);
    }
    closeRejects();
    Exception error = readError;
    return new ImportResult(read.get(), rejected.get(), delivered.get(), failed.get(), notSent.get(),
        cancelled.get(), Duration.ofNanos(System.nanoTime() - startNanos),
        rejected.get() + failed.get() > 0 ? rejectsFile : null,
        error != null ? describe(error) : null);
  }

  /** Waits for every line to be sent or given up, and closes the client, by {@code deadline}. */
  private void finish(Analytics analytics, long deadline) throws InterruptedException {
    CompletableFuture<FlushResult> flush = analytics.flush();
    while (true) {
      long wait = deadline == Long.MAX_VALUE ? TimeUnit.MILLISECONDS.toNanos(100) : deadline - System.nanoTime();
      if (wait <= 0) break;
      try {
        flush.get(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
        break;
      } catch (TimeoutException e) {
        if (deadline == Long.MAX_VALUE && cancelled.get()) {
          // Ctrl-C while the last batches are retried: from now on only the shutdown timeout.
          deadline = System.nanoTime() + shutdownTimeout.toNanos();
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException("flush never fails", e.getCause());
      }
    }
    // Unsent lines are reported to the callback as CLOSE_TIMEOUT and counted there.
    analytics.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  private void readAll(Analytics analytics) {
    try {
      for (Source source : sources) {
        if (cancelled.get()) break;
        try (InputStream in = source.open()) {
          readSource(analytics, source, new LineReader(in, MAX_LINE_BYTES));
        }
      }
    } catch (IOException | RuntimeException e) {
      readError = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopWaiting.countDown();
    }
  }

  private void readSource(Analytics analytics, Source source, LineReader lines)
      throws IOException, InterruptedException {
    long lineNumber = 0;
    long bytesBefore = bytesRead.get();
    while (!cancelled.get()) {
      String line = lines.readLine();
      bytesRead.set(bytesBefore + lines.bytesRead());
      if (line == null) return;
      lineNumber++;
      if (line != LineReader.OVERSIZE && line.trim().isEmpty()) continue;
      read.incrementAndGet();
      LineRef ref = new LineRef(source.name, lineNumber);

      if (line == LineReader.OVERSIZE) {
        reject(ref, "oversize: the line is longer than " + MAX_LINE_BYTES + " bytes; a message may be at most "
            + MAX_MESSAGE_BYTES + " bytes");
        continue;
      }
      Message message;
      try {
        message = parser.parse(line);
      } catch (LineRejectedException e) {
        reject(ref, e.getMessage());
        continue;
      }

      if (rate > 0) {
        // A ceiling, not an average: time lost to a slow endpoint is not made up later in a burst.
        nextSlot = Math.max(nextSlot + (long) (TimeUnit.SECONDS.toNanos(1) / rate), System.nanoTime());
        long wait;
        while ((wait = nextSlot - System.nanoTime()) > 0 && !cancelled.get()) {
          LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      }
      if (!send(analytics, message, ref)) {
        notSent.incrementAndGet();
        return;
      }
    }
  }

  /** Offers {@code message}, waiting for room; false when cancelled first. */
  private boolean send(Analytics analytics, Message message, LineRef ref) throws InterruptedException {
    while (true) {
      if (!acquirePermit()) return false;
      track(message.messageId(), ref);
      boolean accepted;
      try {
        accepted = analytics.offer(message);
      } catch (IllegalArgumentException e) {
        // Serialization checks: over 32,000 bytes, a value that is not JSON.
        untrack(message.messageId());
        permits.release();
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        reject(ref, reason.contains("bytes") ? "oversize: " + reason : "invalid message: " + reason);
        return true;
      }
      if (accepted) return true;
      // Refused (the callback gave the permit back). The queue is sized to hold every permit, so
      // this only happens once the client is closing: the line was read but never sent.
      if (cancelled.get()) return false;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private boolean acquirePermit() throws InterruptedException {
    while (!cancelled.get()) {
      if (permits.tryAcquire(100, TimeUnit.MILLISECONDS)) return true;
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
    writeReject(ref, reason);
  }

  private void writeReject(@Nullable LineRef ref, String reason) {
    if (rejectsFile == null) return;
    synchronized (rejectsLock) {
      if (rejectsError != null) return;
      try {
        if (rejects == null) rejects = Files.newBufferedWriter(rejectsFile);
        rejects.write((ref != null ? ref.source + ":" + ref.line : "?") + ": " + reason + "\n");
      } catch (IOException e) {
        rejectsError = e;
      }
    }
  }

  private void closeRejects() {
    synchronized (rejectsLock) {
      if (rejects != null) {
        try {
          rejects.close();
        } catch (IOException e) {
          if (rejectsError == null) rejectsError = e;
        }
      }
      if (rejectsError != null) {
        throw new UncheckedIOException("writing the rejects file " + rejectsFile + " failed", rejectsError);
      }
    }
  }

  /** Counters for the progress display; safe to call from any thread. */
  Progress.Snapshot progress() {
    return new Progress.Snapshot(read.get(), delivered.get(), failed.get() + rejected.get(),
        bytesRead.get(), totalBytes, startNanos == 0 ? 0 : System.nanoTime() - startNanos);
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Learns each line's fate from the client; runs on its threads, so only counts and writes. */
  private final class Outcomes implements Callback {
    @Override
    public void onSuccess(EncodedMessage message) {
      untrack(message.messageId());
      delivered.incrementAndGet();
      permits.release();
    }

    @Override
    public void onFailure(EncodedMessage message, Failure failure) {
      LineRef ref = untrack(message.messageId());
      failed.incrementAndGet();
      writeReject(ref, "not delivered: " + failure.reason() + " after " + failure.attempts() + " attempt(s)");
      permits.release();
    }

    @Override
    public void onDropped(EncodedMessage message, DropReason reason) {
      LineRef ref = untrack(message.messageId());
      if (reason == DropReason.CLOSE_TIMEOUT) {
        failed.incrementAndGet();
        writeReject(ref, "not delivered: still unsent when the shutdown timeout ran out");
      }
      // QUEUE_FULL and CLOSED happen inside offer, which then returns false and the reader decides.
      permits.release();
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

    static Source file(Path path) throws IOException {
      Objects.requireNonNull(path, "path == null");
      return new Source(path.toString(), Files.size(path), path, null);
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
    private final List<Source> sources = new ArrayList<>();
    private @Nullable Path rejectsFile;
    private double rate;
    private int batchSize = 250;
    private int maxInFlightLines = 2_000;
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private Builder(Analytics.Builder client) {
      this.client = Objects.requireNonNull(client, "client == null");
    }

    Builder source(Source source) {
      sources.add(Objects.requireNonNull(source, "source == null"));
      return this;
    }

    /** Where bad lines and undelivered lines are listed; created only when there is one. */
    Builder rejectsFile(@Nullable Path rejectsFile) {
      this.rejectsFile = rejectsFile;
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

    /** How long sending may go on after {@link Importer#cancel()}. */
    Builder shutdownTimeout(Duration shutdownTimeout) {
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout == null");
      if (shutdownTimeout.isNegative()) throw new IllegalArgumentException("shutdownTimeout must not be negative: " + shutdownTimeout);
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    Importer build() {
      if (sources.isEmpty()) throw new IllegalStateException("no source");
      return new Importer(this);
    }
  }
}
