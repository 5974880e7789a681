package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MessageQueueTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final int ENVELOPE = 100;
  private int ids;

  private EncodedMessage message(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return Internal.get().encodedMessage(Message.Type.TRACK, "m" + ids++, bytes, false);
  }

  private MessageQueue queue(int maxMessages, long maxBytes, int flushAt, int maxInFlight) {
    return new MessageQueue(maxMessages, maxBytes, flushAt, maxInFlight, HOUR, ENVELOPE, 500_000, Runnable::run);
  }

  @Test
  void aFlushThatTimesOutAsItCompletesCountsWhatSettledNotNothing() throws Exception {
    // Completions queued on a completer that has not run them yet: the flush's epoch is complete
    // and gone from the queue's books, its future not yet resolved, as when flush(timeout) times
    // out in that moment.
    List<Runnable> completions = new ArrayList<>();
    MessageQueue queue = new MessageQueue(100, 1_000_000, 2, 1, HOUR, ENVELOPE, 500_000, completions::add);
    queue.put(message(10));
    queue.put(message(10));
    FlushFuture future = queue.flush();
    Batch batch = queue.take();
    queue.release(batch);
    queue.settle(batch.runs, FlushEpochs.Outcome.DELIVERED);
    assertFalse(future.isDone());

    assertEquals(Internal.get().flushResult(true, 2, 0, 0).toString(), queue.progress(future).toString());
    completions.forEach(Runnable::run);
    assertEquals(Internal.get().flushResult(true, 2, 0, 0).toString(), future.get().toString());
  }

  @Test
  void cutsABatchOnceFlushAtMessagesWait() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 3, 1);
    for (int i = 0; i < 7; i++) assertSame(Placement.ACCEPTED, queue.put(message(10)));
    Batch first = queue.take();
    assertEquals(Arrays.asList("m0", "m1", "m2"), ids(first));
    queue.release(first);
    Batch second = queue.take();
    assertEquals(Arrays.asList("m3", "m4", "m5"), ids(second));
  }

  @Test
  void cutsBatchesSoARequestNeverExceedsFiveHundredThousandBytes() throws Exception {
    MessageQueue queue = queue(1000, 100_000_000, 2500, 8);
    for (int i = 0; i < 40; i++) queue.put(message(30_000));
    long total = 0;
    int batches = 0;
    while (total < 40) {
      Batch batch = queue.take();
      long requestBytes = ENVELOPE + batch.bytes + batch.size() - 1;
      assertTrue(requestBytes <= 500_000, "request of " + requestBytes + " bytes");
      assertEquals(16, batch.size(), "30,000-byte messages per request");
      total += batch.size();
      batches++;
      queue.release(batch);
      if (total == 32) break;
    }
    assertEquals(2, batches);
  }

  @Test
  void sendsAPartialBatchOnceTheIntervalPassed() throws Exception {
    long interval = TimeUnit.MILLISECONDS.toNanos(50);
    MessageQueue queue = new MessageQueue(100, 1_000_000, 100, 1, interval, ENVELOPE, 500_000, Runnable::run);
    long start = System.nanoTime();
    queue.put(message(10));
    Batch batch = queue.take();
    assertTrue(System.nanoTime() - start >= interval, "sent before the interval");
    assertEquals(1, batch.size());
  }

  @Test
  void boundsCountMessagesInFlightUntilReleased() throws Exception {
    MessageQueue queue = queue(4, 1_000_000, 2, 1);
    for (int i = 0; i < 4; i++) assertSame(Placement.ACCEPTED, queue.put(message(10)));
    Batch batch = queue.take();
    assertTrue(queue.put(message(10)).isFull(), "in-flight messages still count");
    assertEquals(4, queue.heldMessages());
    assertTrue(queue.release(batch));
    assertFalse(queue.release(batch), "release is idempotent");
    assertEquals(2, queue.heldMessages());
    assertSame(Placement.ACCEPTED, queue.put(message(10)));
  }

  @Test
  void boundsBytesAsWellAsMessages() {
    MessageQueue queue = queue(100, 250, 50, 1);
    assertSame(Placement.ACCEPTED, queue.put(message(100)));
    assertSame(Placement.ACCEPTED, queue.put(message(100)));
    assertTrue(queue.put(message(51)).isFull());
    assertSame(Placement.ACCEPTED, queue.put(message(50)));
    assertEquals(250, queue.heldBytes());
  }

  @Test
  void waitsForAFreeUploadSlotBeforeCuttingTheNextBatch() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 1, 1);
    queue.put(message(10));
    queue.put(message(10));
    Batch first = queue.take();
    CompletableFuture<Batch> next = CompletableFuture.supplyAsync(() -> {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertFalse(next.isDone());
    queue.release(first);
    assertEquals(Arrays.asList("m1"), ids(next.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void aFlushCountsTheMessagesEnqueuedSinceThePreviousOneWheneverTheySettled() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 2);
    queue.put(message(10));
    queue.put(message(10));
    Batch early = queue.take();
    settle(queue, early, FlushEpochs.Outcome.FAILED);
    queue.put(message(10));

    CompletableFuture<FlushResult> flush = queue.flush();
    queue.put(message(10));
    assertFalse(flush.isDone(), "m2 is still waiting");
    Batch batch = queue.take();
    assertEquals(Arrays.asList("m2", "m3"), ids(batch), "the flush does not cut m3 off");
    settle(queue, batch, FlushEpochs.Outcome.DELIVERED);

    assertEquals(Internal.get().flushResult(true, 1, 2, 0), flush.get(10, TimeUnit.SECONDS),
        "m0 and m1 failed before the flush, m2 was delivered after it; m3 belongs to the next one");
    assertEquals(Internal.get().flushResult(true, 1, 0, 0), queue.flush().get(10, TimeUnit.SECONDS));
  }

  @Test
  void aFlushWaitsForEveryEarlierFlushAndCountsOnlyItsOwnMessages() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 1, 2);
    queue.put(message(10));
    CompletableFuture<FlushResult> first = queue.flush();
    queue.put(message(10));
    CompletableFuture<FlushResult> second = queue.flush();
    Batch m0 = queue.take();
    Batch m1 = queue.take();

    settle(queue, m1, FlushEpochs.Outcome.DELIVERED);
    assertFalse(second.isDone(), "m0, enqueued before it, is not settled");
    settle(queue, m0, FlushEpochs.Outcome.FAILED);

    assertEquals(Internal.get().flushResult(true, 0, 1, 0), first.get(10, TimeUnit.SECONDS));
    assertEquals(Internal.get().flushResult(true, 1, 0, 0), second.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aFlushCountsDropsAtOfferOnceTheyAreReported() throws Exception {
    MessageQueue queue = queue(1, 1_000_000, 1, 1);
    queue.put(message(10));
    Placement full = queue.put(message(10));
    assertTrue(full.isFull());
    CompletableFuture<FlushResult> flush = queue.flush();
    settle(queue, queue.take(), FlushEpochs.Outcome.DELIVERED);
    assertFalse(flush.isDone(), "the drop's callback has not run yet");
    queue.settle(Collections.singletonList(new FlushEpoch.Run(full.epoch, 1)), FlushEpochs.Outcome.DROPPED);
    assertEquals(Internal.get().flushResult(true, 1, 0, 1), flush.get(10, TimeUnit.SECONDS));
  }

  @Test
  void flushesWithNothingEnqueuedBetweenThemShareOneFuture() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 50, 1);
    queue.put(message(10));
    CompletableFuture<FlushResult> first = queue.flush();
    CompletableFuture<FlushResult> empty = queue.flush();
    for (int i = 0; i < 1000; i++) assertSame(empty, queue.flush(), "nothing piles up on a dead endpoint");
    queue.put(message(10));
    CompletableFuture<FlushResult> second = queue.flush();
    assertFalse(first == second || empty == second, "a message in between needs its own flush");

    Batch batch = queue.take();
    assertEquals(Arrays.asList("m0", "m1"), ids(batch));
    settle(queue, batch, FlushEpochs.Outcome.DELIVERED);
    assertEquals(Internal.get().flushResult(true, 1, 0, 0), first.get(10, TimeUnit.SECONDS));
    assertEquals(Internal.get().emptyFlushResult(), empty.get(10, TimeUnit.SECONDS));
    assertEquals(Internal.get().flushResult(true, 1, 0, 0), second.get(10, TimeUnit.SECONDS));
  }

  @Test
  void flushAfterEveryMessageStillCutsFullBatchesWhileUploadsAreBusy() throws Exception {
    MessageQueue queue = queue(1000, 1_000_000, 100, 1);
    queue.put(message(10));
    queue.flush();
    Batch first = queue.take();
    for (int i = 0; i < 250; i++) {
      queue.put(message(10));
      queue.flush();
    }
    settle(queue, first, FlushEpochs.Outcome.DELIVERED);
    assertEquals(100, queue.take().size());
  }

  @Test
  void callersCannotCompleteOrCancelAFlush() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 50, 1);
    queue.put(message(10));
    CompletableFuture<FlushResult> flush = queue.flush();
    assertFalse(flush.complete(Internal.get().emptyFlushResult()));
    assertFalse(flush.cancel(true));
    assertFalse(flush.completeExceptionally(new RuntimeException()));
    assertFalse(flush.isDone());
    CompletableFuture<FlushResult> timed = flush.orTimeout(1, TimeUnit.MILLISECONDS);
    assertThrows(java.util.concurrent.ExecutionException.class, () -> timed.get(10, TimeUnit.SECONDS));
    assertFalse(flush.isDone(), "a timeout applies to the caller's copy");
    settle(queue, queue.take(), FlushEpochs.Outcome.DELIVERED);
    assertEquals(Internal.get().flushResult(true, 1, 0, 0), flush.get(10, TimeUnit.SECONDS));
  }

  @Test
  void flushOfAnEmptyQueueCompletesAtOnce() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 2);
    FlushResult result = queue.flush().get(10, TimeUnit.SECONDS);
    assertTrue(result.isSuccess());
    assertEquals(0, result.delivered());
  }

  @Test
  void closeRefusesNewMessagesAndDrainsTheRest() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 50, 1);
    queue.put(message(10));
    queue.close();
    assertSame(Placement.CLOSED, queue.put(message(10)));
    Batch batch = queue.take();
    assertEquals(1, batch.size(), "closing makes waiting messages due");
    queue.release(batch);
    assertNull(queue.take(), "closed and drained");
  }

  @Test
  void giveUpReturnsWaitingAndInFlightMessages() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 1);
    for (int i = 0; i < 5; i++) queue.put(message(10));
    Batch inFlight = queue.take();
    Leftovers leftovers = queue.giveUp(false);
    assertEquals(Arrays.asList("m2", "m3", "m4"), ids(leftovers.pending));
    assertEquals(3, leftovers.pendingRuns.get(0).count);
    assertEquals(Arrays.asList(inFlight), leftovers.inFlight);
    assertEquals(2, queue.heldMessages(), "in-flight batch counted until released");
    assertNull(queue.take());
  }

  private static void settle(MessageQueue queue, Batch batch, FlushEpochs.Outcome outcome) {
    queue.release(batch);
    queue.settle(batch.runs, outcome);
  }

  @Test
  void aFailedQueueRefusesOffersAsFailed() {
    MessageQueue queue = queue(100, 1_000_000, 2, 1);
    queue.giveUp(true);
    assertSame(Placement.FAILED, queue.put(message(10)));
  }

  private static List<String> ids(Batch batch) {
    return ids(batch.messages);
  }

  private static List<String> ids(List<EncodedMessage> messages) {
    List<String> ids = new ArrayList<>();
    for (EncodedMessage message : messages) ids.add(message.messageId());
    return ids;
  }

  @Test
  void aBacklogMessageReadBackKeepsWhenItWasAccepted() throws Exception {
    for (long granularity : new long[] {1, TimeUnit.HOURS.toNanos(1)}) {
      MessageQueue queue = new MessageQueue(1, 1_000_000, 1, 1, HOUR, ENVELOPE, 500_000, Runnable::run, granularity);
      long before = System.nanoTime();
      EncodedMessage inWindow = message(10);
      assertSame(Placement.ACCEPTED, queue.putSpooled(inWindow, true));
      assertTrue(Internal.get().enqueuedNanos(inWindow) - before >= 0, "aged from its acceptance, not before");
      List<Long> accepted = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        EncodedMessage backlogged = message(10);
        assertSame(Placement.BACKLOGGED, queue.putSpooled(backlogged, true));
        accepted.add(Internal.get().enqueuedNanos(backlogged));
      }
      queue.release(queue.take());

      for (int i = 0; i < 4; i++) {
        assertSame(MessageQueue.REFILL, queue.take());
        // Read back from disk as a new object: its age comes from the queue, not from the read.
        EncodedMessage readBack = message(10);
        Internal.get().enqueuedNanos(readBack, System.nanoTime() + HOUR);
        assertTrue(queue.admit(readBack));
        // Each on its own at a granularity of 1 ns; at one hour, all share the newest time.
        assertEquals(granularity == 1 ? accepted.get(i) : accepted.get(3), Internal.get().enqueuedNanos(readBack));
        queue.release(queue.take());
      }
    }
  }

  @Test
  void backlogAgesStayBoundedWhateverTheBacklog() {
    BacklogAges ages = new BacklogAges(TimeUnit.SECONDS.toNanos(1));
    long t0 = 1_000;
    for (int i = 0; i < 1_000_000; i++) ages.add(1, t0 + i * 10_000L); // 10 s of messages, 100 per ms
    assertEquals(10, ages.runs());
    ages.add(500, t0 - 5); // recovered, with no time of their own, counted in the last run
    assertEquals(t0 + TimeUnit.SECONDS.toNanos(1) - 10_000, ages.take(100_000));
    assertEquals(t0 + 999_999 * 10_000L, ages.take(900_500));
    assertEquals(0, ages.runs());
  }

  /**
   * The flusher waits for signals, not for a timer: a waiting take() with nothing pending must be
   * woken by each change that gives it work, here the one a poll used to cover (a message put in
   * the backlog while the window has room), a release of the last in-flight slot, and close.
   */
  @Test
  void aWaitingTakeIsWokenByEachChangeThatGivesItWork() throws Exception {
    MessageQueue queue = queue(10, 1_000_000, 1, 1);
    CompletableFuture<Batch> refill = takeOnAnotherThread(queue);
    assertSame(Placement.BACKLOGGED, queue.putSpooled(message(10), false));
    assertSame(MessageQueue.REFILL, refill.get(10, TimeUnit.SECONDS));

    assertTrue(queue.admit(message(10)));
    Batch first = queue.take();
    assertSame(Placement.ACCEPTED, queue.put(message(10)));
    CompletableFuture<Batch> second = takeOnAnotherThread(queue);
    assertTrue(queue.release(first));
    assertEquals(1, second.get(10, TimeUnit.SECONDS).size());

    CompletableFuture<Batch> end = takeOnAnotherThread(queue);
    queue.release(second.get());
    queue.close();
    assertNull(end.get(10, TimeUnit.SECONDS));
  }

  /**
   * Puts signal a waiting flusher only when they make a batch due (or start the interval's clock),
   * once per wait: a missed edge would leave it waiting an hour here. A take blocked on the one
   * upload slot is woken by the release, however many puts came in between.
   */
  @Test
  void aWaitingTakeIsWokenByThePutThatMakesABatchDue() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 3, 1);
    CompletableFuture<Batch> first = takeOnAnotherThread(queue);
    queue.put(message(10));
    queue.put(message(10));
    assertFalse(first.isDone());
    queue.put(message(10));
    assertEquals(Arrays.asList("m0", "m1", "m2"), ids(first.get(10, TimeUnit.SECONDS)));

    for (int i = 0; i < 7; i++) queue.put(message(10));
    CompletableFuture<Batch> second = takeOnAnotherThread(queue);
    for (int i = 0; i < 5; i++) queue.put(message(10));
    assertFalse(second.isDone(), "the upload slot is still busy");
    queue.release(first.get());
    assertEquals(Arrays.asList("m3", "m4", "m5"), ids(second.get(10, TimeUnit.SECONDS)));
  }

  /**
   * Four producers and one taker, racing: every message is cut exactly once, each producer's in its
   * order, and no wake-up is lost: the interval is an hour and nothing flushes, so every batch is due
   * by count alone (80,000 messages make 10,000 full batches) and a lost wake-up hangs the taker.
   */
  @Test
  void racingProducersLoseNoWakeUpAndNoMessage() throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    MessageQueue queue = queue(Integer.MAX_VALUE, Long.MAX_VALUE, 8, 2);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          EncodedMessage message = Internal.get().encodedMessage(Message.Type.TRACK, producer + ":" + i,
              new byte[1 + i % 50], false);
          if (queue.put(message) != Placement.ACCEPTED) throw new AssertionError("refused " + message.messageId());
          // Lets the taker catch up, so that it often waits with a partial batch pending.
          if (i % 3 == 0) Thread.yield();
        }
      }, "test-producer-" + p);
      thread.start();
      threads.add(thread);
    }
    CompletableFuture<int[]> taken = CompletableFuture.supplyAsync(() -> {
      int[] next = new int[producers];
      int total = 0;
      try {
        while (total < producers * perProducer) {
          Batch batch = queue.take();
          for (EncodedMessage message : batch.messages) {
            String[] id = message.messageId().split(":");
            int producer = Integer.parseInt(id[0]);
            assertEquals(next[producer]++, Integer.parseInt(id[1]), "producer " + producer + "'s order");
          }
          assertEquals(8, batch.size());
          total += batch.size();
          queue.release(batch);
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return next;
    });
    for (Thread thread : threads) thread.join();
    int[] next = taken.get(60, TimeUnit.SECONDS);
    for (int p = 0; p < producers; p++) assertEquals(perProducer, next[p], "producer " + p);
    assertEquals(0, queue.heldMessages());
  }

  /** Calls take() on a new thread and returns once that thread waits inside it. */
  private static CompletableFuture<Batch> takeOnAnotherThread(MessageQueue queue) throws InterruptedException {
    CompletableFuture<Batch> result = new CompletableFuture<>();
    Thread taker = new Thread(() -> {
      try {
        result.complete(queue.take());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "test-taker");
    taker.setDaemon(true);
    taker.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // Parked in the condition's await: the state a lost signal would leave it in for good.
    while (!result.isDone() && taker.getState() != Thread.State.WAITING
        && taker.getState() != Thread.State.TIMED_WAITING) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError("take() never began waiting");
      Thread.onSpinWait();
    }
    assertFalse(result.isDone(), "take() returned before it had anything to return");
    return result;
  }
}
