package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.analytics4j.FaultyCollector.Fault;
import dev.analytics4j.internal.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The books of a reliability run: what the producers handed over, what the callback reported for
 * each messageId, and the check that the two agree with the collector and the metrics, exactly.
 * The callback never throws (a throwing callback is ignored by design); it records violations.
 */
final class Ledger implements Callback {
  /** One report about one message. */
  static final class Outcome {
    final String kind;
    final int status;
    final Throwable cause;
    final DropReason reason;
    /** For a failure: the client says the batch may have arrived. */
    final boolean maybeDelivered;

    Outcome(String kind, int status, Throwable cause, DropReason reason, boolean maybeDelivered) {
      this.kind = kind;
      this.status = status;
      this.cause = cause;
      this.reason = reason;
      this.maybeDelivered = maybeDelivered;
    }

    @Override
    public String toString() {
      return kind + (status != 0 ? " " + status : "") + (reason != null ? " " + reason : "")
          + (cause != null ? " " + cause : "") + (maybeDelivered ? " (may have been delivered)" : "");
    }
  }

  final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  /** Ids the client accepted: {@code offer} returned true or {@code enqueue} returned normally. */
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  /** Ids {@code offer} refused: each must be reported dropped. */
  final Set<String> refused = ConcurrentHashMap.newKeySet();
  /** Ids whose {@code enqueue} threw IllegalStateException because close had started. */
  final Set<String> refusedByException = ConcurrentHashMap.newKeySet();
  private final List<String> violations = new ArrayList<>();
  final AtomicInteger reports = new AtomicInteger();
  /** When positive, every n-th report throws an Error after it was recorded, as a buggy callback would. */
  volatile int throwEvery;

  @Override
  public void onSuccess(EncodedMessage message) {
    record(message, new Outcome("sent", 0, null, null, false));
  }

  @Override
  public void onFailure(EncodedMessage message, Failure failure) {
    record(message, new Outcome("failed", failure.statusCode(), failure.cause(), null, failure.mayHaveBeenDelivered()));
  }

  @Override
  public void onDropped(EncodedMessage message, DropReason reason) {
    record(message, new Outcome("dropped", 0, null, reason, false));
  }

  private void record(EncodedMessage message, Outcome outcome) {
    int n = reports.incrementAndGet();
    try {
      recordOnce(message, outcome);
    } finally {
      if (throwEvery > 0 && n % throwEvery == 0) throwAnError(n / throwEvery);
    }
  }

  private static void throwAnError(int which) {
    switch (which % 3) {
      case 0:
        overflow(0);
        break;
      case 1:
        throw new OutOfMemoryError("simulated by the ledger's callback");
      default:
        throw new AssertionError("a callback's own assertion failed");
    }
  }

  private static int overflow(int depth) {
    return overflow(depth + 1) + 1;
  }

  private void recordOnce(EncodedMessage message, Outcome outcome) {
    Outcome previous = outcomes.putIfAbsent(message.messageId(), outcome);
    if (previous != null) {
      synchronized (violations) {
        violations.add(message.messageId() + " reported twice: " + previous + ", then " + outcome);
      }
    }
  }

  long count(String kind) {
    return outcomes.values().stream().filter(o -> o.kind.equals(kind)).count();
  }

  /** The whole invariant of issue 5; call once every message has had its chance to settle. */
  void check(Metrics metrics, FaultyCollector collector) {
    synchronized (violations) {
      assertEquals(List.of(), violations, "double reports");
    }
    if (collector != null) {
      synchronized (collector.strayRequests) {
        assertEquals(List.of(), collector.strayRequests, "requests other than POST /v1/batch");
      }
    }
    List<String> problems = new ArrayList<>();
    for (String id : accepted) {
      Outcome outcome = outcomes.get(id);
      if (outcome == null) problems.add(id + " accepted but never reported");
    }
    for (String id : refused) {
      Outcome outcome = outcomes.get(id);
      if (outcome == null || !outcome.kind.equals("dropped")) problems.add(id + " refused but reported " + outcome);
    }
    for (String id : refusedByException) {
      Outcome outcome = outcomes.get(id);
      if (outcome != null && !(outcome.kind.equals("dropped") && outcome.reason == DropReason.CLOSED)) {
        problems.add(id + " refused with an exception but reported " + outcome);
      }
    }
    for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
      String id = entry.getKey();
      Outcome outcome = entry.getValue();
      if (!accepted.contains(id) && !refused.contains(id) && !refusedByException.contains(id)) {
        problems.add(id + " reported but never enqueued: " + outcome);
      }
      if (collector == null) continue;
      int commits = get(collector.commits, id);
      int lost = get(collector.lostCommits, id);
      int answered = commits - lost;
      switch (outcome.kind) {
        case "sent":
          if (answered != 1) problems.add(id + " reported sent; the collector answered 2xx " + answered + " times");
          break;
        case "failed":
          if (answered > (outcome.maybeDelivered ? 1 : 0)) {
            problems.add(id + " reported " + outcome + " but the collector answered 2xx " + answered + " times");
          }
          if (commits > 0 && !outcome.maybeDelivered) {
            problems.add(id + " reported " + outcome + " though the collector accepted it " + commits
                + " times: a failure must say it may have been delivered");
          }
          if (outcome.status == 0 && outcome.cause == null && !outcome.maybeDelivered) {
            problems.add(id + " failed without status or cause");
          }
          // A redirect or a refusal ends the batch: never sent again, and the collector's last word.
          if (outcome.status >= 300 && outcome.status < 500 && !RetryPolicy.isRetryable(outcome.status)) {
            List<Fault> seen = collector.history.get(id);
            long rejections = seen == null ? 0 : seen.stream().filter(f -> f.code == outcome.status).count();
            Fault last = seen == null || seen.isEmpty() ? null : seen.get(seen.size() - 1);
            if (rejections != 1 || last == null || last.code != outcome.status) {
              problems.add(id + " failed on " + outcome.status + " but the collector saw " + seen);
            }
          }
          break;
        default:
          if (answered != 0) problems.add(id + " reported " + outcome + " but the collector answered 2xx " + answered + " times");
      }
    }
    assertEquals(List.of(), problems.size() > 20 ? problems.subList(0, 20) : problems,
        problems.size() + " problems");

    long dropped = count("dropped");
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped(), metrics.toString());
    assertEquals(outcomes.size(), metrics.enqueued(), metrics.toString());
    assertEquals(count("sent"), metrics.sent(), metrics.toString());
    assertEquals(count("failed"), metrics.failed(), metrics.toString());
    assertEquals(dropped, metrics.dropped(), metrics.toString());
    assertEquals(0, metrics.queuedMessages(), metrics.toString());
    assertEquals(0, metrics.queuedBytes(), metrics.toString());
    assertEquals(outcomes.size(), reports.get(), "one report per message");
  }

  private static int get(Map<String, AtomicInteger> map, String id) {
    AtomicInteger n = map.get(id);
    return n == null ? 0 : n.get();
  }
}
