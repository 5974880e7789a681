package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
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

    /**
     * {@code messages}, whose epochs in order are {@code runs}, in two parts, each with its runs: those
     * {@code first} accepts, and the others.
     */
    static Split split(List<EncodedMessage> messages, List<Run> runs, Predicate<EncodedMessage> first) {
      Split split = new Split();
      int index = 0;
      for (Run run : runs) {
        for (int i = 0; i < run.count; i++) split.add(messages.get(index++), run.epoch, first);
      }
      // Every message is counted in an epoch; should one not be, it is still reported, without a run.
      for (; index < messages.size(); index++) split.add(messages.get(index), null, first);
      return split;
    }
  }

  /** Messages and their runs in two parts, each in queue order: see {@link Run#split}. */
  static final class Split {
    final List<EncodedMessage> accepted = new ArrayList<>();
    final List<Run> acceptedRuns = new ArrayList<>();
    final List<EncodedMessage> others = new ArrayList<>();
    final List<Run> otherRuns = new ArrayList<>();

    private void add(EncodedMessage message, @Nullable FlushEpoch epoch, Predicate<EncodedMessage> first) {
      boolean accepted = first.test(message);
      (accepted ? this.accepted : others).add(message);
      if (epoch == null) return;
      List<Run> to = accepted ? acceptedRuns : otherRuns;
      Run last = to.isEmpty() ? null : to.get(to.size() - 1);
      if (last != null && last.epoch == epoch) {
        last.count++;
      } else {
        to.add(new Run(epoch, 1));
      }
    }
  }
}
