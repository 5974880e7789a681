package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * What one client owns and how it is wired: the preparer and encoder that run on the caller's
 * thread, the queue, the spool, the uploader, the reporter, the threads; and the offer path, from a
 * message to its place in the queue or its drop report. {@link Analytics} checks arguments and
 * delegates here; {@link Shutdown} takes it apart.
 */
public final class Pipeline {
  // The client's log lines keep the name users know them by, wherever their code lives.
  private static final Log logger = Log.get(Analytics.class);
  /** The JSON of a message reported without being encoded. */
  private static final byte[] UNENCODED = {'{', '}'};

  private final String url;
  /** {@link #url} for toString: without its query and fragment, nor the write key should the user have put it in the path. */
  private final String shownUrl;
  private final int flushAt;
  private final Duration flushInterval;
  private final int maxQueueSize;
  private final long maxQueueBytes;
  private final int maxInFlightRequests;
  private final boolean gzip;
  private final boolean enabled;
  final Duration closeTimeout;
  private final Duration spoolMaxAge;
  final Transport transport;
  private final MessageEncoder encoder;
  /** The scope's values and the beforeSend hooks, applied before encoding. */
  private final MessagePreparer preparer;
  final Reporter reporter;
  /** Where accepted messages are kept on disk until their outcome is final; null without one. */
  final @Nullable Spool spool;
  final MessageQueue queue;
  final Uploader uploader;
  /** Where flush futures complete. */
  final Workers completer;
  final ClientThreads threads;
  final Shutdown shutdown;
  final Thread flusherThread;
  /** Why the flusher died, once it has; the client then refuses new messages. */
  private volatile @Nullable Throwable failure;

  /**
   * Opens the spool, finds the transport and starts the client's flusher: what {@code build()} does.
   * The spool first: a directory in use or of another key fails the build before a transport is
   * made that would then have to be closed.
   */
  public static Pipeline start(Settings settings) {
    if (settings.flushAtSet && settings.flushAt > settings.maxQueueSize) {
      logger.warn("flushAt ({}) is above maxQueueSize ({}): batches never fill by count, so messages "
          + "wait for flushInterval ({} ms) or a flush, and those beyond {} held are dropped",
          settings.flushAt, settings.maxQueueSize, settings.flushInterval.toMillis(), settings.maxQueueSize);
    }
    String url = settings.url();
    Spool spool = null;
    if (settings.spoolDirectory != null && settings.enabled) {
      int segmentBytes = settings.spoolSegmentBytes > 0 ? settings.spoolSegmentBytes
          : (int) Math.min(Spool.DEFAULT_SEGMENT_BYTES, settings.spoolMaxBytes / 8);
      // A FileChannel closes itself when an interrupted thread uses it, the lock file's with its
      // lock: a caller's pending interrupt must not fail build(). Set aside, and restored after.
      boolean interrupted = Thread.interrupted();
      try {
        spool = Spool.open(settings.spoolDirectory, settings.writeKey, settings.spoolMaxBytes, segmentBytes,
            settings.spoolSync, settings.spoolFileSystems);
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    }
    try {
      Transport transport = settings.transport != null ? settings.transport
          : settings.enabled ? loadTransport(settings)
          : request -> {
            throw new IllegalStateException("a disabled client sends nothing");
          };
      Pipeline pipeline = new Pipeline(settings, url, transport, spool);
      logStart(settings, url, spool);
      return pipeline;
    } catch (RuntimeException | Error e) {
      if (spool != null) spool.close();
      throw e;
    }
  }

  private Pipeline(Settings settings, String url, Transport transport, @Nullable Spool spool) {
    this.url = url;
    this.shownUrl = HttpUrls.shown(url, settings.writeKey);
    this.flushAt = settings.effectiveFlushAt();
    this.flushInterval = settings.flushInterval;
    this.maxQueueSize = settings.maxQueueSize;
    this.maxQueueBytes = settings.maxQueueBytes;
    this.maxInFlightRequests = settings.maxInFlightRequests;
    this.gzip = settings.gzip;
    this.enabled = settings.enabled;
    this.closeTimeout = settings.closeTimeout;
    this.spoolMaxAge = settings.spoolMaxAge;
    this.transport = transport;
    this.encoder = new MessageEncoder(settings.writeKey, Analytics.LIBRARY_NAME, Analytics.VERSION,
        settings.keepMessageLibrary);
    this.preparer = new MessagePreparer(settings.beforeSend, settings.defaultContext);
    this.spool = spool;
    this.reporter = new Reporter(settings.callback, settings.listener, spool);
    this.threads = new ClientThreads(settings.threadFactory);
    this.completer = threads.flushCompleters();
    this.queue = new MessageQueue(maxQueueSize, maxQueueBytes, flushAt, maxInFlightRequests,
        Durations.saturatedNanos(flushInterval), encoder.envelopeSize(), MessageEncoder.MAX_BATCH_BYTES,
        completer, backlogAgeGranularityNanos(settings.spoolMaxAge));
    if (spool != null && spool.recovered > 0) {
      reporter.recovered(spool.recovered);
      queue.recovered(spool.recovered);
    }

    Map<String, String> headers = WireCore.requestHeaders(settings.writeKey, settings.userAgent, gzip);
    RetryPolicy policy = new RetryPolicy(settings.maxRetries, settings.initialBackoff,
        settings.maxBackoff, settings.maxRetryDuration, settings.maxRetryAfter,
        settings.maxRetryAfterTotal, settings.spoolMaxAge);
    long attemptTimeoutNanos = Math.min(Durations.MAX_NANOS,
        Durations.saturatedNanos(settings.connectTimeout) + Durations.saturatedNanos(settings.readTimeout));
    if (attemptTimeoutNanos == 0) attemptTimeoutNanos = Durations.MAX_NANOS;
    this.uploader = new Uploader(transport, encoder, policy, reporter, queue, url, headers,
        settings.writeKey, gzip, attemptTimeoutNanos, threads.uploadWorkers(maxInFlightRequests),
        spool == null ? () -> false : spool::keepsForNextClient);

    Runnable refill = spool == null ? null : () -> spool.backlog().refill(queue, reporter);
    this.shutdown = new Shutdown(this, settings.shutdownHook);
    try {
      this.flusherThread = threads.startFlusher(new Flusher(queue, uploader, this::flusherDied, refill));
    } catch (IllegalStateException e) {
      shutdown.removeHook();
      throw e;
    }
  }

  private static Transport loadTransport(Settings settings) {
    Iterator<Transport.Factory> factories =
        ServiceLoader.load(Transport.Factory.class, Analytics.class.getClassLoader()).iterator();
    if (!factories.hasNext()) {
      throw new IllegalStateException("No Transport found: add dev.analytics4j:analytics-okhttp "
          + "to the classpath, or pass one to transport(...)");
    }
    return factories.next().create(settings.connectTimeout, settings.readTimeout);
  }

  /** One line on where events go, so that a misrouted client is seen at startup; never the key. */
  private static void logStart(Settings settings, String url, @Nullable Spool spool) {
    if (!settings.enabled) {
      logger.info("analytics4j {}: disabled; messages are checked, then dropped (DISABLED)", Analytics.VERSION);
      return;
    }
    URI uri = URI.create(url);
    logger.info("analytics4j {}: sending to {}://{} ({}region {}); spool {}", Analytics.VERSION, uri.getScheme(),
        new Redactor(settings.writeKey).redact(uri.getRawAuthority()), settings.endpoint != null || settings.uploadUrl != null ? "endpoint set, not the " : "",
        settings.region, spool == null ? "off" : "on in " + spool.directory() + ", " + settings.spoolSync);
  }

  /**
   * A thousandth of {@code spoolMaxAge}, at least 1 ms: how much later than its time a backlogged
   * message may expire, in exchange for a bounded record of when the backlog was accepted.
   */
  private static long backlogAgeGranularityNanos(Duration spoolMaxAge) {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Durations.saturatedNanos(spoolMaxAge) / 1000);
  }

  public ContextScopes scopes() {
    return preparer.scopes;
  }

  /** Builds {@code message} with the scope's user filling in when it names none. */
  public Message build(Message.Builder<?, ?> message) {
    return preparer.build(message);
  }

  /** {@code enqueue}: refuses by throwing once closed or failed, then offers. */
  public void enqueue(Message message) {
    checkUsable();
    // A close (or a failure) that begins after the check above drops the message with a report,
    // as offer would: one signal per message, never both the exception and a callback.
    offer(message);
  }

  /** Applies the scope and the hooks, encodes once, and offers; a hook's drop is reported here. */
  public boolean offer(Message message) {
    EncodedMessage encoded;
    try {
      Message prepared = preparer.prepare(message);
      encoded = encodeChecked(prepared, message);
    } catch (MessagePreparer.Dropped dropped) {
      return dropUnencoded(message, dropped.reason);
    }
    return offer(encoded);
  }

  /**
   * Encodes {@code prepared}; when the encoder refuses a message the hooks changed, it is the
   * hooks' doing unless the caller's own message is refused too.
   */
  private EncodedMessage encodeChecked(Message prepared, Message original) {
    try {
      return encode(prepared);
    } catch (RuntimeException e) {
      if (prepared == original || !preparer.hasHooks()) throw e;
      encode(preparer.scoped(original));
      throw preparer.failedEncoding(prepared, e);
    }
  }

  /** Reports a message that will never be encoded: its report carries its type and messageId. */
  private boolean dropUnencoded(Message message, DropReason reason) {
    EncodedMessage stub = Internal.get().encodedMessage(message.type(), message.messageId(), UNENCODED, false);
    reporter.enqueued(stub);
    dropped(stub, queue.reserveDrop(), reason);
    return false;
  }

  /**
   * The encoder, when a message's bytes depend on the message alone (no hooks, no default context,
   * no request data in the current scope); null otherwise. For {@link Wire#encodeLine}, which writes a
   * line's bytes without a message.
   */
  @Nullable MessageEncoder plainEncoder() {
    return preparer.hasHooks() || preparer.mayHaveDefaults() ? null : encoder;
  }

  /** Whether {@link BeforeSend} hooks run on each message: {@code Wire.encode} must not pass around them. */
  boolean hasHooks() {
    return preparer.hasHooks();
  }

  EncodedMessage encode(Message message) {
    // With hooks, defaultContext was merged before them, so that they see (and may redact) it.
    if (preparer.hasHooks()) return encoder.encode(message);
    Map<String, ?> context = preparer.defaults();
    if (context == null) return encoder.encode(message);
    try {
      return encoder.encode(message, context);
    } catch (MessageEncoder.TooLarge e) {
      // Context added for every message must never make one too large: it is left out of this one.
      // A message too large by itself still fails below, as it would without a defaultContext.
      EncodedMessage without = encoder.encode(message);
      logger.debug("defaultContext left out of {} {}: with it the message would be too large ({})",
          message.type().wireName(), message.messageId(), e.getMessage());
      return without;
    }
  }

  boolean offer(EncodedMessage encoded) {
    reporter.enqueued(encoded);
    if (spool != null) {
      Spool.Result result = spool.append(encoded, queue);
      // Detached from a directory that is no longer ours: kept in memory, as without a spool.
      if (result != Spool.Result.DETACHED) return spooled(encoded, result);
    }
    Placement placement = enabled ? queue.put(encoded) : queue.reserveDrop();
    if (placement == Placement.ACCEPTED) return true;
    if (dropped(encoded, placement, enabled ? DropReason.QUEUE_FULL : DropReason.DISABLED)) {
      if (!enabled) return true;
      checkFlusherAlive();
    }
    return false;
  }

  /** What the spool did with a message: accepted only once it was written there. */
  private boolean spooled(EncodedMessage encoded, Spool.Result result) {
    switch (result) {
      case ACCEPTED:
      case BACKLOGGED:
        return true;
      case FULL:
      case ERROR:
        DropReason reason = result == Spool.Result.FULL ? DropReason.SPOOL_FULL : DropReason.SPOOL_ERROR;
        if (dropped(encoded, queue.reserveDrop(), reason)) checkFlusherAlive();
        return false;
      case FAILED:
        reporter.dropped(encoded, DropReason.CLIENT_FAILED);
        return false;
      default:
        reporter.dropped(encoded, DropReason.CLOSED);
        return false;
    }
  }

  /**
   * Reports the drop of a message the queue did not take: for {@code whenFull} when the queue
   * counted it among the flushes (a flush started after it counts it), else for the queue's close or
   * failure. Returns whether it was counted.
   */
  private boolean dropped(EncodedMessage encoded, Placement placement, DropReason whenFull) {
    if (!placement.isFull()) {
      reporter.dropped(encoded, placement == Placement.FAILED ? DropReason.CLIENT_FAILED : DropReason.CLOSED);
      return false;
    }
    try {
      reporter.dropped(encoded, whenFull);
    } finally {
      queue.settle(Collections.singletonList(new FlushEpoch.Run(placement.epoch, 1)), FlushEpochs.Outcome.DROPPED);
    }
    return true;
  }

  void checkUsable() {
    Throwable failure = this.failure;
    if (failure != null) {
      throw new IllegalStateException("Analytics failed: its flusher thread died of " + failure
          + "; build a new client", failure);
    }
    if (shutdown.isClosed()) throw new IllegalStateException("Analytics is closed");
  }

  public CompletableFuture<FlushResult> flush() {
    if (shutdown.isClosed()) throw new IllegalStateException("Analytics is closed");
    checkFlusherAlive();
    return queue.flush();
  }

  /** Waits for {@link #flush()} until {@code timeoutNanos} pass, through interrupts, keeping the interrupt status. */
  public FlushResult flush(long timeoutNanos) {
    String hook = Reporter.hookRunning();
    if (hook != null) {
      throw new IllegalStateException("flush(Duration) called from " + hook + " would wait for itself; "
          + "use flush() and a continuation instead");
    }
    FlushFuture result = (FlushFuture) flush();
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          return result.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException e) {
          return queue.progress(result);
        } catch (ExecutionException e) {
          throw new IllegalStateException("flush failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Notices a flusher thread that ended without running our loop (a thread factory whose thread
   * died at once), which would otherwise hold every message until close.
   */
  private void checkFlusherAlive() {
    if (failure == null && !shutdown.isClosed() && !flusherThread.isAlive()) {
      flusherDied(new IllegalStateException("the flusher thread " + flusherThread.getName()
          + " is not running; the threadFactory's thread ended without running it"));
    }
  }

  /** Called by the flusher thread if it ever ends other than by close. */
  private void flusherDied(Throwable cause) {
    synchronized (this) {
      if (failure != null) return;
      failure = cause;
    }
    try {
      logger.error("The flusher thread died; the client refuses new messages and reports what it held "
          + "as dropped (CLIENT_FAILED)", cause);
    } catch (Throwable ignored) {
      // Reporting the messages matters more.
    }
    shutdown.afterFlusherDied();
  }

  public Metrics metrics() {
    if (spool == null) return reporter.snapshot(queue.heldMessages(), queue.heldBytes());
    return reporter.snapshot(queue.heldMessages(), queue.heldBytes(), queue.backlog() + reporter.untold(),
        spool.bytes());
  }

  /** {@code Analytics.close(Duration)}: see its contract. */
  public void close(long timeoutNanos) {
    shutdown.close(timeoutNanos);
  }

  /** What {@code close()} passes to {@link #close(long)}. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  @Override
  public String toString() {
    return "Analytics{url=" + shownUrl + ", flushAt=" + flushAt + ", flushInterval=" + flushInterval
        + ", maxQueueSize=" + maxQueueSize + ", maxQueueBytes=" + maxQueueBytes
        + ", maxInFlightRequests=" + maxInFlightRequests + ", gzip=" + gzip
        + (spool != null ? ", " + spool + ", spoolMaxAge=" + spoolMaxAge : "")
        + ", closed=" + shutdown.isClosed() + "}";
  }
}
