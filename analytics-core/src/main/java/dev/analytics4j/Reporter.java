package dev.analytics4j;

import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every message's outcome is recorded: the counters behind {@link Metrics}, the user's
 * {@link Callback}, the {@link AnalyticsListener}, and the logs. Each message reaches exactly one
 * of {@link #delivered}, {@link #failed} or {@link #dropped}.
 */
final class Reporter {
  private static final Logger logger = LoggerFactory.getLogger(Reporter.class);
  private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Callback callback;
  private final AnalyticsListener listener;
  private final LongAdder enqueued = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final EnumMap<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  /** Drops since the last drop warning, and when that warning was logged. */
  private final AtomicLong unloggedDrops = new AtomicLong();
  private final AtomicLong lastDropLogNanos = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);

  Reporter(Callback callback) {
    this(callback, AnalyticsListener.NONE);
  }

  Reporter(Callback callback, AnalyticsListener listener) {
    this.callback = callback;
    this.listener = listener;
    for (DropReason reason : DropReason.values()) dropped.put(reason, new LongAdder());
  }

  void enqueued(EncodedMessage message) {
    enqueued.increment();
    try {
      listener.messageEnqueued(message);
    } catch (Throwable t) {
      logListenerError(t);
    }
  }

  /**
   * Sends {@code request} for a batch of {@code messageCount} messages, counting it and telling the
   * listener when it starts and how it ended; what {@code transport} throws is rethrown.
   */
  Transport.Response send(Transport transport, Transport.Request request, int messageCount, int attempt)
      throws IOException {
    requests.increment();
    try {
      listener.requestStart(messageCount, attempt);
    } catch (Throwable t) {
      logListenerError(t);
    }
    long start = System.nanoTime();
    Transport.Response response;
    try {
      response = transport.send(request);
    } catch (IOException | RuntimeException e) {
      try {
        listener.requestFailed(messageCount, attempt, e, System.nanoTime() - start);
      } catch (Throwable t) {
        logListenerError(t);
      }
      throw e;
    }
    try {
      listener.requestEnd(messageCount, attempt, response.code(), System.nanoTime() - start);
    } catch (Throwable t) {
      logListenerError(t);
    }
    return response;
  }

  /** A retry of a batch of {@code messageCount} messages, as attempt {@code nextAttempt} after {@code delayNanos}. */
  void retry(int messageCount, int nextAttempt, long delayNanos) {
    retries.increment();
    try {
      listener.retryScheduled(messageCount, nextAttempt, delayNanos);
    } catch (Throwable t) {
      logListenerError(t);
    }
  }

  void delivered(List<EncodedMessage> messages) {
    sent.add(messages.size());
    for (EncodedMessage message : messages) {
      try {
        callback.onSuccess(message);
      } catch (Throwable t) {
        logCallbackError(t);
      }
      try {
        listener.messageDelivered(message);
      } catch (Throwable t) {
        logListenerError(t);
      }
    }
  }

  void failed(List<EncodedMessage> messages, Failure failure) {
    failed.add(messages.size());
    logger.warn("Gave up on a batch of {} messages: {} after {} attempts",
        messages.size(), failure.reason(), failure.attempts());
    for (EncodedMessage message : messages) {
      try {
        callback.onFailure(message, failure);
      } catch (Throwable t) {
        logCallbackError(t);
      }
      try {
        listener.messageFailed(message, failure);
      } catch (Throwable t) {
        logListenerError(t);
      }
    }
  }

  void dropped(EncodedMessage message, DropReason reason) {
    dropped.get(reason).increment();
    if (reason == DropReason.QUEUE_FULL) {
      logDropRateLimited();
    }
    try {
      callback.onDropped(message, reason);
    } catch (Throwable t) {
      logCallbackError(t);
    }
    try {
      listener.messageDropped(message, reason);
    } catch (Throwable t) {
      logListenerError(t);
    }
  }

  /** One WARN per interval at most, so a full queue under load does not flood the log. */
  private void logDropRateLimited() {
    unloggedDrops.incrementAndGet();
    long now = System.nanoTime();
    long last = lastDropLogNanos.get();
    if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLogNanos.compareAndSet(last, now)) {
      logger.warn("Queue full: dropped {} messages since the last warning; the endpoint is slower "
          + "than the event rate, or maxQueueSize/maxQueueBytes is too small", unloggedDrops.getAndSet(0));
    }
  }

  /**
   * An Error from user code (a failed assertion, a missing class) is ignored like an exception:
   * rethrown, it would end the loop and the batch's other messages would never be reported.
   */
  private static void logCallbackError(Throwable t) {
    if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
    logger.warn("Callback threw; ignoring", t);
  }

  /** Like {@link #logCallbackError}: a listener must never break delivery or reporting. */
  private static void logListenerError(Throwable t) {
    if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
    logger.warn("AnalyticsListener threw; ignoring", t);
  }

  Metrics snapshot(int queuedMessages, long queuedBytes) {
    EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) drops.put(reason, dropped.get(reason).sum());
    return new Metrics(enqueued.sum(), sent.sum(), failed.sum(), drops, retries.sum(),
        requests.sum(), queuedMessages, queuedBytes);
  }
}
