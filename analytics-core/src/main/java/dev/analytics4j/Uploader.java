package dev.analytics4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches on its own threads, at most {@code maxInFlight} at once (the queue hands out no
 * more), retrying as {@link RetryPolicy} says, and settles each batch exactly once.
 *
 * <p>Every attempt rebuilds the envelope around the unchanged message bytes with a fresh
 * {@code sentAt}, because the API derives event times from {@code sentAt} and a stale one would shift
 * every event in the batch by the retry delay. A {@code Retry-After} pauses all uploads of this
 * client until it has passed. Waits are timed waits that {@link #abort} cuts short; nothing spins.
 */
final class Uploader {
  private static final Logger logger = LoggerFactory.getLogger(Uploader.class);

  private final Transport transport;
  private final MessageEncoder encoder;
  private final RetryPolicy policy;
  private final Reporter reporter;
  private final MessageQueue queue;
  private final String url;
  private final Map<String, String> headers;
  /** The write key as it appears in a body and as the Basic token of the Authorization header, for redaction. */
  private final String[] secrets;
  private final boolean gzip;
  private final ThreadPoolExecutor executor;
  /** The upload threads, so shutdown can wait until they have really ended. */
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private long pausedUntilNanos = System.nanoTime();
  private boolean aborted;

  Uploader(Transport transport, MessageEncoder encoder, RetryPolicy policy, Reporter reporter,
      MessageQueue queue, String url, Map<String, String> headers, String writeKey, boolean gzip,
      int maxInFlight, ThreadFactory threadFactory) {
    this.transport = transport;
    this.encoder = encoder;
    this.policy = policy;
    this.reporter = reporter;
    this.queue = queue;
    this.url = url;
    this.headers = headers;
    String authorization = headers.get("Authorization");
    this.secrets = new String[] {writeKey, authorization.substring(authorization.indexOf(' ') + 1)};
    this.gzip = gzip;
    this.executor = new ThreadPoolExecutor(maxInFlight, maxInFlight, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = threadFactory.newThread(runnable);
          threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
          if (thread != null) threads.add(thread);
          return thread;
        });
    this.executor.allowCoreThreadTimeOut(true);
  }

  /** Starts sending {@code batch} on an upload thread. */
  void submit(Batch batch) {
    try {
      executor.execute(() -> deliver(batch));
    } catch (RejectedExecutionException e) {
      fail(batch, new Failure(0, e, 0, "upload threads stopped before the batch could be sent"));
    }
  }

  private void deliver(Batch batch) {
    try {
      send(batch);
    } catch (Throwable t) {
      logger.error("Unexpected error while sending a batch of {} messages", batch.size(), t);
      fail(batch, new Failure(0, t, 0, "unexpected error: " + t));
      if (t instanceof Error) throw (Error) t;
    }
  }

  private void send(Batch batch) {
    long start = System.nanoTime();
    long retryAfterWaited = 0;
    int retries = 0;
    long nextAttemptNanos = start;
    for (int attempt = 1; ; attempt++) {
      if (!awaitTurn(nextAttemptNanos)) return;

      Transport.Response response = null;
      IOException error = null;
      try {
        response = reporter.send(transport, request(batch, attempt), batch.size(), attempt);
      } catch (IOException e) {
        error = e;
      } catch (RuntimeException e) {
        fail(batch, new Failure(0, e, attempt, "transport failed: " + e));
        return;
      }
      if (response != null && response.code() >= 200 && response.code() < 300) {
        logger.debug("Sent {} messages in attempt {}", batch.size(), attempt);
        succeed(batch);
        return;
      }
      if (isAborted()) return;

      int code = response != null ? response.code() : 0;
      String what = response != null ? "HTTP " + code : "network error: " + error;
      if (response != null && !RetryPolicy.isRetryable(code)) {
        fail(batch, new Failure(code, null, attempt,
            what + " is not retryable" + bodyForLog(response)));
        return;
      }

      long waitNanos = -1;
      long now = System.nanoTime();
      String retryAfter = response != null ? response.retryAfter() : null;
      if (retryAfter != null) {
        long asked = policy.retryAfterNanos(retryAfter, Instant.now());
        if (asked > 0 && retryAfterWaited + asked <= policy.maxRetryAfterTotalNanos) {
          waitNanos = asked;
          retryAfterWaited += asked;
          pauseUntil(now + asked);
          logger.info("{}: pausing uploads for {} ms as Retry-After asks", what, asked / 1_000_000);
        }
      }
      if (waitNanos < 0) {
        retries++;
        long backoff = policy.backoffNanos(retries);
        long spent = now - start - retryAfterWaited;
        if (retries > policy.maxRetries) {
          fail(batch, new Failure(code, error, attempt,
              what + "; gave up after " + policy.maxRetries + " retries"));
          return;
        }
        if (spent + backoff > policy.maxRetryNanos) {
          fail(batch, new Failure(code, error, attempt,
              what + "; gave up: retry time budget of " + policy.maxRetryNanos / 1_000_000 + " ms spent"));
          return;
        }
        waitNanos = backoff;
        logger.info("{}: retry {} of {} in {} ms", what, retries, policy.maxRetries, backoff / 1_000_000);
      }
      reporter.retry(batch.size(), attempt + 1, waitNanos);
      nextAttemptNanos = System.nanoTime() + waitNanos;
    }
  }

  private Transport.Request request(Batch batch, int attempt) throws IOException {
    byte[] body = encoder.batchBody(batch.messages, Instant.now());
    Map<String, String> attemptHeaders = headers;
    if (attempt > 1) {
      attemptHeaders = new LinkedHashMap<>(headers);
      attemptHeaders.put("X-Retry-Count", Integer.toString(attempt - 1));
    }
    return new Transport.Request(url, attemptHeaders, gzip ? gzip(body) : body);
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
      gzip.write(body);
    }
    return out.toByteArray();
  }

  /**
   * The start of an error body for the failure report and the log, without the write key: a proxy
   * or collector that echoes the request's credentials must not put them in our logs.
   */
  private String bodyForLog(Transport.Response response) {
    String body = response.body().trim();
    for (String secret : secrets) body = body.replace(secret, "[writeKey]");
    if (body.isEmpty()) return "";
    return ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
  }

  private void pauseUntil(long untilNanos) {
    lock.lock();
    try {
      if (untilNanos - pausedUntilNanos > 0) pausedUntilNanos = untilNanos;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code deadlineNanos} and past any Retry-After pause, whichever is later, unless
   * aborted first. Returns false when aborted.
   */
  private boolean awaitTurn(long deadlineNanos) {
    lock.lock();
    try {
      while (!aborted) {
        long now = System.nanoTime();
        long remaining = Math.max(deadlineNanos - now, pausedUntilNanos - now);
        if (remaining <= 0) return true;
        wake.awaitNanos(remaining);
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private boolean isAborted() {
    lock.lock();
    try {
      return aborted;
    } finally {
      lock.unlock();
    }
  }

  private void succeed(Batch batch) {
    settle(batch, true, () -> reporter.delivered(batch.messages));
  }

  private void fail(Batch batch, Failure failure) {
    settle(batch, false, () -> reporter.failed(batch.messages, failure));
  }

  /** Reports a batch that close gave up on, unless its upload settled it first. */
  void drop(Batch batch, DropReason reason) {
    settle(batch, false, () -> {
      for (EncodedMessage message : batch.messages) reporter.dropped(message, reason);
    });
  }

  /**
   * Records the batch's one outcome: {@code report} runs only for whoever settles it first. The
   * batch's room in the queue is freed before the callbacks run, so a callback that enqueues more
   * (an importer keeping a fixed number of lines in flight) finds room, and flush waiters are told
   * only after them.
   */
  private void settle(Batch batch, boolean delivered, Runnable report) {
    boolean settled = batch.settle(delivered);
    boolean released = queue.release(batch);
    if (settled) report.run();
    if (released) batch.done.complete(batch.delivered() ? batch.size() : 0);
  }

  /** Ends every wait; sends in progress are left to {@link Transport#close()} to cancel. */
  void abort() {
    lock.lock();
    try {
      aborted = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the upload threads, waiting up to {@code timeoutNanos} for them to end. */
  boolean shutdown(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    executor.shutdownNow();
    if (!executor.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) return false;
    // The pool counts as terminated while its last worker is still on its way out; wait for the
    // threads themselves, so that no thread of ours is alive once close returns.
    for (Thread thread : threads) {
      TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
      if (thread.isAlive()) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return "Uploader{url=" + url + ", gzip=" + gzip + ", " + policy + "}";
  }
}
