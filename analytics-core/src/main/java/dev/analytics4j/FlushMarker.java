package dev.analytics4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A place in the queue behind which {@link Analytics#flush()} waits. It collects every batch holding
 * messages enqueued before it; once it reaches the head of the queue it is sealed and completes when
 * all of those batches are settled.
 */
final class FlushMarker {
  final CompletableFuture<FlushResult> result = new CompletableFuture<>();
  private final List<Batch> batches = new ArrayList<>();
  private long droppedAtClose;

  /** Called with the queue's lock held. */
  void add(Batch batch) {
    batches.add(batch);
  }

  /** Called with the queue's lock held: messages ahead of this marker dropped by close. */
  void droppedAtClose(long count) {
    droppedAtClose += count;
  }

  /** Called with the queue's lock held, once no more batches can be added. */
  void seal() {
    CompletableFuture<?>[] futures = new CompletableFuture<?>[batches.size()];
    for (int i = 0; i < futures.length; i++) futures[i] = batches.get(i).done;
    List<Batch> sealed = new ArrayList<>(batches);
    long dropped = droppedAtClose;
    CompletableFuture.allOf(futures).whenComplete((ignored, error) -> {
      long delivered = 0;
      long total = dropped;
      for (Batch batch : sealed) {
        delivered += batch.done.getNow(0);
        total += batch.size();
      }
      result.complete(FlushResult.EMPTY.plus(delivered, total - delivered));
    });
  }
}
