package dev.analytics4j.cli;

import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What the client reports, turned into each line's outcome and into stops. As the callback it learns
 * each line's fate; it runs on the client's threads, so it only counts and writes, and the line's
 * room is given back whatever happens (a lost one would hold the end of the run forever). As the
 * listener it tells the {@link EndpointWatch} about every request, and stops the run on an answer
 * every later request would get too, the moment it arrives, once per request rather than once per line.
 */
final class Outcomes extends AnalyticsListener implements Callback {
  /** Requests refused in a row, none delivered between them, that stop the run. */
  static final int MAX_REFUSED_IN_A_ROW = 10;

  private final Ledger ledger;
  private final Stops stops;
  private final EndpointWatch watch;
  /**
   * Requests refused (a 4xx the client does not retry) or failed in the HTTP client since the last
   * one that delivered.
   */
  private final AtomicLong refusedInARow = new AtomicLong();
  /** Takes the lines of a batch refused for its content, to find which of them the endpoint refuses. */
  private volatile @Nullable Narrower narrower;

  Outcomes(Ledger ledger, Stops stops, EndpointWatch watch) {
    this.ledger = ledger;
    this.stops = stops;
    this.watch = watch;
  }

  @Override
  public void onSuccess(EncodedMessage message) {
    ledger.delivered(message.messageId());
  }

  void narrowWith(Narrower narrower) {
    this.narrower = narrower;
  }

  @Override
  public void onFailure(EncodedMessage message, Failure failure) {
    Narrower n = narrower;
    if (n != null && Narrower.narrows(failure) && n.take(message, failure)) return; // settled by the narrower
    String why = null;
    try {
      why = describe(failure);
    } finally {
      // Counted and its room given back even if describing it failed.
      ledger.notDelivered(message.messageId(), why != null ? why : failure.reason());
    }
  }

  private String describe(Failure failure) {
    ImportResult.Stop stopped = stops.get();
    if (stopped == null || !failure.abandonedAtClose()) {
      return failure.reason() + " after " + failure.attempts() + " attempt(s)";
    }
    // The client gave up on it because the run stopped: say so, where it was, and whether it may
    // have arrived. With neither a status nor an error, its attempt was on the wire.
    String why;
    if (failure.statusCode() == 0 && failure.cause() == null) {
      why = "the import stopped while it was being sent, so it may have arrived; a re-run sends it "
          + "again with the same messageId";
    } else {
      why = "the import stopped while it waited to be sent again after "
          + (failure.statusCode() != 0 ? "HTTP " + failure.statusCode() : "a network error")
          + (failure.mayHaveBeenDelivered() ? "; an earlier attempt may have arrived, and a re-run sends it "
              + "again with the same messageId" : "");
    }
    return why + " (" + stopped.reason + ")";
  }

  @Override
  public void onDropped(EncodedMessage message, DropReason reason) {
    // QUEUE_FULL and CLOSED happen inside offer, which then returns false and the feeder decides.
    ledger.dropped(message.messageId(), reason == DropReason.CLOSE_TIMEOUT ? stopReason(stops) : null);
  }

  /** Why a line read was not sent. */
  static String stopReason(Stops stops) {
    ImportResult.Stop s = stops.get();
    return s != null ? "the import stopped before it was sent (" + s.reason + ")"
        : "still unsent when the client closed";
  }

  @Override
  public void requestStart(int messageCount, int attempt) {
    watch.requestStart(messageCount, attempt);
  }

  @Override
  public void requestEnd(int messageCount, int attempt, int code, long latencyNanos) {
    watch.requestEnd(messageCount, attempt, code, latencyNanos);
    Narrower n = narrower;
    if (n != null) n.expect(messageCount, code);
    if (code == 401 || code == 403) {
      stops.stop(Stops.auth(code));
    } else if (Stops.wrongEndpoint(code)) {
      stops.stop(Stops.wrongEndpoint("the endpoint", code));
    } else if (code >= 200 && code < 300) {
      refusedInARow.set(0);
    } else if (code >= 400 && code != 429 && !EndpointWatch.isDownAnswer(code)
        && refusedInARow.incrementAndGet() >= MAX_REFUSED_IN_A_ROW) {
      // The same refusal of ten requests in a row with nothing delivered between them is an
      // endpoint that refuses everything (a body limit, a proxy), not ten bad batches. Counted
      // in requests, not lines: batches of a slow pipe or a --rate hold a few lines each.
      stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint refused the last "
          + MAX_REFUSED_IN_A_ROW + " requests in a row and delivered none between them (last answer: HTTP "
          + code + "; the rejects file has each line with the answer)", ImportResult.EXIT_ENDPOINT));
    }
    ledger.wake(); // the endpoint's trouble may have begun or ended: the bound on downtime moves
  }

  @Override
  public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
    watch.requestFailed(messageCount, attempt, error, latencyNanos);
    // Not the network, which the client retries: the HTTP client itself threw, and fails the batch.
    // One that does so ten times in a row would fail every line of the input the same way.
    if (!(error instanceof IOException) && !stops.stopped()
        && refusedInARow.incrementAndGet() >= MAX_REFUSED_IN_A_ROW) {
      stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the HTTP client failed on the last "
          + MAX_REFUSED_IN_A_ROW + " requests in a row (" + error.getClass().getSimpleName()
          + "; the rejects file has each line with the error)", ImportResult.EXIT_ENDPOINT));
    }
    ledger.wake();
  }

  @Override
  public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
    watch.retryScheduled(messageCount, nextAttempt, delayNanos);
  }
}
