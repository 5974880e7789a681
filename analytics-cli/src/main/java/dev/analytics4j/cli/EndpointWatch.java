package dev.analytics4j.cli;

import dev.analytics4j.AnalyticsListener;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * What the endpoint is doing, learned from every request the client reports to its
 * {@link AnalyticsListener} and from the importer's own endpoint check, which reports its requests
 * the same way: whether it is in trouble, since when and why, and when the next retry goes out.
 * The progress line, the notices and the {@code --max-downtime} bound all read it.
 *
 * <p>It is <em>down</em> while the last answer was no answer (a network error) or one the client
 * retries because the server is in trouble (most 5xx, 408); <em>rate-limited</em> while the last was a
 * 429. Either way nothing is being accepted, and the time since it last was counts against
 * {@code --max-downtime}; any other answer ends the trouble. The retry shown is the soonest one
 * scheduled, counted down on {@code clock}, which tests replace.
 */
final class EndpointWatch extends AnalyticsListener {
  /** Retries remembered at most; a batch abandoned by close never starts its retry, nothing else is lost. */
  private static final int MAX_SCHEDULED = 64;

  private final LongSupplier clock;
  private final Object lock = new Object();
  /** The last failure ("connection refused", "HTTP 503", "HTTP 429"); null while the endpoint accepts. */
  private @Nullable String problem;
  private boolean throttled;
  private long troubleSinceNanos;
  /** Attempts that failed since the trouble began. */
  private int failedAttempts;
  /** Retries scheduled and not yet started, as {retry number, when it is due}. */
  private final List<long[]> scheduled = new ArrayList<>();
  /** Retries on the wire now, and the number of the last one started. */
  private int retriesSending;
  private int lastRetryStarted;
  /**
   * When each request now on the wire started, by the thread sending it: the listener's contract
   * is that a request's start and end are reported on the same thread.
   */
  private final Map<Thread, Long> unanswered = new HashMap<>();
  /** Set by {@link #stopWatching()}: when the state stopped changing. */
  private boolean stopped;
  private long stoppedAtNanos;

  EndpointWatch(LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  /** What the watch shows at one moment. */
  static final class State {
    static final State UP = new State(null, false, 0, null);

    /** The last failure with the retry, e.g. "connection refused, retry 3 in 4 s"; null while up. */
    final @Nullable String problem;
    /** Whether the trouble is a 429 (the endpoint answers, asking to wait) rather than an outage. */
    final boolean throttled;
    /** How long nothing has been accepted; 0 while up. */
    final long troubleNanos;
    /** The last failure and the attempts, for a stop: "connection refused, 14 failed attempts". */
    final @Nullable String reason;

    State(@Nullable String problem, boolean throttled, long troubleNanos, @Nullable String reason) {
      this.problem = problem;
      this.throttled = throttled;
      this.troubleNanos = troubleNanos;
      this.reason = reason;
    }
  }

  State state() {
    synchronized (lock) {
      if (problem == null) return State.UP;
      long now = stopped ? stoppedAtNanos : clock.getAsLong();
      String retry = stopped ? null : retry(now); // the client that would retry is closing
      String reason = String.format(Locale.ROOT, "%s, %,d failed attempt%s", problem, failedAttempts,
          failedAttempts == 1 ? "" : "s");
      return new State(retry == null ? problem : problem + ", " + retry, throttled,
          Math.max(1, now - troubleSinceNanos), reason);
    }
  }

  /**
   * How long the oldest request on the wire has waited for its answer; 0 when none is waiting. A
   * server that takes its time (up to the client's timeouts) shows nothing else while it does.
   */
  long unansweredNanos() {
    synchronized (lock) {
      long now = stopped ? stoppedAtNanos : clock.getAsLong();
      long longest = 0;
      for (long started : unanswered.values()) longest = Math.max(longest, now - started);
      return longest;
    }
  }

  /** "retry 3 in 4 s" (or "in 4:58") for the soonest retry scheduled, "retry 3 in progress" once it is due; else null. */
  private @Nullable String retry(long now) {
    long[] next = null;
    for (long[] entry : scheduled) {
      if (next == null || entry[1] - next[1] < 0) next = entry;
    }
    if (next != null && next[1] - now > 0) {
      long seconds = (next[1] - now + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
      // A Retry-After can ask for minutes: "in 4:58" reads better than "in 298 s".
      return String.format(Locale.ROOT, "retry %,d in %s", next[0],
          seconds < 60 ? seconds + " s" : Importer.clock(seconds));
    }
    if (next != null) return String.format(Locale.ROOT, "retry %,d in progress", next[0]);
    if (retriesSending > 0) return String.format(Locale.ROOT, "retry %,d in progress", lastRetryStarted);
    return null;
  }

  /**
   * Keeps the state as it is now: the requests the client's close cuts short fail with "transport
   * closed", which says nothing about the endpoint, and the last progress line must not call it down.
   */
  void stopWatching() {
    synchronized (lock) {
      if (stopped) return;
      stopped = true;
      stoppedAtNanos = clock.getAsLong();
    }
  }

  @Override
  public void requestStart(int messageCount, int attempt) {
    synchronized (lock) {
      if (stopped) return;
      unanswered.put(Thread.currentThread(), clock.getAsLong());
      if (attempt < 2) return;
      int retry = attempt - 1;
      long[] started = null;
      for (long[] entry : scheduled) {
        if (entry[0] == retry && (started == null || entry[1] - started[1] < 0)) started = entry;
      }
      if (started != null) scheduled.remove(started);
      retriesSending++;
      lastRetryStarted = retry;
    }
  }

  @Override
  public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
    synchronized (lock) {
      if (stopped) return;
      ended(attempt);
      if (isDownAnswer(statusCode) || statusCode == 429) {
        failed("HTTP " + statusCode, statusCode == 429);
      } else {
        problem = null;
        throttled = false;
      }
    }
  }

  @Override
  public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
    synchronized (lock) {
      if (stopped) return;
      ended(attempt);
      // A transport that threw something other than an IOException failed the batch; the endpoint
      // may be fine, and that batch's lines say why in the rejects file.
      if (error instanceof IOException) failed(describe((IOException) error), false);
    }
  }

  @Override
  public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
    synchronized (lock) {
      if (stopped) return;
      if (scheduled.size() == MAX_SCHEDULED) scheduled.remove(0);
      scheduled.add(new long[] {nextAttempt - 1, clock.getAsLong() + delayNanos});
    }
  }

  private void ended(int attempt) {
    unanswered.remove(Thread.currentThread());
    if (attempt > 1 && retriesSending > 0) retriesSending--;
  }

  private void failed(String why, boolean rateLimited) {
    if (problem == null) {
      troubleSinceNanos = clock.getAsLong();
      failedAttempts = 0;
    }
    failedAttempts++;
    problem = why;
    throttled = rateLimited;
  }

  /**
   * An answer that says the server is in trouble, which the client retries: 5xx but 501, 505 and
   * 511 (which say the request is wrong, and are not retried), 408, 410 and 460 (a load balancer's).
   */
  static boolean isDownAnswer(int code) {
    if (code == 408 || code == 410 || code == 460) return true;
    return code >= 500 && code <= 599 && code != 501 && code != 505 && code != 511;
  }

  /**
   * The failure in a user's words, never a stack trace or a class name where a phrase will do, on
   * one line: an exception's message may quote what the network sent.
   */
  static String describe(IOException e) {
    return ImportResult.oneLine(words(e));
  }

  private static String words(IOException e) {
    if (e instanceof ConnectException) return "connection refused";
    if (e instanceof UnknownHostException) return "unknown host " + e.getMessage();
    if (e instanceof NoRouteToHostException) return "no route to host";
    if (e instanceof SocketTimeoutException) return "timed out";
    if (e instanceof SSLException) return "TLS failed: " + e.getMessage();
    String message = e.getMessage();
    if (message == null || message.isEmpty()) return "network error (" + e.getClass().getSimpleName() + ")";
    if (message.startsWith("Failed to connect")) return "connection refused";
    return "network error: " + message;
  }
}
