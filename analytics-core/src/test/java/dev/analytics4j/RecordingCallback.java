package dev.analytics4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records every outcome; a message reported twice is recorded in {@link #duplicates} (and thrown
 * about, though the client only logs what a callback throws).
 */
public final class RecordingCallback implements Callback {
  public final Map<String, String> outcomes = new ConcurrentHashMap<>();
  public final List<String> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final List<Failure> failures = new ArrayList<>();

  @Override
  public void onSuccess(EncodedMessage message) {
    record(message, "sent");
  }

  @Override
  public void onFailure(EncodedMessage message, Failure failure) {
    synchronized (failures) {
      failures.add(failure);
    }
    record(message, "failed");
  }

  @Override
  public void onDropped(EncodedMessage message, DropReason reason) {
    record(message, "dropped:" + reason);
  }

  private void record(EncodedMessage message, String outcome) {
    String previous = outcomes.putIfAbsent(message.messageId(), outcome);
    if (previous == null) {
      synchronized (this) {
        notifyAll();
      }
    } else {
      duplicates.add(message.messageId() + ": " + previous + ", " + outcome);
      throw new AssertionError(message.messageId() + " reported twice: " + previous + ", " + outcome);
    }
  }

  /** Waits until {@code messageId} has its outcome, which it returns; fails after {@code timeout}. */
  public synchronized String awaitOutcome(String messageId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String outcome;
    while ((outcome = outcomes.get(messageId)) == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError(messageId + " has no outcome after " + timeout);
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return outcome;
  }

  public long count(String outcome) {
    return outcomes.values().stream().filter(outcome::equals).count();
  }

  public Failure lastFailure() {
    synchronized (failures) {
      return failures.get(failures.size() - 1);
    }
  }
}
