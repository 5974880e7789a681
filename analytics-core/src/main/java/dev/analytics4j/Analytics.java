package dev.analytics4j;

import dev.analytics4j.internal.Log;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import dev.analytics4j.internal.Wire;
import dev.analytics4j.messages.Message;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The client: validates and serializes each message on the caller's thread, holds it in a bounded
 * queue, and sends batches to {@code {host}/v1/batch} from its own threads.
 *
 * <pre>{@code
 * Analytics analytics = Analytics.builder(writeKey).build();
 * analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(props));
 * FlushResult result = analytics.flush(Duration.ofSeconds(30)); // what became of them
 * analytics.close(); // sends what is queued, within closeTimeout
 * }</pre>
 *
 * <p>Every message {@code enqueue} accepts, or {@code offer} is given, ends in exactly one
 * {@link Callback} call: success, failure or drop; a message {@code enqueue} refuses by throwing is
 * not reported anywhere else. {@code enqueue} never blocks: when the queue is full the message is
 * dropped and reported. Instances are thread-safe; make one per write key and share it.
 *
 * <h2>Callbacks</h2>
 * Callbacks run on the client's upload threads (drops at enqueue on the caller's thread, drops at
 * close on a thread of the client's), one batch after another; a slow callback holds back that
 * thread's next upload. Anything a callback throws, an {@link Error} included, is logged and
 * ignored. A callback may enqueue, offer and flush, and may call {@code close()}, which then starts
 * closing and returns without waiting (it would wait for itself); {@link #flush(Duration)} from a
 * callback throws, for the same reason. All of this holds for {@link AnalyticsListener} methods too.
 *
 * <h2>Threads</h2>
 * The client's threads come from {@link Builder#threadFactory} when one is set. A factory that
 * cannot give the first one, the flusher (it throws, returns null, or its thread cannot start or
 * ends without running), fails {@link Builder#build()}. Later, a thread that cannot be had for an
 * upload, a flush's completion or close's work is done without it, on the client thread that asked
 * (the flusher sends the batch itself), and a new thread is tried again a second later: messages
 * are then sent more slowly, never left without their report.
 */
public final class Analytics implements Closeable {
  private static final Log logger = Log.get(Analytics.class);
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
  /**
   * How long close waits, after its deadline, for the client's threads and the callbacks of what it
   * gave up on; past it they finish on their own daemon threads.
   */
  /** The JSON of a message reported without being encoded. */
  private static final byte[] UNENCODED = {'{', '}'};
  private static final long THREAD_STOP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** How long {@code build()} waits for the thread factory's first thread to run the flusher. */
  private static final long FLUSHER_START_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * How long close spends telling the callback about a backlog it leaves in the spool, within the
   * half second it may take past its deadline; and how many messages it reads back at a time.
   */
  private static final long BACKLOG_TELL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final int BACKLOG_TELL_CHUNK = 100;

  /** This library's name and version, as sent in {@code context.library}. */
  public static final String LIBRARY_NAME = "analytics4j";
  public static final String VERSION = loadVersion();

  static {
    Wire.install(new WireCore());
  }

  private final String url;
  private final int flushAt;
  private final Duration flushInterval;
  private final int maxQueueSize;
  private final long maxQueueBytes;
  private final int maxInFlightRequests;
  private final boolean gzip;
  private final boolean enabled;
  private final @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;
  private final Duration closeTimeout;
  private final Duration spoolMaxAge;
  private final Transport transport;
  private final MessageEncoder encoder;
  /** The scope's values and the beforeSend hooks, applied before encoding. */
  private final MessagePreparer preparer;
  private final Reporter reporter;
  /** Where accepted messages are kept on disk until their outcome is final; null without one. */
  private final @Nullable Spool spool;
  private final MessageQueue queue;
  private final Uploader uploader;
  private final Workers completer;
  private final ThreadFactory closeThreads;
  private final Thread flusherThread;
  private final @Nullable Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  /** Why the flusher died, once it has; the client then refuses new messages. */
  private volatile @Nullable Throwable failure;

  private Analytics(Builder builder, String url, Transport transport, @Nullable Spool spool) {
    this.url = url;
    this.flushAt = builder.flushAtSet ? builder.flushAt : Math.min(builder.flushAt, builder.maxQueueSize);
    this.flushInterval = builder.flushInterval;
    this.maxQueueSize = builder.maxQueueSize;
    this.maxQueueBytes = builder.maxQueueBytes;
    this.maxInFlightRequests = builder.maxInFlightRequests;
    this.gzip = builder.gzip;
    this.enabled = builder.enabled;
    this.defaultContext = builder.defaultContext;
    this.closeTimeout = builder.closeTimeout;
    this.spoolMaxAge = builder.spoolMaxAge;
    this.transport = transport;
    this.encoder = new MessageEncoder(builder.writeKey, LIBRARY_NAME, VERSION, builder.keepMessageLibrary);
    this.preparer = new MessagePreparer(builder.beforeSend, builder.defaultContext);
    this.spool = spool;
    this.reporter = new Reporter(builder.callback, builder.listener, spool);

    int id = CLIENT_IDS.incrementAndGet();
    ThreadFactory uploadThreads = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-upload-" + id + "-");
    ThreadFactory flusherThreads = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-flusher-" + id);
    ThreadFactory flushThreadFactory = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-flush-" + id + "-");
    this.closeThreads = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-close-" + id + "-");
    // Flush futures complete here, never on an upload thread: a continuation that blocks (on
    // another flush, say) gets a thread of its own instead of stalling uploads.
    this.completer = new Workers(flushThreadFactory, Integer.MAX_VALUE, TimeUnit.SECONDS.toNanos(10), "flush");
    this.queue = new MessageQueue(maxQueueSize, maxQueueBytes, flushAt, maxInFlightRequests,
        Durations.saturatedNanos(flushInterval), encoder.envelopeSize(), MessageEncoder.MAX_BATCH_BYTES,
        completer, backlogAgeGranularityNanos(builder.spoolMaxAge));
    if (spool != null && spool.recovered > 0) {
      reporter.recovered(spool.recovered);
      queue.recovered(spool.recovered);
    }

    Map<String, String> headers = WireCore.requestHeaders(builder.writeKey, builder.userAgent, gzip);
    RetryPolicy policy = new RetryPolicy(builder.maxRetries, builder.initialBackoff,
        builder.maxBackoff, builder.maxRetryDuration, builder.maxRetryAfter,
        builder.maxRetryAfterTotal, builder.spoolMaxAge);
    long attemptTimeoutNanos = Math.min(Durations.MAX_NANOS,
        Durations.saturatedNanos(builder.connectTimeout) + Durations.saturatedNanos(builder.readTimeout));
    if (attemptTimeoutNanos == 0) attemptTimeoutNanos = Durations.MAX_NANOS;
    this.uploader = new Uploader(transport, encoder, policy, reporter, queue, url, headers,
        builder.writeKey, gzip, maxInFlightRequests, attemptTimeoutNanos, uploadThreads,
        spool == null ? () -> false : spool::keepsForNextClient);

    Runnable refill = spool == null ? null : () -> spool.backlog().refill(queue, reporter);
    Thread hook = null;
    if (builder.shutdownHook) {
      hook = new Thread(this::closeFromShutdownHook, "analytics4j-shutdown-" + id);
      Runtime.getRuntime().addShutdownHook(hook);
    }
    this.shutdownHook = hook;
    try {
      // Waits until the thread runs the flusher, so that a factory that cannot give one fails here,
      // where the caller can act, rather than leaving every message unsent until close.
      this.flusherThread = Threads.start(flusherThreads, new Flusher(queue, uploader, this::flusherDied, refill),
          FLUSHER_START_WAIT_NANOS);
    } catch (IllegalStateException e) {
      if (hook != null) Runtime.getRuntime().removeShutdownHook(hook);
      throw new IllegalStateException("Cannot start the client's flusher thread: " + e.getMessage(),
          e.getCause());
    }
  }

  /** Starts configuring a client for {@code writeKey}, the source's key from its settings page. */
  public static Builder builder(String writeKey) {
    return new Builder(writeKey);
  }

  /**
   * Builds the message, serializes it, and queues it for sending, without blocking.
   *
   * @throws IllegalArgumentException if the message is invalid or larger than 32,000 bytes
   *     serialized; the message names the field or key path.
   * @throws IllegalStateException after {@link #close()} has started, or once the client has
   *     failed; the message is then not reported anywhere else.
   */
  public void enqueue(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    enqueue(preparer.build(message));
  }

  /** Like {@link #enqueue(Message.Builder)}, for a message already built. */
  public void enqueue(Message message) {
    Objects.requireNonNull(message, "message == null");
    checkUsable();
    // A close (or a failure) that begins after the check above drops the message with a report,
    // as offer would: one signal per message, never both the exception and a callback.
    offerPrepared(message);
  }

  /**
   * Like {@link #enqueue(Message.Builder)}, but reports instead of throwing once closed: a message
   * that was not accepted (queue full, closed, client failed, dropped by a {@link BeforeSend} hook)
   * has been reported to the callback as dropped when this returns false. A client built with
   * {@code enabled(false)} reports every message dropped ({@link DropReason#DISABLED}) and returns
   * true.
   *
   * @throws IllegalArgumentException if the message is invalid, as {@code enqueue} does.
   */
  public boolean offer(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    return offer(preparer.build(message));
  }

  /** Like {@link #offer(Message.Builder)}, for a message already built. */
  public boolean offer(Message message) {
    Objects.requireNonNull(message, "message == null");
    return offerPrepared(message);
  }

  /**
   * Starts a scope of this client: values for every message enqueued on this thread until it is
   * closed. See {@link AnalyticsContext}.
   */
  public AnalyticsContext.Builder context() {
    return new AnalyticsContext.Builder(preparer.scopes);
  }

  /** This client's context on this thread, to carry elsewhere with {@link #attach}; empty outside scopes. */
  public AnalyticsContext currentContext() {
    return preparer.scopes.current();
  }

  /** Makes {@code context} (taken with {@link #currentContext()}) this client's context on this thread until closed. */
  public AnalyticsContext.Scope attach(AnalyticsContext context) {
    Objects.requireNonNull(context, "context == null");
    return preparer.scopes.attach(context);
  }

  /** {@code task}, run in the context current here and now, wherever it runs. */
  public Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task == null");
    return preparer.scopes.wrap(task);
  }

  /** {@code task}, run in the context current here and now, wherever it runs. */
  public <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task == null");
    return preparer.scopes.wrap(task);
  }

  /** An executor that runs each task in the context current where it was submitted. */
  public Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor == null");
    return preparer.scopes.wrap(executor);
  }

  /** Applies the scope and the hooks, encodes once, and offers; a hook's drop is reported here. */
  private boolean offerPrepared(Message message) {
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
    EncodedMessage stub = new EncodedMessage(message.type(), message.messageId(), UNENCODED);
    reporter.enqueued(stub);
    MessageQueue.Offer offer = queue.reserveDrop();
    if (offer.isFull()) {
      try {
        reporter.dropped(stub, reason);
      } finally {
        queue.settle(Collections.singletonList(new FlushEpoch.Run(offer.epoch, 1)), MessageQueue.Outcome.DROPPED);
      }
    } else {
      reporter.dropped(stub, offer == MessageQueue.Offer.FAILED ? DropReason.CLIENT_FAILED : DropReason.CLOSED);
    }
    return false;
  }

  /** Whether {@link BeforeSend} hooks run on each message: {@code Wire.encode} must not pass around them. */
  boolean hasHooks() {
    return preparer.hasHooks();
  }

  EncodedMessage encode(Message message) {
    // With hooks, defaultContext was merged before them, so that they see (and may redact) it.
    if (defaultContext == null || preparer.hasHooks()) return encoder.encode(message);
    Map<String, ?> context;
    try {
      context = defaultContext.get();
    } catch (RuntimeException e) {
      logger.warn("defaultContext threw; sending the message without it", e);
      context = null;
    }
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
    MessageQueue.Offer offer = enabled ? queue.offer(encoded) : queue.reserveDrop();
    if (offer == MessageQueue.Offer.ACCEPTED) return true;
    if (offer.isFull()) {
      DropReason reason = enabled ? DropReason.QUEUE_FULL : DropReason.DISABLED;
      try {
        reporter.dropped(encoded, reason);
      } finally {
        queue.settle(Collections.singletonList(new FlushEpoch.Run(offer.epoch, 1)), MessageQueue.Outcome.DROPPED);
      }
      if (!enabled) return true;
      checkFlusherAlive();
    } else {
      reporter.dropped(encoded, offer == MessageQueue.Offer.FAILED ? DropReason.CLIENT_FAILED : DropReason.CLOSED);
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
        MessageQueue.Offer offer = queue.reserveDrop();
        if (offer.isFull()) {
          try {
            reporter.dropped(encoded, result == Spool.Result.FULL ? DropReason.SPOOL_FULL : DropReason.SPOOL_ERROR);
          } finally {
            queue.settle(Collections.singletonList(new FlushEpoch.Run(offer.epoch, 1)), MessageQueue.Outcome.DROPPED);
          }
          checkFlusherAlive();
        } else {
          reporter.dropped(encoded, offer == MessageQueue.Offer.FAILED ? DropReason.CLIENT_FAILED : DropReason.CLOSED);
        }
        return false;
      case FAILED:
        reporter.dropped(encoded, DropReason.CLIENT_FAILED);
        return false;
      default:
        reporter.dropped(encoded, DropReason.CLOSED);
        return false;
    }
  }

  private void checkUsable() {
    Throwable failure = this.failure;
    if (failure != null) {
      throw new IllegalStateException("Analytics failed: its flusher thread died of " + failure
          + "; build a new client", failure);
    }
    if (closed.get()) throw new IllegalStateException("Analytics is closed");
  }

  private void checkNotClosed() {
    if (closed.get()) throw new IllegalStateException("Analytics is closed");
  }

  /**
   * Sends the messages enqueued before this call without waiting for {@code flushAt} or the
   * interval, and returns what became of them.
   *
   * <p>A flush covers the messages enqueued (accepted, or dropped at enqueue) after the previous
   * flush call and before this one, and counts each of them whenever it settled, before or after
   * this call: a job that enqueues N messages and then flushes learns exactly how many of the N were
   * delivered, failed and dropped. The future completes once each of them, and every message
   * enqueued before them, has been reported to the callback: it also waits for everything enqueued
   * before, and once it completes the counts of every earlier flush are final (their futures may
   * complete a moment later, on another thread). It never completes exceptionally, and it completes on a thread of the client's made for
   * that, never on an upload thread, so a continuation may block.
   *
   * <p>Concurrent flushes split the messages between them: each message is counted by exactly one
   * flush, the first that starts after it was enqueued, whichever thread enqueued it. A flush with
   * nothing enqueued since the previous one counts nothing and completes with it. A flush does not
   * make batches smaller than they would be: flushing after every message still sends full batches
   * whenever uploads are busy.
   *
   * <p>The returned future is the client's: calls to complete or cancel it are ignored.
   *
   * @throws IllegalStateException after {@link #close()} has started.
   */
  public CompletableFuture<FlushResult> flush() {
    checkNotClosed();
    checkFlusherAlive();
    return queue.flush();
  }

  /**
   * Notices a flusher thread that ended without running our loop (a thread factory whose thread
   * died at once), which would otherwise hold every message until close.
   */
  private void checkFlusherAlive() {
    if (failure == null && !closed.get() && !flusherThread.isAlive()) {
      flusherDied(new IllegalStateException("the flusher thread " + flusherThread.getName()
          + " is not running; the threadFactory's thread ended without running it"));
    }
  }

  /**
   * Like {@link #flush()}, waiting at most {@code timeout} (any length: long durations saturate).
   * When the timeout passes first, the result is not complete and counts what had settled by then;
   * the rest are still being sent. Waiting is not interruptible; the interrupt status is kept.
   *
   * @throws IllegalStateException after {@link #close()} has started, or when called from a
   *     {@link Callback} or an {@link AnalyticsListener} method, which would wait for itself.
   */
  public FlushResult flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    String hook = Reporter.hookRunning();
    if (hook != null) {
      throw new IllegalStateException("flush(Duration) called from " + hook + " would wait for itself; "
          + "use flush() and a continuation instead");
    }
    FlushFuture result = (FlushFuture) flush();
    long deadline = System.nanoTime() + Durations.saturatedNanos(timeout);
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

  /** A snapshot of the counters. */
  public Metrics metrics() {
    if (spool == null) return reporter.snapshot(queue.heldMessages(), queue.heldBytes());
    return reporter.snapshot(queue.heldMessages(), queue.heldBytes(), queue.backlog() + reporter.untold(),
        spool.bytes());
  }

  /** Closes within the builder's {@code closeTimeout}; see {@link #close(Duration)}. */
  @Override
  public void close() {
    close(closeTimeout);
  }

  /**
   * Stops taking messages, sends everything queued, and stops the client's threads.
   *
   * <p>Returns within {@code timeout} plus at most half a second, whatever the transport and the
   * callbacks do, even when the calling thread is interrupted (its interrupt status is kept). When
   * it returns, every message has its outcome and {@link #metrics()} is final: messages never sent
   * by the deadline are dropped with {@link DropReason#CLOSE_TIMEOUT} (with a spool, all that is
   * unsent, on the wire included, stays on disk and is dropped with {@link DropReason#SPOOLED}
   * instead: the next client on the directory sends it), and those whose request was on
   * the wire, or had been answered with an error, are failed, with {@link
   * Failure#mayHaveBeenDelivered()} saying whether they might have arrived. Their callbacks run on a
   * thread of the client's; callbacks too slow to finish within that half second go on after close
   * returns, and a WARN says so. Flushes still waiting complete then too.
   *
   * <p>Idempotent: later calls wait for the first to finish, up to their own timeout, except from a
   * callback, where they return at once. Never shuts down an HTTP client passed in.
   */
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    long start = System.nanoTime();
    long timeoutNanos = Durations.saturatedNanos(timeout);
    if (!closed.compareAndSet(false, true)) {
      if (Reporter.hookRunning() == null) awaitTerminated(timeoutNanos);
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down; the hook is running or will find us closed.
      }
    }
    if (Thread.currentThread() == flusherThread && closeOnACloseThread(start, timeoutNanos)) return;
    boolean interrupted = Thread.interrupted();
    try {
      shutDown(start, timeoutNanos);
    } finally {
      terminated.countDown();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes on a close thread, for a callback or listener that closes from the flusher thread (which
   * runs them when it sends a batch itself, no upload thread being had): waiting there for the
   * flusher to drain would be waiting for itself. False when no close thread can be had.
   */
  private boolean closeOnACloseThread(long start, long timeoutNanos) {
    Runnable close = () -> {
      try {
        shutDown(start, timeoutNanos);
      } finally {
        terminated.countDown();
      }
    };
    try {
      Threads.start(closeThreads, close, Threads.START_WAIT_NANOS);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private void shutDown(long start, long timeoutNanos) {
    long deadline = start + timeoutNanos;
    boolean onFlusher = Thread.currentThread() == flusherThread;
    queue.close();
    // A flusher that ended while messages are still held died without reporting them.
    boolean drained = !onFlusher && Threads.join(flusherThread, deadline)
        && queue.heldMessages() == 0 && queue.backlog() == 0;
    Thread reports = null;
    if (!drained) {
      long tellDeadline = System.nanoTime() + BACKLOG_TELL_NANOS;
      reports = giveUp(queue.abandon(false), DropReason.CLOSE_TIMEOUT, start, tellDeadline);
    }
    uploader.abort();
    // One budget for every wait, so close returns within its deadline plus this even when the
    // transport ignores cancellation or blocks in close, or callbacks are slow; threads still
    // running then are daemons, and every message they hold has its outcome counted already.
    // Counted from the deadline once it has passed, so that giving up takes nothing beyond it.
    long now = System.nanoTime();
    long stopDeadline = (deadline - now < 0 ? deadline : now) + THREAD_STOP_WAIT_NANOS;
    Thread closing = startOrRun(stopDeadline, () -> {
      try {
        transport.close();
      } catch (Throwable e) {
        logger.warn("Closing the transport failed", e);
      }
    });
    if (closing != null && !Threads.join(closing, stopDeadline)) {
      logger.warn("The transport's close() did not return within {} ms; going on without it",
          TimeUnit.NANOSECONDS.toMillis(THREAD_STOP_WAIT_NANOS));
    }
    if (!uploader.shutdown(Math.max(0, stopDeadline - System.nanoTime()))) {
      logger.warn("Upload threads still running {} ms after close: the transport did not cancel its "
          + "calls, or callbacks are slow", TimeUnit.NANOSECONDS.toMillis(THREAD_STOP_WAIT_NANOS));
    }
    if (reports != null && !Threads.join(reports, stopDeadline)) {
      logger.warn("Callbacks for the messages close gave up on are still running; they go on after "
          + "close returns");
    }
    if (!onFlusher) {
      flusherThread.interrupt();
      Threads.join(flusherThread, stopDeadline);
    }
    // Idle completer threads end at once; one running a caller's continuation may take until the
    // stop deadline, and is left to finish on its own after that.
    completer.shutdown();
    completer.awaitTermination(stopDeadline);
    if (spool != null) spool.close();
    logger.debug("Closed; {}", metrics());
  }

  /**
   * Takes everything the queue held as lost for {@code reason}: counts it at once, then runs the
   * callbacks and settles the flushes on a thread of the client's (this one if none can be started),
   * which it returns.
   */
  private @Nullable Thread giveUp(MessageQueue.Abandoned abandoned, DropReason givenReason, long start,
      long tellDeadline) {
    List<Runnable> reports = new ArrayList<>();
    Spool spool = this.spool;
    // With a spool nothing is lost: what is left stays on disk for the next client, unless the
    // directory was found to be no longer this client's.
    boolean kept = spool != null && spool.keepsForNextClient();
    DropReason reason = kept ? DropReason.SPOOLED : givenReason;
    long lost = abandoned.pending.size() + abandoned.backlog;
    if (!abandoned.pending.isEmpty()) {
      reports.add(uploader.dropLater(abandoned.pending, abandoned.pendingRuns, reason));
    }
    if (abandoned.backlog > 0 && spool != null) {
      if (!kept || !reporter.wantsMessages()) reporter.droppedUnread(abandoned.backlog, reason);
      reports.add(() -> {
        try {
          if (reporter.wantsMessages()) tellBacklog(spool, abandoned.backlog, reason, kept, tellDeadline);
        } finally {
          queue.settle(abandoned.backlogRuns, MessageQueue.Outcome.DROPPED);
        }
      });
    }
    // Counted as Metrics counts them: a batch whose request may have arrived is failed, not dropped.
    long failed = 0;
    if (givenReason == DropReason.CLOSE_TIMEOUT) {
      for (Batch batch : abandoned.inFlight) {
        Runnable report = uploader.abandon(batch, kept);
        if (report != null) {
          reports.add(report);
          // Settled by close, so its attempts no longer change: Uploader.abandon decided by them.
          if (!kept && batch.attempts() > 0) {
            failed += batch.size();
          } else {
            lost += batch.size();
          }
        }
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (lost > 0 && kept) {
      logger.info("Close left {} in the spool after {} ms (dropped: SPOOLED): the next client on {} "
          + "sends them", Log.count(lost, "message"), millis, spool.directory());
    } else if (reason == DropReason.CLIENT_FAILED && lost > 0) {
      logger.warn("{} dropped (CLIENT_FAILED); each was reported to the callback",
          Log.count(lost, "message"));
    } else if (lost > 0 || failed > 0) {
      logger.warn("Close gave up after {} ms: {}; each was reported to the callback", millis,
          lost > 0 && failed > 0 ? lost + " dropped (CLOSE_TIMEOUT) and " + failed + " failed"
              : lost > 0 ? Log.count(lost, "message") + " dropped (CLOSE_TIMEOUT)"
              : Log.count(failed, "message") + " failed");
    }
    if (reports.isEmpty()) return null;
    Runnable all = () -> {
      for (Runnable report : reports) {
        try {
          report.run();
        } catch (Throwable t) {
          // Reports are each guarded; keep going whatever happens.
        }
      }
    };
    return startOrRun(System.nanoTime() + Threads.START_WAIT_NANOS, all);
  }

  /**
   * Tells the callback and listener about the backlog close left on disk, reading it back a chunk
   * at a time so that the heap never holds more than a chunk of it, until {@code deadline}.
   *
   * <p>When the backlog stays for the next client ({@code kept}), each message is counted as
   * {@link DropReason#SPOOLED} as it is told, so the count and the callback never differ; those not
   * told by the deadline stay counted in {@link Metrics#spooledMessages()}, and the next client on the
   * directory reports them (as recovered) instead. Otherwise all were counted already, as lost.
   */
  private void tellBacklog(Spool spool, long count, DropReason reason, boolean kept, long deadline) {
    long told = 0;
    while (told < count && System.nanoTime() - deadline < 0) {
      List<EncodedMessage> chunk = spool.backlog().readForReport(Math.min(count - told, BACKLOG_TELL_CHUNK));
      if (chunk.isEmpty()) break;
      if (kept) reporter.droppedCounted(chunk, reason);
      reporter.droppedCallbacks(chunk, reason);
      told += chunk.size();
    }
    long untold = count - told;
    if (untold == 0) return;
    if (kept) {
      reporter.leftUntold(untold);
      logger.info("{} of the messages left in the spool were not told to the callback by close's "
          + "deadline; Metrics.spooledMessages() counts them, and the next client on {} reports them",
          untold, spool.directory());
    } else {
      logger.warn("{} messages counted as {} could not be read back to tell the callback before the "
          + "spool closed", untold, reason);
    }
  }

  /**
   * Runs {@code task} on a new close thread and returns the thread, or runs it here and returns null
   * when the factory gives no thread that begins running it by {@code deadlineNanos} (at most
   * {@link Threads#START_WAIT_NANOS} from now): a close thread that dies at start must not take the
   * callbacks of what close gave up on with it.
   */
  private @Nullable Thread startOrRun(long deadlineNanos, Runnable task) {
    long wait = Math.min(Math.max(0, deadlineNanos - System.nanoTime()), Threads.START_WAIT_NANOS);
    try {
      return Threads.start(closeThreads, task, wait);
    } catch (Throwable t) {
      try {
        logger.warn("Could not start a close thread ({}); running its work on this thread", t.getMessage());
      } catch (Throwable ignored) {
        // The work matters more than the log line.
      }
    }
    task.run();
    return null;
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
    // Batches already in flight settle on their upload threads as usual.
    long now = System.nanoTime();
    Thread reports = giveUp(queue.abandon(true), DropReason.CLIENT_FAILED, now, now + TimeUnit.MINUTES.toNanos(1));
    if (reports != null) Threads.join(reports, System.nanoTime() + THREAD_STOP_WAIT_NANOS);
  }

  private void awaitTerminated(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          terminated.await(Math.max(0, left), TimeUnit.NANOSECONDS);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void closeFromShutdownHook() {
    if (closed.get()) return;
    logger.info("JVM shutting down: closing the analytics client, waiting at most {} ms",
        closeTimeout.toMillis());
    close(closeTimeout);
  }

  @Override
  public String toString() {
    return "Analytics{url=" + url + ", flushAt=" + flushAt + ", flushInterval=" + flushInterval
        + ", maxQueueSize=" + maxQueueSize + ", maxQueueBytes=" + maxQueueBytes
        + ", maxInFlightRequests=" + maxInFlightRequests + ", gzip=" + gzip
        + (spool != null ? ", " + spool + ", spoolMaxAge=" + spoolMaxAge : "")
        + ", closed=" + closed.get() + "}";
  }


  /**
   * A thousandth of {@code spoolMaxAge}, at least 1 ms: how much later than its time a backlogged
   * message may expire, in exchange for a bounded record of when the backlog was accepted.
   */
  private static long backlogAgeGranularityNanos(Duration spoolMaxAge) {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Durations.saturatedNanos(spoolMaxAge) / 1000);
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    boolean numbered = name.endsWith("-");
    return runnable -> {
      Thread thread = new Thread(runnable, numbered ? name + count.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String loadVersion() {
    try (InputStream in = Analytics.class.getResourceAsStream("version.properties")) {
      if (in == null) throw new IllegalStateException("dev/analytics4j/version.properties is missing");
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Configures an {@link Analytics}. Defaults suit a web backend; see each setter. A setter refuses
   * a bad value at once, naming it; {@link #build()} refuses settings that contradict each other.
   * Durations saturate: one longer than about 73 years ({@code ChronoUnit.FOREVER.getDuration()}
   * included) means about 73 years, never an overflow later.
   */
  public static final class Builder {
    /** JDK sockets take int milliseconds (Socket.setSoTimeout), so no transport can wait longer. */
    private static final Duration MAX_SOCKET_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    private static final long MIN_SPOOL_BYTES = 128 * 1024;
    private static final SpoolSync DEFAULT_SPOOL_SYNC = SpoolSync.interval(Duration.ofSeconds(1));
    static final Duration DEFAULT_SPOOL_MAX_AGE = Duration.ofDays(7);

    final String writeKey;
    private Region region = Region.US;
    private @Nullable String endpoint;
    private @Nullable String uploadUrl;
    private int flushAt = 250;
    private boolean flushAtSet;
    private Duration flushInterval = Duration.ofSeconds(10);
    private int maxQueueSize = 10_000;
    private long maxQueueBytes = 32L * 1024 * 1024;
    private int maxInFlightRequests = 4;
    private int maxRetries = 10;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private Duration maxRetryDuration = Duration.ofMinutes(5);
    private Duration maxRetryAfter = Duration.ofSeconds(300);
    private Duration maxRetryAfterTotal = Duration.ofMinutes(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(20);
    private @Nullable Transport transport;
    boolean gzip; // read by WireCore.batch
    private Callback callback = Callback.NONE;
    private AnalyticsListener listener = AnalyticsListener.NONE;
    @Nullable String userAgent;
    /** Set through {@link Wire#keepMessageLibrary}: for imports, whose messages name their own library. */
    boolean keepMessageLibrary;
    private @Nullable ThreadFactory threadFactory;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private boolean shutdownHook = true;
    private boolean enabled = true;
    private @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;
    private final List<BeforeSend> beforeSend = new ArrayList<>();
    private @Nullable Path spoolDirectory;
    private long spoolMaxBytes = Spool.DEFAULT_MAX_BYTES;
    private SpoolSync spoolSync = DEFAULT_SPOOL_SYNC;
    private Duration spoolMaxAge = DEFAULT_SPOOL_MAX_AGE;
    private int spoolSegmentBytes;
    private SpoolFileSystem.Factory spoolFileSystems = SpoolFileSystem.Factory.SYSTEM;

    Builder(String writeKey) {
      Objects.requireNonNull(writeKey, "writeKey == null");
      if (writeKey.trim().isEmpty()) throw new IllegalArgumentException("writeKey must not be blank");
      this.writeKey = writeKey;
    }

    /** The region of the workspace: {@link Region#US} (default) or {@link Region#EU}. */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region == null");
      return this;
    }

    /**
     * A host to use instead of the region's, such as a proxy or a compatible collector:
     * {@code "https://collector.example.com"}. The client appends {@code /v1/batch}, so the URL may
     * have a path prefix but no query or fragment; use {@link #uploadUrl} for anything else.
     *
     * @throws IllegalArgumentException naming the URL if it is not http or https, has no valid host,
     *     a port outside 1..65535, a query or a fragment; or, without the URL, if it has credentials.
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint == null");
      URI uri = parseHttpUrl(endpoint, "endpoint");
      String path = trimSlashes(uri.getRawPath() == null ? "" : uri.getRawPath());
      if (path.endsWith("/v1") || path.endsWith("/v1/batch")) {
        throw new IllegalArgumentException("endpoint must be a host without /v1 (the client adds "
            + "/v1/batch); use uploadUrl for a full URL: " + endpoint);
      }
      if (uri.getRawQuery() != null) {
        // Appending /v1/batch would put the path inside the query: "/?tenant=acme/v1/batch".
        throw new IllegalArgumentException("endpoint must not contain a query (the client appends "
            + "/v1/batch); use uploadUrl for a full URL: " + endpoint);
      }
      this.endpoint = trimSlashes(endpoint);
      this.uploadUrl = null;
      return this;
    }

    /**
     * The complete URL to post batches to, for collectors that use another path; a query is kept.
     *
     * @throws IllegalArgumentException naming the URL if it is not http or https, has no valid host,
     *     a port outside 1..65535 or a fragment; or, without the URL, if it has credentials.
     */
    public Builder uploadUrl(String uploadUrl) {
      Objects.requireNonNull(uploadUrl, "uploadUrl == null");
      parseHttpUrl(uploadUrl, "uploadUrl");
      this.uploadUrl = uploadUrl;
      this.endpoint = null;
      return this;
    }

    /** Messages per request, 1..2500 (the API's limit); default 250, or {@code maxQueueSize} if smaller. */
    public Builder flushAt(int flushAt) {
      if (flushAt < 1 || flushAt > 2500) {
        throw new IllegalArgumentException("flushAt must be in 1..2500: " + flushAt);
      }
      this.flushAt = flushAt;
      this.flushAtSet = true;
      return this;
    }

    /**
     * The longest a message waits for its batch to fill before it is sent anyway; default 10 s.
     * Durations beyond about 73 years (such as {@code ChronoUnit.FOREVER}) mean that long.
     */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = positive(flushInterval, "flushInterval");
      return this;
    }

    /**
     * Most messages held, waiting or in flight, before new ones are dropped; default 10,000. Must not
     * be less than {@link #flushAt}, or a batch could never fill ({@link #build()} checks).
     */
    public Builder maxQueueSize(int maxQueueSize) {
      if (maxQueueSize < 1) throw new IllegalArgumentException("maxQueueSize must be at least 1: " + maxQueueSize);
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /**
     * Most serialized bytes held, waiting or in flight, before new messages are dropped; default
     * 32 MiB, at least 32,000 (one message of the largest size the API accepts).
     */
    public Builder maxQueueBytes(long maxQueueBytes) {
      if (maxQueueBytes < MessageEncoder.MAX_MESSAGE_BYTES) {
        // Below one message, the largest messages could never be held, and would all be dropped.
        throw new IllegalArgumentException("maxQueueBytes must be at least " + MessageEncoder.MAX_MESSAGE_BYTES
            + " (the largest message): " + maxQueueBytes);
      }
      this.maxQueueBytes = maxQueueBytes;
      return this;
    }

    /** Most requests in flight at once, 1..64; default 4, so one slow request does not stall the rest. */
    public Builder maxInFlightRequests(int maxInFlightRequests) {
      if (maxInFlightRequests < 1 || maxInFlightRequests > 64) {
        throw new IllegalArgumentException("maxInFlightRequests must be in 1..64: " + maxInFlightRequests);
      }
      this.maxInFlightRequests = maxInFlightRequests;
      return this;
    }

    /**
     * Counted retries of a batch after network errors and retryable statuses; default 10. Not
     * with a {@link #spool}: spooled messages are retried until {@link #spoolMaxAge} instead.
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 1000) {
        throw new IllegalArgumentException("maxRetries must be in 0..1000: " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** The first and the largest wait between counted retries; default 500 ms and 60 s. */
    public Builder retryBackoff(Duration initial, Duration max) {
      positive(initial, "initial backoff");
      positive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff must not be less than initial backoff: " + max + " < " + initial);
      }
      this.initialBackoff = Durations.saturated(initial);
      this.maxBackoff = Durations.saturated(max);
      return this;
    }

    /**
     * The total time a batch may spend on counted retries; default 5 minutes. Not with a {@link
     * #spool}: spooled messages are retried until {@link #spoolMaxAge} instead.
     */
    public Builder maxRetryDuration(Duration maxRetryDuration) {
      this.maxRetryDuration = positive(maxRetryDuration, "maxRetryDuration");
      return this;
    }

    /**
     * The longest single wait a {@code Retry-After} may impose (default 300 s), and the total of such
     * waits for one batch (default 10 minutes). With a {@link #spool} the total does not apply:
     * spooled messages obey every {@code Retry-After} (each capped) until {@link #spoolMaxAge}.
     */
    public Builder maxRetryAfter(Duration perWait, Duration total) {
      this.maxRetryAfter = nonNegative(perWait, "maxRetryAfter");
      this.maxRetryAfterTotal = nonNegative(total, "maxRetryAfter total");
      return this;
    }

    /** Connect timeout of the default transport; default 10 s. See {@link #readTimeout} for the range. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = socketTimeout(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Read timeout of the default transport; default 20 s. Timeouts have millisecond resolution: a
     * positive timeout under 1 ms counts as 1 ms (not as 0, which HTTP libraries take to mean none),
     * and one over {@code Integer.MAX_VALUE} ms (24.8 days, the most a JDK socket accepts) as that.
     *
     * <p>Each attempt as a whole, from connecting to reading the status line, is also bounded by
     * {@code connectTimeout + readTimeout} (a retry without a spool, by what is left of {@code
     * maxRetryDuration} if that is less, but at least 1 s), so a collector trickling its answer cannot hold an upload past
     * it. That deadline applies to every {@link Transport}, a custom OkHttpClient's included.
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = socketTimeout(readTimeout, "readTimeout");
      return this;
    }

    /**
     * The transport to send with, for example {@code OkHttpTransport.create(myOkHttpClient)} for
     * proxies, timeouts or interceptors. The client closes it when it closes; OkHttp's transport
     * then cancels its own calls and never shuts down a client passed to it. By default the
     * transport is found with {@link ServiceLoader} (add {@code analytics-okhttp}).
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /** Compresses request bodies with gzip; default off. */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /** Told the outcome of every message; default {@link Callback#NONE}. */
    public Builder callback(Callback callback) {
      this.callback = Objects.requireNonNull(callback, "callback == null");
      return this;
    }

    /** Told about every message and HTTP request, for metrics; default {@link AnalyticsListener#NONE}. */
    public Builder listener(AnalyticsListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Adds a hook run on every message before it is encoded, on the enqueuing thread, after the
     * ones added before it: to enrich, redact or drop messages in one place. See {@link BeforeSend}.
     */
    public Builder beforeSend(BeforeSend hook) {
      beforeSend.add(Objects.requireNonNull(hook, "hook == null"));
      return this;
    }

    /**
     * Context added to every message, asked for on the enqueuing thread as each message is enqueued;
     * the message's own context keys win, and {@code library} is always the client's. For what is
     * known only then, such as the current web request's {@code ip} and {@code userAgent}. Values
     * are checked like the message's own; a supplier that returns null or throws adds nothing, and
     * a context that would take a message over the size limit is left out of that message (one too
     * large by itself is refused as without a default context).
     */
    public Builder defaultContext(Supplier<? extends @Nullable Map<String, ?>> defaultContext) {
      this.defaultContext = Objects.requireNonNull(defaultContext, "defaultContext == null");
      return this;
    }

    /**
     * The {@code User-Agent} header; default {@code analytics4j/<version>}. Printable ASCII only: an
     * HTTP header value cannot carry other characters, and a CR or LF would split the header.
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent == null");
      if (userAgent.trim().isEmpty()) throw new IllegalArgumentException("userAgent must not be blank");
      for (int i = 0; i < userAgent.length(); i++) {
        char c = userAgent.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          // Escaped, so that a CR or LF in the value cannot forge a line in the caller's log.
          throw new IllegalArgumentException("userAgent must be printable ASCII: "
              + String.format("U+%04X", userAgent.codePointAt(i)) + " at index " + i
              + " in \"" + escape(userAgent) + "\"");
        }
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Makes the client's threads (flusher, uploads, flush completions, close); default: daemon
     * threads named {@code analytics4j-*}. See "Threads" in {@link Analytics} for what the client
     * does when the factory fails.
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory == null");
      return this;
    }

    /** How long {@link Analytics#close()} and the shutdown hook may take to drain; default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = nonNegative(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Whether a JVM shutdown hook closes the client if it is still open when the JVM exits, so a
     * {@code main} that returns does not lose its last events; default on.
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /**
     * Whether messages are sent; default on. When off, messages are still validated and serialized
     * (bad input still fails at the call site) but never sent: each is reported to the callback and
     * counted as dropped with {@link DropReason#DISABLED}, no transport is loaded, and no request
     * is made. For development and tests without a write key.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Keeps every accepted message in files in {@code directory} until its outcome is final (durable
     * delivery; default off). {@code enqueue} and {@code offer} accept a message only once it is
     * written there, so a crash of the JVM loses none (what an OS crash may lose depends on {@link
     * #spoolSync}); the heap then holds only a window of {@code maxQueueSize}/{@code maxQueueBytes}
     * messages, and the rest wait on disk, bounded by {@link #spoolMaxBytes}. A client built later on
     * the same directory sends what an earlier one left ({@link Metrics#recovered()}, {@link
     * EncodedMessage#isRecovered()}); {@code close} leaves what it could not send there, reported as
     * {@link DropReason#SPOOLED}. One client per directory, and one write key: {@link #build()}
     * refuses a directory that another client holds or that holds another key's messages. Files are
     * created readable by their owner only. Ignored with {@code enabled(false)}. See the README's
     * "Durable delivery" and {@code docs/spool-format.md}.
     */
    public Builder spool(Path directory) {
      this.spoolDirectory = Objects.requireNonNull(directory, "directory == null");
      return this;
    }

    /**
     * The most bytes the spool's files may take; default 256 MiB, at least 128 KiB. When it is full,
     * new messages are dropped with {@link DropReason#SPOOL_FULL}. Space is freed a segment file
     * (1/8 of this, at most 8 MiB) at a time, once every message in it has its outcome.
     */
    public Builder spoolMaxBytes(long spoolMaxBytes) {
      if (spoolMaxBytes < MIN_SPOOL_BYTES) {
        throw new IllegalArgumentException("spoolMaxBytes must be at least " + MIN_SPOOL_BYTES + ": " + spoolMaxBytes);
      }
      this.spoolMaxBytes = spoolMaxBytes;
      return this;
    }

    /**
     * When the spool forces its writes to disk; default {@code SpoolSync.interval(1 s)}, from a thread
     * of the client's. See {@link SpoolSync} for what each policy guarantees.
     */
    public Builder spoolSync(SpoolSync spoolSync) {
      this.spoolSync = Objects.requireNonNull(spoolSync, "spoolSync == null");
      return this;
    }

    /**
     * How long, with a {@link #spool}, a message may wait for the endpoint while it answers with
     * retryable errors (network errors, 429, 5xx); default 7 days. Its records are on disk, so a
     * spooled batch is not given up after {@link #maxRetries} or {@link #maxRetryDuration}: it keeps
     * its place in the window (new messages wait in the spool, up to {@link #spoolMaxBytes}) and is
     * retried with the capped {@link #retryBackoff}, obeying each {@code Retry-After} up to {@link
     * #maxRetryAfter}, until it is delivered or an answer is not retryable. At the first retryable
     * failure after its newest message has waited this long, the batch fails with {@link
     * Failure#expired()}.
     *
     * <p>Age is measured on the monotonic clock from when this client accepted the message, not from
     * its {@code timestamp}, which may lie far in the past (a backfill) or in the future. A message
     * this client recovered from an earlier one's spool is measured from when it was recovered: the
     * spool's records do not keep when they were accepted, so each client on the directory gives
     * them up to this long again. While messages wait, a {@link Analytics#flush(Duration)} returns
     * incomplete, and {@code close} leaves them in the spool ({@link DropReason#SPOOLED}). Ignored
     * without a spool, and once the spool has lost its directory (removed, or its lock file gone):
     * nothing then waits on disk for a next client, so batches are retried as without a spool.
     */
    public Builder spoolMaxAge(Duration spoolMaxAge) {
      this.spoolMaxAge = positive(spoolMaxAge, "spoolMaxAge");
      return this;
    }

    /** For tests: the file system the spool's files are made in, to inject faults and power losses. */
    Builder spoolFileSystem(SpoolFileSystem.Factory spoolFileSystems) {
      this.spoolFileSystems = Objects.requireNonNull(spoolFileSystems, "spoolFileSystems == null");
      return this;
    }

    /** For tests: the size at which the spool starts a new segment file. */
    Builder spoolSegmentBytes(int spoolSegmentBytes) {
      this.spoolSegmentBytes = spoolSegmentBytes;
      return this;
    }

    /**
     * Creates the client and starts its flusher thread. Without an explicit {@code flushAt}, a
     * {@code maxQueueSize} below 250 lowers {@code flushAt} to it, so that batches can fill; an
     * explicit {@code flushAt} above {@code maxQueueSize} is kept, with a WARN that batches then
     * never fill by count (a recording client for tests wants exactly that).
     */
    public Analytics build() {
      if (flushAtSet && flushAt > maxQueueSize) {
        logger.warn("flushAt ({}) is above maxQueueSize ({}): batches never fill by count, so messages "
            + "wait for flushInterval ({} ms) or a flush, and those beyond {} held are dropped",
            flushAt, maxQueueSize, flushInterval.toMillis(), maxQueueSize);
      }
      String url = url();
      // The spool first: a directory in use or of another key fails the build before a transport
      // is made that would then have to be closed.
      Spool spool = null;
      if (spoolDirectory != null && enabled) {
        int segmentBytes = spoolSegmentBytes > 0 ? spoolSegmentBytes
            : (int) Math.min(Spool.DEFAULT_SEGMENT_BYTES, spoolMaxBytes / 8);
        spool = Spool.open(spoolDirectory, writeKey, spoolMaxBytes, segmentBytes, spoolSync, spoolFileSystems);
      }
      try {
        Transport transport = this.transport != null ? this.transport
            : enabled ? loadTransport()
            : request -> {
              throw new IllegalStateException("a disabled client sends nothing");
            };
        Analytics analytics = new Analytics(this, url, transport, spool);
        logStart(url, spool);
        return analytics;
      } catch (RuntimeException | Error e) {
        if (spool != null) spool.close();
        throw e;
      }
    }

    /** One line on where events go, so that a misrouted client is seen at startup; never the key. */
    private void logStart(String url, @Nullable Spool spool) {
      if (!enabled) {
        logger.info("analytics4j {}: disabled; messages are checked, then dropped (DISABLED)", VERSION);
        return;
      }
      URI uri = URI.create(url);
      logger.info("analytics4j {}: sending to {}://{} ({}region {}); spool {}", VERSION, uri.getScheme(),
          uri.getRawAuthority(), endpoint != null || uploadUrl != null ? "endpoint set, not the " : "", region,
          spool == null ? "off" : "on in " + spool.directory() + ", " + spoolSync);
    }

    private Transport loadTransport() {
      Iterator<Transport.Factory> factories =
          ServiceLoader.load(Transport.Factory.class, Analytics.class.getClassLoader()).iterator();
      if (!factories.hasNext()) {
        throw new IllegalStateException("No Transport found: add dev.analytics4j:analytics-okhttp "
            + "to the classpath, or pass one to transport(...)");
      }
      return factories.next().create(connectTimeout, readTimeout);
    }

    /**
     * Parses an http or https URL the way an HTTP client will send to it. {@link URI} alone is not
     * enough: it leaves the host null for names with an underscore ({@code analytics_proxy}, common
     * in Docker networks) and accepts any port number, so the authority is checked here: a host name
     * or a bracketed IPv6 address, then an optional port in 1..65535. Credentials are refused without
     * echoing the URL, before anything else can echo it.
     */
    String url() {
      return uploadUrl != null ? uploadUrl : (endpoint != null ? endpoint : region.host()) + "/v1/batch";
    }

    private static URI parseHttpUrl(String url, String name) {
      if (hasUserInfo(url)) throw new IllegalArgumentException(name + " must not contain credentials");
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(name + " is not a valid URL: " + url, e);
      }
      String scheme = uri.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException(name + " must be an http or https URL: " + url);
      }
      String authority = uri.getRawAuthority();
      if (authority == null || authority.isEmpty()) throw new IllegalArgumentException(name + " has no host: " + url);
      checkAuthority(authority, url, name);
      if (uri.getRawFragment() != null) {
        // A fragment is never sent; a URL with one is a mistake, not an address.
        throw new IllegalArgumentException(name + " must not contain a fragment: " + url);
      }
      return uri;
    }

    /** Whether the authority of {@code url} (between {@code scheme:} or {@code //} and the path) has an {@code @}. */
    private static boolean hasUserInfo(String url) {
      int start = 0;
      int colon = url.indexOf(':');
      if (colon >= 0 && url.substring(0, colon).chars().noneMatch(c -> c == '/' || c == '?' || c == '#')) {
        start = colon + 1;
      }
      while (start < url.length() && (url.charAt(start) == '/' || url.charAt(start) == '\\')) start++;
      for (int i = start; i < url.length(); i++) {
        char c = url.charAt(i);
        if (c == '@') return true;
        // OkHttp, like browsers, ends the authority at a backslash too.
        if (c == '/' || c == '\\' || c == '?' || c == '#') return false;
      }
      return false;
    }

    private static void checkAuthority(String authority, String url, String name) {
      String host;
      String port = null;
      if (authority.startsWith("[")) {
        int close = authority.indexOf(']');
        host = close < 0 ? "" : authority.substring(1, close);
        String rest = close < 0 ? "" : authority.substring(close + 1);
        if (!isIpv6Literal(host) || !(rest.isEmpty() || rest.charAt(0) == ':')) {
          throw new IllegalArgumentException(name + " has an invalid host: " + url);
        }
        if (!rest.isEmpty()) port = rest.substring(1);
      } else {
        int colon = authority.indexOf(':');
        host = colon < 0 ? authority : authority.substring(0, colon);
        if (colon >= 0) port = authority.substring(colon + 1);
        if (host.isEmpty()) throw new IllegalArgumentException(name + " has no host: " + url);
        if (!isHostName(host)) throw new IllegalArgumentException(name + " has an invalid host: " + url);
      }
      // An empty port ("host:") means the scheme's default, as in RFC 3986 and OkHttp.
      if (port != null && !port.isEmpty() && !isPort(port)) {
        throw new IllegalArgumentException(name + " port must be in 1..65535: " + url);
      }
    }

    /**
     * Dot-separated labels of letters, digits, {@code -} and {@code _} (an international name is
     * fine: HTTP clients convert it); one trailing dot is allowed, an empty label is not.
     */
    private static boolean isHostName(String host) {
      String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
      if (name.isEmpty()) return false;
      boolean labelEmpty = true;
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c == '.') {
          if (labelEmpty) return false;
          labelEmpty = true;
        } else if (c == '-' || c == '_' || Character.isLetterOrDigit(name.codePointAt(i))) {
          labelEmpty = false;
          if (Character.isHighSurrogate(c)) i++;
        } else {
          return false;
        }
      }
      return !labelEmpty;
    }

    /** Hex digits, colons and the dots of an embedded IPv4 address; no zone (HTTP clients refuse one). */
    private static boolean isIpv6Literal(String host) {
      if (host.indexOf(':') < 0) return false;
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.') return false;
      }
      return true;
    }

    private static boolean isPort(String port) {
      if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
      int value = Integer.parseInt(port);
      return value >= 1 && value <= 65535;
    }

    /** Without trailing slashes, so that appending {@code /v1/batch} makes no empty path segment. */
    private static String trimSlashes(String url) {
      int end = url.length();
      while (end > 0 && url.charAt(end - 1) == '/') end--;
      return url.substring(0, end);
    }

    /** {@code value} with backslashes and characters outside printable ASCII as Java escapes. */
    private static String escape(String value) {
      StringBuilder escaped = new StringBuilder(value.length() + 16);
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\\') {
          escaped.append("\\\\");
        } else if (c < 0x20 || c > 0x7e) {
          escaped.append(String.format("\\u%04X", (int) c));
        } else {
          escaped.append(c);
        }
      }
      return escaped.toString();
    }

    /** {@code duration}, which must be positive, saturated (see {@link Durations#MAX}). */
    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " == null");
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return Durations.saturated(duration);
    }

    /** {@code duration}, which must not be negative, saturated (see {@link Durations#MAX}). */
    private static Duration nonNegative(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " == null");
      if (duration.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + duration);
      return Durations.saturated(duration);
    }

    /** A non-negative timeout in whole milliseconds, 0 or 1 ms..Integer.MAX_VALUE ms. */
    private static Duration socketTimeout(Duration timeout, String name) {
      nonNegative(timeout, name);
      if (timeout.isZero()) return timeout;
      if (timeout.compareTo(MAX_SOCKET_TIMEOUT) > 0) return MAX_SOCKET_TIMEOUT;
      // Round up: truncating 999 us to 0 ms would turn the shortest timeout into none at all.
      long millis = timeout.toMillis();
      return Duration.ofMillis(Duration.ofMillis(millis).equals(timeout) ? millis : millis + 1);
    }
  }
}
