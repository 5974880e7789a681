package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The messages enqueued between two calls of {@link Analytics#flush()}, and what became of them.
 *
 * <p>Every message accepted or dropped at enqueue belongs to the epoch that was current then.
 * {@code flush()} closes the current epoch and opens the next; the closed epoch's future completes
 * once each of its messages has settled and been reported, and every earlier epoch has completed,
 * so a flush also waits for messages enqueued before earlier flushes. All fields are guarded by the
 * {@link MessageQueue}'s lock.
 */
final class FlushEpoch {
  /** Messages of this epoch not yet settled and reported. */
  long pending;
  long delivered;
  long failed;
  long dropped;
  final FlushFuture future = new FlushFuture();
  /** Shared by flushes that found nothing new since this epoch closed; created on demand. */
  private @Nullable FlushFuture emptyFollower;

  boolean isEmpty() {
    return pending == 0 && delivered == 0 && failed == 0 && dropped == 0;
  }

  /** Its counts of settled messages, delivered, failed and dropped, as a key. */
  List<Long> counts() {
    return Arrays.asList(delivered, failed, dropped);
  }

  FlushFuture emptyFollower() {
    if (emptyFollower == null) emptyFollower = new FlushFuture();
    return emptyFollower;
  }

  @Nullable FlushFuture emptyFollowerIfAny() {
    return emptyFollower;
  }

  FlushResult result(boolean complete) {
    return Internal.get().flushResult(complete, delivered, failed, dropped);
  }

  /** Consecutive messages, in queue order, of one epoch: how a batch knows whose messages it holds. */
  static final class Run {
    final FlushEpoch epoch;
    int count;

    Run(FlushEpoch epoch, int count) {
      this.epoch = epoch;
      this.count = count;
    }
  }
}
