package dev.analytics4j;

import java.time.Duration;

/**
 * Observes what the client does, for metrics and tracing: the outcome of every message and every
 * HTTP request it makes. Extend it and override the methods you need; the others do nothing. Set
 * one with {@link Analytics.Builder#listener}.
 *
 * <p>Each message passed to {@link #messageEnqueued} then reaches exactly one of
 * {@link #messageDelivered}, {@link #messageFailed} or {@link #messageDropped}, as the
 * {@link Callback} is told. Each {@link #requestStart} is followed by one {@link #requestEnd} (a
 * response, any status) or {@link #requestFailed} (no response), on the same thread.
 *
 * <p>Methods run on the caller's thread (enqueue, and drops at enqueue time) or on the client's
 * upload threads, several at once: they must be thread-safe and quick, and must not block.
 * Anything they throw, an {@link Error} included, is logged and otherwise ignored. They may call
 * the client as a {@link Callback} may, with the same effect: {@link Analytics#flush(Duration)}
 * throws (it would wait for the very thread it runs on), {@link Analytics#flush()} returns a future
 * to continue from, and {@code close()} starts closing without waiting for itself.
 */
public abstract class AnalyticsListener {
  /** A listener that does nothing. */
  public static final AnalyticsListener NONE = new AnalyticsListener() {};

  /**
   * A valid message was passed to {@code enqueue} or {@code offer} and is about to be queued; it
   * may still be dropped at once (queue full, closed, client disabled).
   */
  public void messageEnqueued(EncodedMessage message) {}

  /** The API answered 2xx to a batch holding {@code message}. */
  public void messageDelivered(EncodedMessage message) {}

  /** The client gave up on {@code message} after the attempts {@code failure} describes. */
  public void messageFailed(EncodedMessage message, Failure failure) {}

  /** {@code message} was never sent, for {@code reason}. */
  public void messageDropped(EncodedMessage message, DropReason reason) {}

  /**
   * A request carrying {@code messageCount} messages is about to be sent. {@code attempt} is 1 for
   * the first request of a batch and grows by one with each retry.
   */
  public void requestStart(int messageCount, int attempt) {}

  /** The request got a response with {@code statusCode}, any status, {@code latencyNanos} after it started. */
  public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {}

  /**
   * The request got no response: a network error or timeout ({@link java.io.IOException}, the
   * client retries those), cancellation by close, or a transport that threw (an {@link Error} it
   * threw arrives wrapped in a {@link java.util.concurrent.ExecutionException}).
   */
  public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {}

  /**
   * The batch will be sent again as attempt {@code nextAttempt}, in {@code delayNanos} (a backoff,
   * or the wait a {@code Retry-After} asked for).
   */
  public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {}
}
