package dev.analytics4j;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Messages sent in one request, and the one-time record of what happened to them. */
final class Batch {
  final List<EncodedMessage> messages;
  final long bytes;
  private static final int UNSETTLED = 0;
  private static final int DELIVERED = 1;
  private static final int NOT_DELIVERED = 2;

  private final AtomicInteger state = new AtomicInteger(UNSETTLED);
  /** Completes with the number of messages delivered once the batch is settled and released. */
  final CompletableFuture<Integer> done = new CompletableFuture<>();

  Batch(List<EncodedMessage> messages, long bytes) {
    this.messages = messages;
    this.bytes = bytes;
  }

  int size() {
    return messages.size();
  }

  /**
   * Claims the right to report this batch's outcome. Exactly one caller wins: the uploader when the
   * request finishes, or {@code close} when its deadline passes first.
   */
  boolean settle(boolean delivered) {
    return state.compareAndSet(UNSETTLED, delivered ? DELIVERED : NOT_DELIVERED);
  }

  /** Whether the settled outcome was delivery; meaningful once settled. */
  boolean delivered() {
    return state.get() == DELIVERED;
  }
}
