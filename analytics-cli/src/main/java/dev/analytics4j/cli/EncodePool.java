package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.internal.NameUuids;
import dev.analytics4j.internal.Wire;
import dev.analytics4j.messages.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Reads lines ahead and parses, validates and encodes them on worker threads, one per core, while
 * the feeder's thread hands them out in the order they were read: the lines' accounting, their
 * messageIds and the order they reach the client stay those of one thread.
 *
 * <p>A line without a messageId is encoded with the id of its first occurrence (the hash of its
 * text), which is its id unless it repeats an earlier line; whether it does is known only in order,
 * from the {@link MessageIds} counter, and a repeat is encoded again there with its own id
 * ({@link #encodeAgain}). Repeats are rare, so nearly every line is encoded once, in parallel.
 *
 * <p>Read-ahead is bounded ({@code threads * 4} chunks of {@link #CHUNK} lines), and an I/O error
 * or an {@link Error} is handed out in its place, after the lines read before it.
 */
final class EncodePool implements AutoCloseable {
  /** Lines per task: large enough that handing them over costs little per line. */
  static final int CHUNK = 128;
  private static final AtomicInteger POOLS = new AtomicInteger();

  /** A line as read, with what the workers made of it. */
  static final class Prepared {
    final LineReader.Line line;
    /** Why the line is refused (parse or the core's checks); null when it is not. */
    @Nullable String rejection;
    LineParser.@Nullable Parsed parsed;
    /** Encoded with its own messageId, or with the id of its text's first occurrence. */
    @Nullable EncodedMessage encoded;
    /** The hash of its text, when it has no messageId of its own. */
    byte @Nullable [] digest;
    /** The line's own messageId; null when it has none (its id derives from its text). */
    @Nullable String ownMessageId;
    /** How many of its ids were whole numbers, sent as text. */
    int numericIds;
    /** Encoded from its bytes by the core ({@link Wire#encodeLine}), without the parser. */
    boolean streamed;

    Prepared(LineReader.Line line) {
      this.line = line;
    }
  }

  private final Analytics client;
  /** Whether lines go to {@link Wire#encodeLine} first; off, every line takes the parser's path. */
  private final boolean streaming;
  private final ExecutorService workers;
  private final int maxChunks;
  private final Deque<Future<List<Prepared>>> chunks = new ArrayDeque<>();
  private final Deque<Prepared> ready = new ArrayDeque<>();
  private final ThreadLocal<LineParser> parsers = ThreadLocal.withInitial(LineParser::new);
  private @Nullable LineReader reader;
  /** What ended reading the current reader, handed out after the lines before it. */
  private @Nullable IOException readFailure;
  private boolean readerDone;

  EncodePool(Analytics client, int threads) {
    this(client, threads, true);
  }

  EncodePool(Analytics client, int threads, boolean streaming) {
    this.client = client;
    this.streaming = streaming;
    this.maxChunks = threads * 4;
    int pool = POOLS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "analytics4j-import-encoder-" + pool + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Reads from {@code lines} from now on; the one before must have been read to its end. */
  void read(LineReader lines) {
    this.reader = lines;
    this.readerDone = false;
    this.readFailure = null;
  }

  /**
   * The next line of the reader in order, prepared; null at its end.
   *
   * @throws IOException where reading failed, after every line read before it was handed out.
   */
  @Nullable Prepared next() throws IOException, InterruptedException {
    while (ready.isEmpty()) {
      // A read that waits for the input only when nothing read is waiting to be handed out.
      fill(chunks.isEmpty());
      Future<List<Prepared>> head = chunks.poll();
      if (head == null) {
        if (readFailure != null) {
          IOException e = readFailure;
          readFailure = null;
          throw e;
        }
        return null;
      }
      try {
        ready.addAll(head.get());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error) throw (Error) cause;
        if (cause instanceof RuntimeException) throw (RuntimeException) cause;
        throw new IllegalStateException(cause);
      }
    }
    fill(false); // keep the workers busy while the caller handles this line
    return ready.poll();
  }

  /**
   * Reads chunks and hands them to the workers until {@code maxChunks} are out, reading ended, or
   * (unless {@code mayWait}) the next line would wait for the input.
   */
  private void fill(boolean mayWait) {
    LineReader lines = reader;
    while (!readerDone && lines != null && chunks.size() < maxChunks) {
      if (!mayWait && !lines.readyWithoutBlocking()) return;
      List<Prepared> chunk = new ArrayList<>(CHUNK);
      try {
        for (int i = 0; i < CHUNK; i++) {
          // The first line may wait when allowed; the others only if they are there already.
          if ((i > 0 || !mayWait) && !lines.readyWithoutBlocking()) break;
          LineReader.Line line = lines.next();
          if (line == null) {
            readerDone = true;
            break;
          }
          chunk.add(new Prepared(line));
        }
      } catch (IOException e) {
        readerDone = true;
        readFailure = e;
      }
      mayWait = false;
      if (!chunk.isEmpty()) chunks.add(workers.submit(() -> prepare(chunk)));
    }
  }

  private List<Prepared> prepare(List<Prepared> chunk) {
    for (Prepared p : chunk) {
      LineReader.Line line = p.line;
      byte[] utf8 = line.utf8;
      if (line.rejection != null || line.text == null || utf8 == null || line.text.isBlank()) continue;
      if (streaming) {
        // Most lines: validated and encoded from their bytes, no maps. The id derives from the text
        // only when the line has none of its own, as on the parser's path.
        Wire.EncodedLine encoded = Wire.encodeLine(client, utf8,
            () -> NameUuids.fromSha1(p.digest = MessageIds.textDigest(utf8)));
        if (encoded != null) {
          p.encoded = encoded.message();
          p.ownMessageId = encoded.ownMessageId();
          p.numericIds = encoded.numericIds();
          p.streamed = true;
          continue;
        }
      }
      parse(p);
    }
    return chunk;
  }

  /** The parser's path: a line the core is not sure of, which the parser builds, or refuses saying why. */
  private void parse(Prepared p) {
    LineReader.Line line = p.line;
    try {
      p.parsed = parsers.get().parse(Objects.requireNonNull(line.text));
    } catch (LineRejectedException e) {
      p.rejection = e.getMessage();
      return;
    }
    p.ownMessageId = p.parsed.messageId;
    p.numericIds = p.parsed.numericIds;
    if (p.parsed.messageId == null) {
      p.digest = MessageIds.textDigest(Objects.requireNonNull(line.utf8));
      p.parsed.builder.messageId(NameUuids.fromSha1(p.digest));
    }
    encode(p);
  }

  /** Builds and encodes {@code p} with the messageId its builder has; sets the rejection instead when refused. */
  private void encode(Prepared p) {
    LineParser.Parsed parsed = p.parsed;
    if (parsed == null) return;
    Message message;
    try {
      message = parsed.builder.build();
    } catch (IllegalArgumentException e) {
      p.rejection = "invalid message: " + e.getMessage();
      p.encoded = null;
      return;
    }
    try {
      p.encoded = Wire.encode(client, message);
      p.rejection = null;
    } catch (IllegalArgumentException e) {
      // The core's checks: over 32,000 bytes, a value the wire cannot carry.
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      p.rejection = reason.contains("-byte limit") ? "oversize: " + reason : "invalid message: " + reason;
      p.encoded = null;
    }
  }

  /** Encodes {@code p} again, on the caller's thread, with {@code messageId} (a repeat's own id). */
  void encodeAgain(Prepared p, String messageId) {
    if (p.streamed) {
      Wire.EncodedLine again = Wire.encodeLine(client, Objects.requireNonNull(p.line.utf8), () -> messageId);
      if (again != null) {
        p.encoded = again.message();
        return;
      }
      // Encoded once, so it encodes again; should it not, the parser's path gives the same message.
      p.streamed = false;
      parse(p);
    }
    if (p.parsed == null) return;
    p.parsed.builder.messageId(messageId);
    encode(p);
  }

  /** Stops the workers; lines read ahead and not handed out are dropped (they were never counted read). */
  @Override
  public void close() {
    workers.shutdownNow();
  }
}
