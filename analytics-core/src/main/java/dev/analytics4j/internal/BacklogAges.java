package dev.analytics4j.internal;

import java.util.ArrayDeque;

/**
 * When the messages of a spool's backlog were accepted, oldest first, so that each keeps its age
 * (for {@code spoolMaxAge}) while its record waits on disk: records do not carry it. Messages
 * accepted within {@code granularityNanos} of a run's first share one run and the newest time in
 * it, so a message is taken to be at most that much younger than it is, never older: it may be kept
 * past its maximum age by the granularity, never failed before it. A backlog of any size then costs
 * at most one run per granularity of its age (and one per {@link #add} of recovered messages).
 * Not thread-safe: the queue calls it under its lock.
 */
final class BacklogAges {
  private final long granularityNanos;
  /** {count, newest enqueue nanos, first enqueue nanos}. */
  private final ArrayDeque<long[]> runs = new ArrayDeque<>();

  BacklogAges(long granularityNanos) {
    this.granularityNanos = granularityNanos;
  }

  /** Records that {@code count} more messages, the newest, were accepted at {@code nanos}. */
  void add(long count, long nanos) {
    long[] last = runs.peekLast();
    if (last != null && nanos - last[2] < granularityNanos) {
      last[0] += count;
      if (nanos - last[1] > 0) last[1] = nanos;
    } else {
      runs.addLast(new long[] {count, nanos, nanos});
    }
  }

  /**
   * Removes the oldest {@code count} messages and returns when the newest of them was accepted;
   * now, when none is recorded.
   */
  long take(long count) {
    long newest = 0;
    boolean any = false;
    long left = count;
    while (left > 0) {
      long[] head = runs.peekFirst();
      if (head == null) break;
      long taken = Math.min(left, head[0]);
      if (!any || head[1] - newest > 0) newest = head[1];
      any = true;
      left -= taken;
      head[0] -= taken;
      if (head[0] == 0) runs.pollFirst();
    }
    return any ? newest : System.nanoTime();
  }

  void clear() {
    runs.clear();
  }

  /** How many runs are held, for tests. */
  int runs() {
    return runs.size();
  }
}
