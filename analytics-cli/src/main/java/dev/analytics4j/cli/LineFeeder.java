package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.internal.RateLimiter;
import dev.analytics4j.internal.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Reads every source line by line, on its own thread, and feeds each line to the client: parsed,
 * given its messageId, validated and encoded by the core exactly as {@code Analytics.offer} would,
 * so a line the core refuses is rejected alone with the core's reason; then, within the room the
 * {@link Ledger} gives and as the job's {@link RateLimiter} allows, offered. Every non-blank line is
 * counted read once and settled once, even when an {@link Error} ends the run.
 */
final class LineFeeder implements Runnable {
  private final List<Importer.Source> sources;
  private final Charset charset;
  private final int maxLineBytes;
  private final long maxSkipBytes;
  private final @Nullable RateLimiter limiter;
  private final Ledger ledger;
  private final Stops stops;
  /** The lines an earlier run settled for good, when this run resumes it; null otherwise. */
  private final @Nullable FinalLines resumeFrom;
  private final MessageIds ids;
  private @Nullable Analytics analytics;

  private final AtomicLong numericIds = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();
  /** The input and line it is at, for a summary that stops early. */
  private volatile String currentSource;
  private volatile long currentLine;
  private volatile boolean midLine;
  /** The line an Error struck while it was being processed; 0 when it struck between lines. */
  private volatile long failedLine;
  /** Whether reading stopped inside a line (an I/O error or an Error while reading it). */
  private volatile boolean brokenLine;
  private volatile boolean allRead;
  private volatile boolean finished;
  /** Copies of the {@link MessageIds} counts, for a summary taken while the feeder is blocked. */
  private volatile long repeats;
  private volatile long repeatedIds;
  /** Lines of the inputs before the current one: a line's ordinal across inputs is this plus its number. */
  private volatile long ordinalBase;
  /** Threads that parse, validate and encode lines ahead of the feeder ({@link EncodePool}). */
  private int encoderThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
  /** Whether lines are encoded from their bytes where the core can ({@link Wire#encodeLine}). */
  private boolean streaming = true;

  LineFeeder(List<Importer.Source> sources, Charset charset, int maxLineBytes, long maxSkipBytes, @Nullable RateLimiter limiter,
      Ledger ledger, Stops stops) {
    this(sources, charset, maxLineBytes, maxSkipBytes, limiter, ledger, stops, null, new MessageIds());
  }

  LineFeeder(List<Importer.Source> sources, Charset charset, int maxLineBytes, long maxSkipBytes,
      @Nullable RateLimiter limiter, Ledger ledger, Stops stops, @Nullable FinalLines resumeFrom, MessageIds ids) {
    this.resumeFrom = resumeFrom;
    this.ids = ids;
    this.sources = sources;
    this.charset = charset;
    this.maxLineBytes = maxLineBytes;
    this.maxSkipBytes = maxSkipBytes;
    this.limiter = limiter;
    this.ledger = ledger;
    this.stops = stops;
    this.currentSource = sources.get(0).name;
  }

  /** How many threads encode lines ahead; default one per core. */
  LineFeeder encoderThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be positive: " + threads);
    this.encoderThreads = threads;
    return this;
  }

  /** Off: every line takes the parser's path (the tests compare the two). */
  LineFeeder streaming(boolean streaming) {
    this.streaming = streaming;
    return this;
  }

  /** Starts feeding {@code client} on a daemon thread of its own, and returns the thread. */
  Thread start(Analytics client) {
    this.analytics = client;
    // A read from a terminal or pipe cannot be interrupted, and a stop must still be able to
    // flush and report while it is blocked.
    Thread reader = new Thread(this, "analytics4j-import-reader");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  @Override
  public void run() {
    EncodePool pool = new EncodePool(Objects.requireNonNull(analytics), encoderThreads, streaming);
    try {
      for (Importer.Source source : sources) {
        if (stops.stopped()) return;
        currentSource = source.name;
        currentLine = 0;
        Inputs.Opened opened;
        try {
          opened = Inputs.open(source);
        } catch (IOException e) {
          // Nothing of it was read: not a broken line.
          stopReading(source, cannotOpen(e));
          return;
        }
        try (Inputs.Opened in = opened) {
          LineReader lines = new LineReader(in.stream(), charset, maxLineBytes, maxSkipBytes);
          pool.read(lines);
          if (!readSource(source, lines, in, pool)) return;
          ordinalBase += lines.lineNumber();
        } catch (IOException e) {
          brokenLine = true;
          stopReading(source, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
          return;
        }
      }
      allRead = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      // An Error (out of memory, say) must end the run visibly, never as if the input had ended.
      if (failedLine == 0) brokenLine = true;
      stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, describe(e) + " while reading "
          + String.format(Locale.ROOT, "%s line %,d", currentSource, failedLine > 0 ? failedLine : currentLine + 1),
          ImportResult.EXIT_INPUT));
    } finally {
      pool.close();
      ids.close();
      midLine = false;
      finished = true;
      ledger.wake();
    }
  }

  private void stopReading(Importer.Source source, String why) {
    stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.INPUT, source.name + ": " + why, ImportResult.EXIT_INPUT));
  }

  /**
   * Why an input could not be opened (or recognised), in words: the file system's exceptions say
   * only the path (an input removed or renamed after the import started gave "b.ndjson: b.ndjson").
   */
  static String cannotOpen(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "cannot be opened: it is gone (removed or renamed since the import started)";
    }
    if (e instanceof AccessDeniedException) return "cannot be opened: permission denied";
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return "cannot be opened: " + ((FileSystemException) e).getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  static String describe(Throwable e) {
    if (e instanceof OutOfMemoryError) return "ran out of memory (" + e.getMessage() + "; raise -Xmx)";
    if (e instanceof StackOverflowError) return "ran out of stack";
    return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
  }

  /** Reads one source to its end; false when the run stopped first. */
  private boolean readSource(Importer.Source source, LineReader lines, Inputs.Opened in, EncodePool pool)
      throws IOException, InterruptedException {
    long bytesBefore = bytesRead.get();
    while (true) {
      if (stops.stopped()) return false;
      EncodePool.Prepared prepared = pool.next();
      LineReader.Line line = prepared == null ? null : prepared.line;
      // The input's own bytes (compressed, when it is), as its size for the ETA counts them.
      bytesRead.set(bytesBefore + in.bytesRead());
      if (line == null) return true;
      currentLine = line.number;
      long ordinal = ordinalBase + line.number;
      if (line.text != null && line.text.isBlank()) {
        ledger.blank(ordinal);
        continue;
      }
      if (resumeFrom != null && resumeFrom.contains(ordinal)) {
        // Settled for good by an earlier run; its text still counts, so later repeats keep their ids.
        if (line.utf8 != null) ids.skip(line.utf8);
        ledger.read();
        ledger.skipped();
        continue;
      }
      midLine = true;
      Ledger.LineRef ref = new Ledger.LineRef(source.name, line.number, ordinal);
      ledger.read();
      boolean counted = false;
      try {
        if (line.rejection != null) {
          counted = true;
          ledger.reject(ref, line.rejection);
          continue;
        }
        EncodedMessage message = encode(Objects.requireNonNull(prepared), pool, ref);
        if (message == null) {
          counted = true;
          continue;
        }
        if (limiter != null) {
          // The job's ceiling, which adapts to the endpoint's answers; a stop ends the wait.
          long wait;
          while ((wait = limiter.tryAcquire(1)) > 0 && !stops.stopped()) {
            ledger.awaitUntil(stops::stopped, System.nanoTime() + wait);
          }
        }
        boolean sent = send(message, ref);
        counted = true;
        if (!sent) {
          ledger.notDelivered(ref, Outcomes.stopReason(stops));
          return false;
        }
      } catch (Throwable e) {
        // The line was read; it must be counted even when an Error ends the run.
        if (!counted) ledger.notDelivered(ref, describe(e));
        failedLine = line.number;
        throw e;
      } finally {
        midLine = false;
      }
    }
  }

  /**
   * The line as the core encodes it, with its messageId, or null when it was rejected. The pool
   * parsed and encoded it; here, in order, it gets its id, and a repeat is encoded again with its own.
   */
  private @Nullable EncodedMessage encode(EncodePool.Prepared p, EncodePool pool, Ledger.LineRef ref) {
    if (p.parsed == null && !p.streamed) {
      ledger.reject(ref, Objects.requireNonNull(p.rejection, "rejection"));
      return null;
    }
    numericIds.addAndGet(p.numericIds);
    if (p.ownMessageId != null) {
      ids.noteOwnId(p.ownMessageId);
      repeatedIds = ids.repeatedIds();
    } else {
      String id = ids.idFor(Objects.requireNonNull(p.line.utf8), Objects.requireNonNull(p.digest));
      repeats = ids.repeats();
      if (p.encoded == null || !p.encoded.messageId().equals(id)) pool.encodeAgain(p, id);
    }
    if (p.encoded == null) {
      ledger.reject(ref, Objects.requireNonNull(p.rejection, "rejection"));
      return null;
    }
    return p.encoded;
  }

  /** Offers {@code message} within the ledger's room; false when the run stopped first. */
  private boolean send(EncodedMessage message, Ledger.LineRef ref) throws InterruptedException {
    Analytics client = Objects.requireNonNull(analytics);
    while (true) {
      if (!ledger.hold(message.messageId(), ref)) return false;
      boolean accepted;
      try {
        accepted = Wire.offer(client, message);
      } catch (RuntimeException | Error e) {
        ledger.unhold(message.messageId());
        throw e;
      }
      if (accepted) return true;
      // Refused (the callback gave the room back). The queue is sized to hold every line the
      // ledger lets in, so this only happens once the client is closing: the line was read but
      // never sent. A batch's room in the queue is freed just after its callbacks, so the retry
      // waits a moment for it, or for a stop.
      if (stops.stopped()) return false;
      ledger.awaitUntil(stops::stopped, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  boolean finished() {
    return finished;
  }

  boolean midLine() {
    return midLine;
  }

  boolean allRead() {
    return allRead;
  }

  boolean brokenLine() {
    return brokenLine;
  }

  String currentSource() {
    return currentSource;
  }

  long currentLine() {
    return currentLine;
  }

  /** The ordinal of the last line read, across inputs. */
  long lastOrdinal() {
    return ordinalBase + (allRead ? 0 : currentLine);
  }

  long bytesRead() {
    return bytesRead.get();
  }

  long numericIds() {
    return numericIds.get();
  }

  long repeats() {
    return repeats;
  }

  long repeatedIds() {
    return repeatedIds;
  }
}
