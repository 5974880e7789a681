package dev.analytics4j.internal;

import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Metrics;
import dev.analytics4j.Transport;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where every message's outcome is recorded: the counters behind {@link Metrics}, the user's
 * {@link Callback}, the {@link AnalyticsListener}, and the logs. Each message reaches exactly one of
 * {@link #delivered}, {@link #failed} or {@link #dropped}. Counters move before the callbacks run,
 * so {@link Metrics} never lags behind what a callback was told.
 */
final class Reporter {
  private static final Log logger = Log.get(Reporter.class);
  private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final String CALLBACK = "a callback";
  private static final String LISTENER = "an AnalyticsListener";
  /**
   * Which user hook this thread is running, {@link #CALLBACK} or {@link #LISTENER}, so that calls
   * that would wait for the client's own threads refuse to, whichever hook makes them.
   */
  private static final ThreadLocal<String> IN_HOOK = new ThreadLocal<>();

  private final Callback callback;
  private final AnalyticsListener listener;
  /** Told each message whose outcome is final and reported, so its record leaves the disk; or null. */
  private final @Nullable Spool spool;
  private final LongAdder enqueued = new LongAdder();
  private final LongAdder recovered = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder untold = new LongAdder();
  private final EnumMap<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  /** Drops since the last drop warning, and when that warning was logged. */
  private final AtomicLong unloggedDrops = new AtomicLong();
  private final AtomicLong lastDropLogNanos = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);

  Reporter(Callback callback) {
    this(callback, AnalyticsListener.NONE);
  }

  Reporter(Callback callback, AnalyticsListener listener) {
    this(callback, listener, null);
  }

  Reporter(Callback callback, AnalyticsListener listener, @Nullable Spool spool) {
    this.callback = callback;
    this.listener = listener;
    this.spool = spool;
    for (DropReason reason : DropReason.values()) dropped.put(reason, new LongAdder());
  }

  /**
   * What the current thread is running inside one of this library's calls of a user {@link
   * Callback} or {@link AnalyticsListener}: "a callback", "an AnalyticsListener" (the outermost, if
   * one calls into the other), or null outside them.
   */
  static @Nullable String hookRunning() {
    return IN_HOOK.get();
  }

  void enqueued(EncodedMessage message) {
    enqueued.increment();
    if (listener == AnalyticsListener.NONE) return;
    boolean outermost = enter(LISTENER);
    try {
      listener.messageEnqueued(message);
    } catch (Throwable t) {
      listenerThrew(t);
    } finally {
      exit(outermost);
    }
  }

  /** Whether a callback or listener wants to see each message. */
  boolean wantsMessages() {
    return callback != Callback.NONE || listener != AnalyticsListener.NONE;
  }

  /** Counts {@code count} messages an earlier client left in the spool as enqueued, and recovered. */
  void recovered(long count) {
    enqueued.add(count);
    recovered.add(count);
  }

  /** Tells the listener about a recovered message as it is read back, in place of its enqueue. */
  void recoveredRead(EncodedMessage message) {
    if (listener == AnalyticsListener.NONE) return;
    boolean outermost = enter(LISTENER);
    try {
      listener.messageEnqueued(message);
    } catch (Throwable t) {
      listenerThrew(t);
    } finally {
      exit(outermost);
    }
  }

  /**
   * Counts {@code count} recovered or backlogged messages whose records could not be read back as
   * dropped: with their bytes gone there is nothing to tell the callback.
   */
  void droppedUnread(long count, DropReason reason) {
    dropped.get(reason).add(count);
  }

  /**
   * Counts {@code count} messages close left in the spool without telling the callback, for lack of
   * time: still held in the spool, as {@link Metrics#spooledMessages()} shows, for the next client.
   */
  void leftUntold(long count) {
    untold.add(count);
  }

  long untold() {
    return untold.sum();
  }

  /**
   * Sends {@code request} for a batch of {@code messageCount} messages, counting it and telling the
   * listener when it starts and how it ended; what {@code transport} throws is rethrown. An
   * {@link Error} reaches {@link AnalyticsListener#requestFailed} wrapped in an {@link
   * ExecutionException}, so that every {@code requestStart} still has its end.
   */
  Transport.Response send(Transport transport, Transport.Request request, int messageCount, int attempt)
      throws IOException {
    requests.increment();
    if (listener != AnalyticsListener.NONE) {
      boolean outermost = enter(LISTENER);
      try {
        listener.requestStart(messageCount, attempt);
      } catch (Throwable t) {
        listenerThrew(t);
      } finally {
        exit(outermost);
      }
    }
    long start = System.nanoTime();
    Transport.Response response;
    try {
      response = transport.send(request);
    } catch (Throwable e) {
      if (listener != AnalyticsListener.NONE) {
        Exception error = e instanceof Exception ? (Exception) e
            : new ExecutionException("the transport threw " + ClientThreads.describe(e), e);
        requestFailed(messageCount, attempt, error, System.nanoTime() - start);
      }
      throw e;
    }
    if (listener != AnalyticsListener.NONE) {
      boolean outermost = enter(LISTENER);
      try {
        listener.requestEnd(messageCount, attempt, response.code(), System.nanoTime() - start);
      } catch (Throwable t) {
        listenerThrew(t);
      } finally {
        exit(outermost);
      }
    }
    return response;
  }

  private void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
    boolean outermost = enter(LISTENER);
    try {
      listener.requestFailed(messageCount, attempt, error, latencyNanos);
    } catch (Throwable t) {
      listenerThrew(t);
    } finally {
      exit(outermost);
    }
  }

  /** A retry of a batch of {@code messageCount} messages, as attempt {@code nextAttempt} after {@code delayNanos}. */
  void retry(int messageCount, int nextAttempt, long delayNanos) {
    retries.increment();
    if (listener == AnalyticsListener.NONE) return;
    boolean outermost = enter(LISTENER);
    try {
      listener.retryScheduled(messageCount, nextAttempt, delayNanos);
    } catch (Throwable t) {
      listenerThrew(t);
    } finally {
      exit(outermost);
    }
  }

  void delivered(List<EncodedMessage> messages) {
    sent.add(messages.size());
    tell(messages, listener::messageDelivered, callback::onSuccess, true);
  }

  void failed(List<EncodedMessage> messages, Failure failure) {
    failedCounted(messages, failure);
    failedCallbacks(messages, failure);
  }

  /** Counts and logs the failure of {@code messages} now; {@link #failedCallbacks} tells the callback. */
  void failedCounted(List<EncodedMessage> messages, Failure failure) {
    failed.add(messages.size());
    try {
      logger.warn("A batch of {} failed after {}: {}", Log.count(messages.size(), "message"),
          Log.count(failure.attempts(), "attempt"), failure.reason());
    } catch (Throwable t) {
      // A logging backend out of memory must not cost the batch its reports.
    }
  }

  void failedCallbacks(List<EncodedMessage> messages, Failure failure) {
    tell(messages, m -> listener.messageFailed(m, failure), m -> callback.onFailure(m, failure), true);
  }

  void dropped(EncodedMessage message, DropReason reason) {
    dropped.get(reason).increment();
    if (reason == DropReason.QUEUE_FULL) logDropRateLimited();
    droppedCallbacks(Collections.singletonList(message), reason);
  }

  /** Counts the drops of {@code messages} now; {@link #droppedCallbacks} tells the callback later. */
  void droppedCounted(List<EncodedMessage> messages, DropReason reason) {
    dropped.get(reason).add(messages.size());
  }

  /** The callbacks for drops already counted by {@link #droppedCounted}. */
  void droppedCallbacks(List<EncodedMessage> messages, DropReason reason) {
    // A message left in the spool is not settled: the next client sends it.
    tell(messages, m -> listener.messageDropped(m, reason), m -> callback.onDropped(m, reason),
        reason != DropReason.SPOOLED);
  }

  /**
   * Tells the listener, then the callback, about each of {@code messages}. Neither can stop the
   * other or the rest of the batch: whatever one throws, an Error included, is logged and swallowed.
   * Then, when {@code settled}, their records may leave the spool: their outcome is final and reported.
   */
  private void tell(List<EncodedMessage> messages, Consumer<EncodedMessage> toListener,
      Consumer<EncodedMessage> toCallback, boolean settled) {
    try {
      tellEach(messages, toListener, toCallback);
    } finally {
      if (settled && spool != null) spool.ack(messages);
    }
  }

  private void tellEach(List<EncodedMessage> messages, Consumer<EncodedMessage> toListener,
      Consumer<EncodedMessage> toCallback) {
    if (listener != AnalyticsListener.NONE) tellAll(LISTENER, messages, toListener, Reporter::listenerThrew);
    if (callback != Callback.NONE) tellAll(CALLBACK, messages, toCallback, Reporter::callbackThrew);
  }

  /** Tells {@code hook} about each message in turn; what one call throws does not stop the others. */
  private static void tellAll(String hook, List<EncodedMessage> messages, Consumer<EncodedMessage> tell,
      Consumer<Throwable> threw) {
    boolean outermost = enter(hook);
    try {
      for (EncodedMessage message : messages) {
        try {
          tell.accept(message);
        } catch (Throwable t) {
          threw.accept(t);
        }
      }
    } finally {
      exit(outermost);
    }
  }

  /** Marks this thread as running {@code hook}; true for the outermost of nested calls. */
  private static boolean enter(String hook) {
    if (IN_HOOK.get() != null) return false;
    IN_HOOK.set(hook);
    return true;
  }

  private static void exit(boolean outermost) {
    if (outermost) IN_HOOK.remove();
  }

  /** One WARN per interval at most, so a full queue under load does not flood the log. */
  private void logDropRateLimited() {
    unloggedDrops.incrementAndGet();
    long now = System.nanoTime();
    long last = lastDropLogNanos.get();
    if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLogNanos.compareAndSet(last, now)) {
      logger.warn("Queue full: {} dropped (QUEUE_FULL) since the last warning; the endpoint is slower "
          + "than the event rate, or maxQueueSize/maxQueueBytes is too small",
          Log.count(unloggedDrops.getAndSet(0), "message"));
    }
  }

  /**
   * Anything a callback throws, an Error included (a failed assertion, a StackOverflowError, an
   * OutOfMemoryError), is logged and swallowed: rethrown, it would cost the batch's other messages
   * their reports and the flushes waiting on them their results.
   */
  private static void callbackThrew(Throwable t) {
    try {
      logger.warn("Callback threw; ignoring", t);
    } catch (Throwable ignored) {
      // Logging a StackOverflowError can overflow again; the other reports matter more.
    }
  }

  /** Like a callback's, a listener's exception (an Error included) is logged and swallowed. */
  private static void listenerThrew(Throwable t) {
    try {
      logger.warn("AnalyticsListener threw; ignoring", t);
    } catch (Throwable ignored) {
      // As for callbacks: the reports matter more than the log line.
    }
  }

  Metrics snapshot(int queuedMessages, long queuedBytes) {
    return snapshot(queuedMessages, queuedBytes, 0, 0);
  }

  Metrics snapshot(int queuedMessages, long queuedBytes, long spoolBacklog, long spoolBytes) {
    EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) drops.put(reason, dropped.get(reason).sum());
    return Internal.get().metrics(enqueued.sum(), sent.sum(), failed.sum(), drops, retries.sum(),
        requests.sum(), queuedMessages, queuedBytes, recovered.sum(), spoolBacklog, spoolBytes);
  }
}
