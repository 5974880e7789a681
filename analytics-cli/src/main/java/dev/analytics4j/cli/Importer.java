package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.RateLimiter;
import dev.analytics4j.internal.Wire;
import dev.analytics4j.okhttp.OkHttpTransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Streams newline-delimited JSON messages from its sources through an {@link Analytics} client,
 * and accounts for every line it read. This class orchestrates; each stage has a file of its own:
 * the {@link EndpointProbe} before anything is read, the {@link LineFeeder} that reads and offers,
 * the {@link Ledger} that settles each line once, and the {@link Outcomes} the client reports.
 *
 * <p>The numbers come from the client's per-message {@link Callback} reports, which arrive exactly
 * once per accepted message, and from the feeder for lines that never reached the client. At the
 * end, lines read must equal delivered + rejected + not delivered; {@link ImportResult} refuses to
 * report an outcome when they do not.
 *
 * <p>Memory stays bounded whatever the input size: at most {@code maxInFlightLines} lines are held
 * between reading and their outcome, and the client's queue can hold all of them, so {@code offer}
 * does not drop for lack of room.
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
  /** Requests refused in a row, none delivered between them, that stop the run. */
  static final int MAX_REFUSED_IN_A_ROW = Outcomes.MAX_REFUSED_IN_A_ROW;
  /** The endpoint check is one small request: an answer slower than this is no answer. */
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
  /**
   * The longest wait without reading the endpoint's downtime again while it is in trouble: the
   * clock it is measured on may be replaced (tests move it), so its bound cannot be a deadline alone.
   */
  private static final long MAX_DOWNTIME_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Analytics.Builder client;
  private final Transport transport;
  private final boolean checkEndpoint;
  private final boolean gzip;
  private final boolean dryRun;
  private final List<Source> sources;
  private final @Nullable RejectsFile rejects;
  private final int batchSize;
  private final int maxInFlightLines;
  private final Duration shutdownTimeout;
  private final Duration maxDowntime;
  private final long totalBytes;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean rejectsClosed = new AtomicBoolean();
  private final Ledger ledger;
  private final Stops stops;
  private final EndpointWatch watch;
  private final LineFeeder feeder;
  /** The job's ceiling in lines a second, adapting to the endpoint; null for no limit. */
  private final @Nullable RateLimiter limiter;
  private final Pace pace = new Pace();
  private final @Nullable Checkpoint checkpoint;
  private volatile long startNanos;
  /** Set by {@link #cancel(int)}: the sending is bounded by the shutdown timeout even after an earlier stop. */
  private volatile boolean cancelled;

  private Importer(Builder builder) {
    this.client = builder.client;
    this.limiter = builder.rate > 0 ? new RateLimiter(builder.rate, RateLimiter.Clock.SYSTEM) : null;
    Transport base = builder.transport != null ? builder.transport : limiter != null ? Throttle.okHttp()
        : new OkHttpTransportFactory().create(Duration.ofSeconds(10), Duration.ofSeconds(30));
    this.transport = limiter != null ? new Throttle(base, limiter) : base;
    this.checkEndpoint = builder.checkEndpoint;
    this.gzip = builder.gzip;
    this.dryRun = builder.dryRun;
    this.sources = List.copyOf(builder.sources);
    this.rejects = builder.rejects;
    this.batchSize = builder.batchSize;
    this.maxInFlightLines = builder.maxInFlightLines;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.maxDowntime = builder.maxDowntime;
    this.checkpoint = builder.checkpoint;
    FinalLines finals = checkpoint != null ? checkpoint.finals : null;
    this.ledger = new Ledger(maxInFlightLines, rejects, finals);
    this.stops = new Stops(ledger);
    this.watch = new EndpointWatch(builder.clock);
    this.feeder = new LineFeeder(sources, builder.charset, builder.maxLineBytes, builder.maxSkipBytes, limiter,
        ledger, stops, builder.resume ? finals : null, new MessageIds(builder.workDirectory));
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
    cancelled = true;
    String what = exitCode == ImportResult.EXIT_SIGTERM ? "SIGTERM" : "Ctrl-C";
    stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.INTERRUPTED, "stopped by " + what
        + "; sent what was read", exitCode));
    ledger.wake(); // an earlier stop (which this one does not replace) woke the waits before
  }

  /**
   * For a process about to halt without a summary (a second Ctrl-C): writes out the rejects file
   * as far as it goes and says what it does not list. Returns the words for stderr.
   */
  String abandon() {
    ledger.flushRejects();
    return String.format(Locale.ROOT, "%,d line(s) read, %,d delivered; %,d read but not yet delivered or listed "
        + "(the rejects file lists only what was settled)", ledger.readCount(), ledger.deliveredCount(),
        Math.max(0, ledger.unsettled()));
  }

  /** Reads every source, sends every valid line, waits for each outcome, and reports. Runs once. */
  ImportResult run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) throw new IllegalStateException("run() was already called");
    startNanos = System.nanoTime();
    try {
      if (checkEndpoint && !new EndpointProbe(transport, Wire.emptyBatch(client, CHECK_TIMEOUT), watch, stops,
          ledger, maxDowntime).answers()) {
        transport.close();
        closeRejects();
        if (checkpoint != null) checkpoint.discardIfNew(); // nothing read: nothing worth resuming
        return result(true, null);
      }
      // Room for every line the ledger lets in, plus one batch per request in flight: the client
      // runs callbacks (which give room back) before it frees a batch's room in its queue.
      int held = maxInFlightLines + MAX_IN_FLIGHT_REQUESTS * batchSize;
      Outcomes outcomes = new Outcomes(ledger, stops, watch);
      Narrower narrowing = new Narrower(client, transport, ledger, stops, outcomes, limiter);
      outcomes.narrowWith(narrowing);
      Analytics analytics = Wire.keepMessageLibrary(client)
          .transport(transport)
          .gzip(gzip)
          .callback(outcomes)
          .listener(outcomes)
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
      narrowing.start();
      CheckpointWriter writer = CheckpointWriter.start(checkpoint, maxInFlightLines, ledger, stops);
      Thread reader = feeder.start(analytics);

      // Woken at once by a stop as well as by the reader's end: after a refused key every request
      // sent before close is one more refusal, and up to four go out each round trip.
      while (true) {
        long seen = ledger.changes();
        watchEndpoint();
        if (stops.stopped() || feeder.finished()) break;
        ledger.awaitChange(seen, untilDowntimeBound());
      }
      finish(analytics, narrowing);
      awaitReader(reader);
      String checkpointNote = writer == null ? null : writer.finish(feeder.allRead(), feeder.lastOrdinal());
      closeRejects();
      return result(false, checkpointNote);
    } finally {
      closeRejects(); // after an unexpected exception: still flush what was listed
    }
  }

  /** Waits for the outcome of every line sent, then closes the client, as the stop (if any) allows. */
  private void finish(Analytics analytics, Narrower narrowing) throws InterruptedException {
    boolean flushedAfterStop = false;
    long deadline = 0;
    boolean giveUp = Stops.urgent(stops.get());
    if (!giveUp) analytics.flush(); // everything read is in the client; do not wait for the interval
    while (!giveUp) {
      long seen = ledger.changes();
      watchEndpoint();
      ImportResult.Stop s = stops.get();
      if (Stops.urgent(s)) {
        giveUp = true;
        break;
      }
      boolean idle = feeder.finished() || (s != null && !feeder.midLine());
      if (s != null && idle && !flushedAfterStop) {
        // The reader may have offered a line after the first flush; it offers none from now on.
        analytics.flush();
        flushedAfterStop = true;
      }
      if (idle && ledger.held() == 0) break;
      long timeout = untilDowntimeBound();
      if (Stops.interrupted(s) || cancelled) {
        if (deadline == 0) deadline = System.nanoTime() + shutdownTimeout.toNanos();
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          giveUp = true;
          break;
        }
        timeout = timeout < 0 ? left : Math.min(timeout, left);
      }
      ledger.awaitChange(seen, timeout);
    }
    // What close cuts short is no news about the endpoint.
    watch.stopWatching();
    // Lines still unsent are reported to the callback as CLOSE_TIMEOUT and counted there.
    analytics.close(giveUp ? Duration.ZERO : Duration.ofSeconds(2));
    // Lines it still holds (a stop cut narrowing short) are settled as not delivered.
    narrowing.close(giveUp ? Duration.ZERO : Duration.ofSeconds(2));
  }

  /** Lets a reader that saw the stop finish the line it holds; one blocked on input stays behind. */
  private void awaitReader(Thread reader) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    ledger.awaitUntil(() -> !(reader.isAlive() && feeder.midLine()), deadline);
    // Callbacks of batches settled by close may still be running on the client's threads.
    ledger.awaitUntil(ledger::balanced, deadline);
  }

  private ImportResult result(boolean nothingRead, @Nullable String checkpointNote) {
    String stoppedAt = null;
    if (!feeder.allRead()) {
      long line = feeder.currentLine();
      String source = feeder.currentSource();
      if (feeder.brokenLine()) {
        stoppedAt = String.format(Locale.ROOT, "%s line %,d, which could not be read to its end; nothing after it "
            + "was read", source, line + 1);
      } else if (nothingRead || line == 0) {
        stoppedAt = "the start of " + source + "; nothing was read";
      } else {
        stoppedAt = String.format(Locale.ROOT, "%s line %,d; the lines after it were not read", source, line);
      }
    }
    ImportResult.Stop s = stops.get();
    if (s == null && !feeder.allRead()) {
      s = new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, "reading ended early", ImportResult.EXIT_INPUT);
    }
    return new ImportResult(ledger.readCount(), ledger.deliveredCount(), ledger.rejectedCount(),
        ledger.notDeliveredCount(), feeder.repeats(), feeder.repeatedIds(), feeder.numericIds(), dryRun,
        Duration.ofNanos(System.nanoTime() - startNanos),
        rejects != null && ledger.rejectsWritten() > 0 ? rejects.path() : null, s, stoppedAt,
        ledger.skippedCount(), checkpointNote);
  }

  private void watchEndpoint() {
    EndpointWatch.State state = watch.state();
    if (state.troubleNanos > maxDowntime.toNanos()) {
      stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint has "
          + (state.throttled ? "rate-limited every request" : "been down") + " for more than "
          + clock(maxDowntime.getSeconds()) + " (" + state.reason + "); see --max-downtime",
          ImportResult.EXIT_ENDPOINT));
    }
  }

  /**
   * How long a wait may last before the endpoint's downtime must be read again: unbounded (-1)
   * while it accepts, since any change comes with a wake from {@link Outcomes}.
   */
  private long untilDowntimeBound() {
    long trouble = watch.state().troubleNanos;
    if (trouble == 0) return -1;
    return Math.max(1, Math.min(maxDowntime.toNanos() - trouble + 1, MAX_DOWNTIME_WAIT_NANOS));
  }

  /** Closes the rejects file once; a file that could not be written makes the run fail visibly. */
  private void closeRejects() {
    if (!rejectsClosed.compareAndSet(false, true)) return;
    try {
      ledger.closeRejects();
    } catch (IOException e) {
      // An incomplete rejects file outranks an interruption: the list the user relies on is wrong.
      stops.override(new ImportResult.Stop(ImportResult.Stop.Kind.OUTPUT,
          e.getMessage() != null ? e.getMessage() : e.toString(), ImportResult.EXIT_INPUT));
    }
  }

  /** Counters for the progress display; safe to call from any thread. */
  Progress.Snapshot progress() {
    long readNow = ledger.readCount();
    long settled = ledger.settledCount();
    EndpointWatch.State endpoint = watch.state();
    long now = System.nanoTime();
    long bytes = feeder.bytesRead();
    return new Progress.Snapshot(readNow, ledger.deliveredCount(), ledger.rejectedCount(),
        ledger.notDeliveredCount(), Math.max(0, readNow - settled), bytes, totalBytes,
        startNanos == 0 ? 0 : now - startNanos, feeder.finished(),
        endpoint.problem, endpoint.throttled, endpoint.troubleNanos, maxDowntime.toNanos(), watch.unansweredNanos())
        .with(startNanos == 0 ? Pace.UNKNOWN : pace.sample(now, readNow, bytes),
            limiter != null ? limiter.rate() : 0, limiter != null ? limiter.ceiling() : 0);
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
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
    private boolean checkEndpoint;
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
    private @Nullable Checkpoint checkpoint;
    private boolean resume;
    private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"));

    private Builder(Analytics.Builder client) {
      this.client = Objects.requireNonNull(client, "client == null");
    }

    Builder source(Source source) {
      sources.add(Objects.requireNonNull(source, "source == null"));
      return this;
    }

    /** The HTTP transport to send with; default OkHttp. */
    Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /** Checks with the client's own request for an empty batch that the endpoint answers before reading. */
    Builder checkEndpoint() {
      this.checkEndpoint = true;
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

    /** The checkpoint kept as lines become final (resume: skip those it holds), and the repeat counter's directory. */
    Builder state(@Nullable Checkpoint checkpoint, boolean resume, Path workDirectory) {
      this.checkpoint = checkpoint;
      this.resume = resume && checkpoint != null;
      this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory == null");
      return this;
    }

    Importer build() {
      if (sources.isEmpty()) throw new IllegalStateException("no source");
      return new Importer(this);
    }
  }
}
