package dev.analytics4j.cli;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Every line's account: read, then exactly one of delivered, rejected or not delivered, with the
 * rejects file written as each is settled; and which lines are in the client, by messageId, so that
 * the client's per-message reports find their line.
 *
 * <p>It is also the run's one monitor. Every wait of the importer is a wait on it for a condition,
 * and whatever changes a condition (a line settled, a stop, the reader's end, an answer from the
 * endpoint) calls {@link #wake()} after the change, so nothing waits longer than it must and nothing
 * polls. A waiter reads {@link #changes()} before it checks its condition and passes it to
 * {@link #awaitChange}, so a change between the check and the wait is never missed.
 */
final class Ledger {
  private final int maxInFlightLines;
  private final @Nullable RejectsFile rejects;
  /** Where a line with a final fate (delivered, rejected) is marked for the checkpoint; null without one. */
  private final @Nullable FinalLines finals;

  private final AtomicLong read = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong notDelivered = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  /** Lines in the client by messageId (two lines may share one); guarded by this. */
  private final Map<String, Deque<LineRef>> inFlight = new HashMap<>();
  /** Lines between their hold and their outcome; guarded by this. */
  private int held;
  /** Bumped by every wake; guarded by this. */
  private long changes;
  private volatile boolean closed;

  Ledger(int maxInFlightLines, @Nullable RejectsFile rejects) {
    this(maxInFlightLines, rejects, null);
  }

  Ledger(int maxInFlightLines, @Nullable RejectsFile rejects, @Nullable FinalLines finals) {
    this.maxInFlightLines = maxInFlightLines;
    this.rejects = rejects;
    this.finals = finals;
  }

  /** Where a line came from, for the rejects file, and its ordinal across all inputs, for the checkpoint. */
  static final class LineRef {
    final String source;
    final long line;
    final long ordinal;

    LineRef(String source, long line) {
      this(source, line, 0);
    }

    LineRef(String source, long line, long ordinal) {
      this.source = source;
      this.line = line;
      this.ordinal = ordinal;
    }
  }

  void read() {
    read.incrementAndGet();
  }

  /** A line read that an earlier run settled for good (a resumed run): neither sent nor listed again. */
  void skipped() {
    skipped.incrementAndGet();
  }

  /** A line with nothing to send (blank): final as soon as it is read. */
  void blank(long ordinal) {
    markFinal(ordinal);
  }

  /**
   * Takes room for one line about to go into the client, waiting while {@code maxInFlightLines} are
   * there; false, holding nothing, once {@link #close} was called: room given back by a stopped run
   * is not an invitation to send more.
   */
  synchronized boolean hold(String messageId, LineRef ref) throws InterruptedException {
    while (!closed && held >= maxInFlightLines) wait();
    if (closed) return false;
    held++;
    inFlight.computeIfAbsent(messageId, id -> new ArrayDeque<>(1)).add(ref);
    return true;
  }

  /** Counts the line of {@code messageId} delivered. */
  void delivered(String messageId) {
    try {
      delivered.incrementAndGet();
      LineRef ref = take(messageId);
      if (ref != null) markFinal(ref.ordinal);
    } finally {
      free();
    }
  }

  /** Counts the line of {@code messageId} not delivered, for {@code why}. */
  void notDelivered(String messageId, String why) {
    try {
      notDelivered(take(messageId), why);
    } finally {
      free();
    }
  }

  /**
   * Gives back the room of the line of {@code messageId}, counting it not delivered for {@code why},
   * or not at all when {@code why} is null (whoever offered it counts it).
   */
  void dropped(String messageId, @Nullable String why) {
    try {
      LineRef ref = take(messageId);
      if (why != null) notDelivered(ref, why);
    } finally {
      free();
    }
  }

  /**
   * Counts the line of {@code messageId} rejected: the endpoint refused it alone (HTTP 400), so it
   * is invalid as surely as a line the importer rejects itself.
   */
  void refused(String messageId, String reason) {
    try {
      rejected.incrementAndGet();
      LineRef ref = take(messageId);
      write(ref, reason);
      // Final, as a line rejected on reading is: a resumed run would only be refused it again.
      if (ref != null) markFinal(ref.ordinal);
    } finally {
      free();
    }
  }

  /** Gives back the room of a line the client never took (its offer threw). */
  void unhold(String messageId) {
    try {
      take(messageId);
    } finally {
      free();
    }
  }

  /** A line that was read and never went into the client: invalid. */
  void reject(LineRef ref, String reason) {
    rejected.incrementAndGet();
    write(ref, reason);
    // After the rejects file has it: a kill between the two lists it again rather than never.
    markFinal(ref.ordinal);
  }

  private void markFinal(long ordinal) {
    if (finals != null && ordinal > 0) finals.add(ordinal);
  }

  /** A line read but not delivered, because the run stopped or the endpoint refused it. */
  void notDelivered(@Nullable LineRef ref, String why) {
    notDelivered.incrementAndGet();
    write(ref, "not delivered: " + why);
  }

  private synchronized @Nullable LineRef take(String messageId) {
    Deque<LineRef> refs = inFlight.get(messageId);
    if (refs == null) return null;
    LineRef ref = refs.poll();
    if (refs.isEmpty()) inFlight.remove(messageId);
    return ref;
  }

  /** After the count: a waiter that wakes finds the line settled. */
  private synchronized void free() {
    held--;
    changes++;
    notifyAll();
  }

  private void write(@Nullable LineRef ref, String reason) {
    if (rejects == null) return;
    rejects.write(ref != null ? ref.source : "?", ref != null ? ref.line : 0, reason);
  }

  /** No more holds: the run stopped. Wakes every waiter. */
  void close() {
    closed = true;
    wake();
  }

  synchronized void wake() {
    changes++;
    notifyAll();
  }

  synchronized long changes() {
    return changes;
  }

  /**
   * Waits until a {@link #wake()} after {@code seen} was read, at most {@code timeoutNanos}; without
   * a bound when it is negative.
   */
  synchronized void awaitChange(long seen, long timeoutNanos) throws InterruptedException {
    if (timeoutNanos < 0) {
      while (changes == seen) wait();
      return;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    long left = timeoutNanos;
    while (changes == seen && left > 0) {
      TimeUnit.NANOSECONDS.timedWait(this, left);
      left = deadline - System.nanoTime();
    }
  }

  /** Waits until {@code condition} holds or {@code deadlineNanos} passes; whether it holds. */
  boolean awaitUntil(BooleanSupplier condition, long deadlineNanos) throws InterruptedException {
    while (true) {
      long seen = changes();
      if (condition.getAsBoolean()) return true;
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) return false;
      awaitChange(seen, left);
    }
  }

  synchronized int held() {
    return held;
  }

  long readCount() {
    return read.get();
  }

  long deliveredCount() {
    return delivered.get();
  }

  long rejectedCount() {
    return rejected.get();
  }

  long notDeliveredCount() {
    return notDelivered.get();
  }

  long skippedCount() {
    return skipped.get();
  }

  /** Lines read whose outcome is not known yet. */
  long unsettled() {
    return read.get() - settledCount();
  }

  /** Lines read whose outcome is known: delivered, rejected, not delivered or skipped. */
  long settledCount() {
    return delivered.get() + rejected.get() + notDelivered.get() + skipped.get();
  }

  boolean balanced() {
    return unsettled() == 0;
  }

  /** Writes out what the rejects file holds so far (for a process about to halt). */
  void flushRejects() {
    if (rejects != null) rejects.flush();
  }

  /** Forces what the rejects file lists so far to disk. */
  void syncRejects() throws IOException {
    if (rejects != null) rejects.sync();
  }

  void closeRejects() throws IOException {
    if (rejects != null) rejects.close();
  }

  long rejectsWritten() {
    return rejects != null ? rejects.written() : 0;
  }
}
