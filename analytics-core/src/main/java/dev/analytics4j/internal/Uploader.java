package dev.analytics4j.internal;

import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Sends batches on its own threads, at most {@code maxInFlight} at once (the queue hands out no
 * more), retrying as {@link RetryPolicy} says, and finishes each batch exactly once.
 *
 * <p>Every attempt rebuilds the envelope around the unchanged message bytes with a fresh
 * {@code sentAt}, because the API derives event times from {@code sentAt} and a stale one would shift
 * every event in the batch by the retry delay. A {@code Retry-After} pauses all uploads of this
 * client until it has passed. Waits are timed waits that {@link #abort} cuts short; nothing spins.
 *
 * <p>With a spool, a batch whose records are on disk outlasts any outage instead of failing when
 * its retries run out: it keeps its place in the window, so new messages wait in the spool's
 * backlog, and is retried with capped backoff until it is delivered, gets an answer that is not
 * retryable, is left to the next client by close, or its newest message is older than {@code
 * spoolMaxAge} (then it fails with {@link Failure#expired()}).
 */
final class Uploader {
  private static final Internal API = Internal.get();
  private static final Log logger = Log.get(Uploader.class);
  /** The shortest deadline the retry budget leaves a retry (the configured one may be shorter). */
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final String BODY_LEFT_OUT = " (body left out: a write key under " + Redactor.MIN_SAFE_KEY
      + " characters cannot be taken out of it safely)";

  private final Transport transport;
  private final MessageEncoder encoder;
  private final RetryPolicy policy;
  private final Reporter reporter;
  private final MessageQueue queue;
  private final String url;
  private final Map<String, String> headers;
  /** Takes the write key, in any spelling a collector may echo, out of what we log. */
  private final Redactor redactor;
  private final boolean gzip;
  private final long attemptTimeoutNanos;
  /** The upload threads, from the user's factory; see {@link Workers} for why not an executor. */
  private final Workers workers;
  /**
   * Whether the spool keeps the batches' records for the next client, so that an outage is waited
   * out until spoolMaxAge; false without a spool, and once a spool has lost its directory.
   */
  private final BooleanSupplier waitsOnDisk;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private long pausedUntilNanos = System.nanoTime();
  private boolean aborted;

  Uploader(Transport transport, MessageEncoder encoder, RetryPolicy policy, Reporter reporter,
      MessageQueue queue, String url, Map<String, String> headers, String writeKey, boolean gzip,
      long attemptTimeoutNanos, Workers workers, BooleanSupplier waitsOnDisk) {
    this.waitsOnDisk = waitsOnDisk;
    this.transport = transport;
    this.encoder = encoder;
    this.policy = policy;
    this.reporter = reporter;
    this.queue = queue;
    this.url = url;
    this.headers = headers;
    this.redactor = new Redactor(writeKey);
    this.gzip = gzip;
    this.attemptTimeoutNanos = attemptTimeoutNanos;
    this.workers = workers;
  }

  /**
   * Starts sending {@code batch} on an upload thread, or on the calling (flusher) thread when no
   * upload thread can be had, as when the process is at its thread limit or the thread factory
   * throws, returns null or makes threads that die: the batch is then sent late rather than lost.
   */
  void submit(Batch batch) {
    try {
      workers.execute(() -> deliver(batch));
    } catch (Throwable t) {
      if (workers.isShutdown()) {
        fail(batch, failure(0, t, 0, "upload threads stopped before the batch could be sent", false));
        return;
      }
      try {
        logger.warn("Could not start an upload thread ({}); sending a batch of {} on the flusher "
            + "thread instead", ClientThreads.describe(t.getCause() != null ? t.getCause() : t),
            Log.count(batch.size(), "message"));
      } catch (Throwable ignored) {
        // Sending the batch matters more than saying so.
      }
      deliver(batch);
    }
  }

  /** Finishes a batch that could not be handed to {@link #submit}; a no-op if it was finished already. */
  void failUnsent(Batch batch, Throwable error) {
    fail(batch, failure(0, error, 0, "could not be sent: " + redacted(ClientThreads.describe(error)), false));
  }

  /**
   * Sends {@code batch} and finishes it, whatever is thrown: no batch is ever left unreported, even
   * when reporting the first error throws again (an exception whose {@code toString()} throws).
   */
  private void deliver(Batch batch) {
    try {
      send(batch);
    } catch (Throwable t) {
      try {
        logger.error("Unexpected error while sending a batch of {}", Log.count(batch.size(), "message"), t);
      } catch (Throwable ignored) {
        // The report below matters more than the log line.
      }
      fail(batch, failure(0, t, batch.attempts(), "unexpected error: " + redacted(ClientThreads.describe(t)),
          batch.attempts() > 0));
    } finally {
      // Finished already unless something above threw before the batch was claimed.
      if (!batch.isFinished()) {
        fail(batch, failure(0, null, batch.attempts(), "unexpected error: another while reporting it",
            batch.attempts() > 0));
      }
    }
  }

  private void send(Batch batch) {
    long start = System.nanoTime();
    boolean spooled = false;
    long retryAfterWaited = 0;
    int retries = 0;
    long nextAttemptNanos = start;
    for (int attempt = 1; ; attempt++) {
      if (!awaitTurn(nextAttemptNanos)) return;
      long timeoutNanos = attemptTimeoutNanos;
      if (attempt > 1 && !spooled) {
        long budgetLeft = policy.maxRetryNanos - (System.nanoTime() - start - retryAfterWaited);
        timeoutNanos = Math.min(timeoutNanos, Math.max(MIN_ATTEMPT_NANOS, budgetLeft));
      }
      Transport.Request request = request(batch, attempt, timeoutNanos);
      // From here until endAttempt/finish, close reports the batch as possibly delivered.
      if (!batch.beginAttempt()) return;

      Transport.Response response = null;
      IOException error = null;
      try {
        response = reporter.send(transport, request, batch.size(), attempt);
      } catch (IOException e) {
        error = e;
      } catch (RuntimeException e) {
        fail(batch, failure(0, e, attempt, "transport failed: " + redacted(ClientThreads.describe(e)), true));
        return;
      }
      if (response != null && response.code() >= 200 && response.code() < 300) {
        if (logger.isDebugEnabled()) logger.debug("Sent {} in attempt {}", Log.count(batch.size(), "message"), attempt);
        succeed(batch, response.code());
        return;
      }

      int code = response != null ? response.code() : 0;
      boolean maybeReceived = error != null && mayHaveArrived(error);
      String what = response != null ? "HTTP " + code : "network error: " + redacted(ClientThreads.describe(error));
      if (response != null && !RetryPolicy.isRetryable(code)) {
        fail(batch, failure(code, null, attempt, notRetryable(response), batch.uncertain()));
        return;
      }
      if (!batch.endAttempt(code, error, maybeReceived)) return;
      if (isAborted()) return;

      long waitNanos = -1;
      long now = System.nanoTime();
      spooled = waitsOnDisk.getAsBoolean();
      // Measured from the newest message, so that no message of the batch fails before its time.
      if (spooled && now - newestEnqueued(batch) >= policy.spoolMaxAgeNanos) {
        fail(batch, failure(code, error, attempt, what + "; gave up: the messages waited longer than "
            + "spoolMaxAge (" + Duration.ofNanos(policy.spoolMaxAgeNanos) + ") for the endpoint",
            batch.uncertain(), false, true));
        return;
      }
      String retryAfter = response != null ? response.retryAfter() : null;
      if (retryAfter != null) {
        long asked = policy.retryAfterNanos(retryAfter, Instant.now());
        if (asked > 0 && (spooled || retryAfterWaited + asked <= policy.maxRetryAfterTotalNanos)) {
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
        if (spooled) {
          waitNanos = backoff;
          logger.info("{}: retry {} in {} ms; the messages wait in the spool", what, retries, backoff / 1_000_000);
        } else if (retries > policy.maxRetries) {
          fail(batch, failure(code, error, attempt,
              what + "; gave up after " + Log.count(policy.maxRetries, "retry", "retries"), batch.uncertain()));
          return;
        } else if (spent + backoff > policy.maxRetryNanos) {
          fail(batch, failure(code, error, attempt,
              what + "; gave up: retry time budget of " + policy.maxRetryNanos / 1_000_000 + " ms spent",
              batch.uncertain()));
          return;
        } else {
          waitNanos = backoff;
          logger.info("{}: retry {} of {} in {} ms", what, retries, policy.maxRetries, backoff / 1_000_000);
        }
      }
      reporter.retry(batch.size(), attempt + 1, waitNanos);
      nextAttemptNanos = System.nanoTime() + waitNanos;
    }
  }

  private static long newestEnqueued(Batch batch) {
    long newest = API.enqueuedNanos(batch.messages.get(0));
    for (EncodedMessage message : batch.messages) {
      if (API.enqueuedNanos(message) - newest > 0) newest = API.enqueuedNanos(message);
    }
    return newest;
  }

  /**
   * Whether a request that failed with {@code error} may have reached the server anyway: every
   * network error but those that happen before a connection exists.
   */
  private static boolean mayHaveArrived(IOException error) {
    return !(error instanceof ConnectException || error instanceof UnknownHostException
        || error instanceof NoRouteToHostException);
  }

  private String notRetryable(Transport.Response response) {
    int code = response.code();
    if (code >= 300 && code < 400) {
      String location = response.location();
      return "HTTP " + code + " redirect"
          + (location != null ? " to " + redacted(location) : " without a Location")
          + " is not followed: set the endpoint to the URL that accepts the batch";
    }
    return "HTTP " + code + " is not retryable" + bodyForLog(response);
  }

  private Transport.Request request(Batch batch, int attempt, long timeoutNanos) {
    byte[] body = encoder.batchBody(batch.messages, Instant.now());
    Map<String, String> attemptHeaders = headers;
    if (attempt > 1) {
      attemptHeaders = new LinkedHashMap<>(headers);
      attemptHeaders.put("X-Retry-Count", Integer.toString(attempt - 1));
    }
    return new Transport.Request(url, attemptHeaders, gzip ? gzip(body) : body,
        Duration.ofNanos(timeoutNanos));
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
      gzip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory failed", e); // a ByteArrayOutputStream never throws
    }
    return out.toByteArray();
  }

  /**
   * {@code text} from the network (a body, a header, an exception message quoting a status line)
   * made fit for a log line: the write key taken out, and control characters escaped so that a
   * collector cannot forge log lines with CR/LF.
   */
  private String redacted(String text) {
    String redacted = redactor.redact(text);
    StringBuilder out = null;
    for (int i = 0; i < redacted.length(); i++) {
      char c = redacted.charAt(i);
      if (c >= 0x20 && c != 0x7f) {
        if (out != null) out.append(c);
        continue;
      }
      if (out == null) out = new StringBuilder(redacted.length() + 16).append(redacted, 0, i);
      out.append(String.format("\\u%04x", (int) c));
    }
    return out == null ? redacted : out.toString();
  }

  /**
   * The start of an error body for the failure report and the log, without the write key: a proxy
   * or collector that echoes the request's credentials must not put them in our logs.
   */
  private String bodyForLog(Transport.Response response) {
    if (response.body().trim().isEmpty()) return "";
    // Not redacted but left out: a key this short could hide in the body, or be found in its words.
    if (!redactor.canRedactSafely()) return BODY_LEFT_OUT;
    // Redacted before trimming or shortening, so a key cut by the transport's read limit is still at the end.
    String body = redacted(response.body()).trim();
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
    boolean interrupted = false;
    lock.lock();
    try {
      while (!aborted) {
        long now = System.nanoTime();
        long remaining = Math.max(deadlineNanos - now, pausedUntilNanos - now);
        if (remaining <= 0) return true;
        try {
          wake.awaitNanos(remaining);
        } catch (InterruptedException e) {
          // Only abort ends a wait: a batch left unsent by a stray interrupt would be held until close.
          interrupted = true;
        }
      }
      return false;
    } finally {
      lock.unlock();
      if (interrupted) Thread.currentThread().interrupt();
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

  private void succeed(Batch batch, int status) {
    if (!batch.finishByUploader(status, false)) return;
    finish(batch, FlushEpochs.Outcome.DELIVERED, () -> reporter.delivered(batch.messages));
  }

  private void fail(Batch batch, Failure failure) {
    if (!batch.finishByUploader(failure.statusCode(), false)) return;
    finish(batch, FlushEpochs.Outcome.FAILED, () -> reporter.failed(batch.messages, failure));
  }

  /**
   * Claims a batch close gives up on, unless its upload finished it first, frees its room and counts
   * it: a message whose record stays for the next client ({@code kept}) is dropped as {@link
   * DropReason#SPOOLED}; any other is dropped when the batch never went out, and failed (possibly
   * delivered) once a request for it was sent.
   * Returns what is left to do, the callbacks and the flushes waiting on it, or null.
   */
  @Nullable Runnable giveUp(Batch batch, Predicate<EncodedMessage> kept) {
    Batch.Unfinished state = batch.finishByClose();
    if (state == null) return null;
    queue.release(batch);
    FlushEpoch.Split split = FlushEpoch.Run.split(batch.messages, batch.runs, kept);
    if (split.others.isEmpty()) return dropLater(batch.messages, batch.runs, DropReason.SPOOLED);
    Runnable spooled = dropLater(split.accepted, split.acceptedRuns, DropReason.SPOOLED);
    List<EncodedMessage> rest = split.others;
    Runnable lost;
    if (state.attempts == 0) {
      lost = dropLater(rest, split.otherRuns, DropReason.CLOSE_TIMEOUT);
    } else {
      Failure failure = state.sending
          ? failure(0, null, state.attempts, "close deadline passed during attempt " + state.attempts
              + "; the batch may have been delivered", true, true)
          : failure(state.lastStatus, state.lastError, state.attempts, "close deadline passed while "
              + "waiting to retry after " + (state.lastStatus != 0 ? "HTTP " + state.lastStatus : "a network error"),
              state.uncertain, true);
      reporter.failedCounted(rest, failure);
      lost = () -> {
        try {
          reporter.failedCallbacks(rest, failure);
        } finally {
          queue.settle(split.otherRuns, FlushEpochs.Outcome.FAILED);
        }
      };
    }
    return () -> {
      try {
        spooled.run();
      } finally {
        lost.run();
      }
    };
  }

  /**
   * Counts {@code messages} as dropped for {@code reason} now, and returns what is left to do: their
   * callbacks, then the flushes waiting on them ({@code runs}).
   */
  Runnable dropLater(List<EncodedMessage> messages, List<FlushEpoch.Run> runs, DropReason reason) {
    reporter.droppedCounted(messages, reason);
    return () -> {
      try {
        reporter.droppedCallbacks(messages, reason);
      } finally {
        queue.settle(runs, FlushEpochs.Outcome.DROPPED);
      }
    };
  }

  /**
   * Reports a batch its one party finished: its room in the queue is freed before the callbacks run,
   * so a callback that enqueues more (an importer keeping a fixed number of lines in flight) finds
   * room; the flushes waiting on it learn its outcome only after them.
   */
  private void finish(Batch batch, FlushEpochs.Outcome outcome, Runnable report) {
    queue.release(batch);
    try {
      report.run();
    } finally {
      queue.settle(batch.runs, outcome);
    }
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

  /**
   * Stops the upload threads, waiting up to {@code timeoutNanos} for them to end, without
   * interrupting them: a thread may be in a user callback writing a dead-letter file, and an
   * interrupt would close its channel. Sends in progress were cancelled by the transport's close.
   * Returns false when a thread other than the caller's is still running.
   */
  boolean shutdown(long timeoutNanos) {
    workers.shutdown();
    return workers.awaitTermination(System.nanoTime() + timeoutNanos);
  }

  @Override
  public String toString() {
    return "Uploader{url=" + redactor.redact(url) + ", gzip=" + gzip + ", " + policy + "}";
  }

  private static Failure failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered) {
    return API.failure(statusCode, cause, attempts, reason, mayHaveBeenDelivered, false, false);
  }

  private static Failure failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose) {
    return API.failure(statusCode, cause, attempts, reason, mayHaveBeenDelivered, abandonedAtClose, false);
  }

  private static Failure failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose, boolean expired) {
    return API.failure(statusCode, cause, attempts, reason, mayHaveBeenDelivered, abandonedAtClose, expired);
  }
}
