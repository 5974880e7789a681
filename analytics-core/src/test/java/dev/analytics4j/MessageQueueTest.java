package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.Message;
import java.util.Arrays;
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
    return new EncodedMessage(Message.Type.TRACK, "m" + ids++, bytes);
  }

  private MessageQueue queue(int maxMessages, long maxBytes, int flushAt, int maxInFlight) {
    return new MessageQueue(maxMessages, maxBytes, flushAt, maxInFlight, HOUR, ENVELOPE, 500_000);
  }

  @Test
  void cutsABatchOnceFlushAtMessagesWait() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 3, 1);
    for (int i = 0; i < 7; i++) assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(10)));
    Batch first = (Batch) queue.take();
    assertEquals(Arrays.asList("m0", "m1", "m2"), ids(first));
    queue.release(first);
    Batch second = (Batch) queue.take();
    assertEquals(Arrays.asList("m3", "m4", "m5"), ids(second));
  }

  @Test
  void cutsBatchesSoARequestNeverExceedsFiveHundredThousandBytes() throws Exception {
    MessageQueue queue = queue(1000, 100_000_000, 2500, 8);
    for (int i = 0; i < 40; i++) queue.offer(message(30_000));
    long total = 0;
    int batches = 0;
    while (total < 40) {
      Batch batch = (Batch) queue.take();
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
    MessageQueue queue = new MessageQueue(100, 1_000_000, 100, 1, interval, ENVELOPE, 500_000);
    long start = System.nanoTime();
    queue.offer(message(10));
    Batch batch = (Batch) queue.take();
    assertTrue(System.nanoTime() - start >= interval, "sent before the interval");
    assertEquals(1, batch.size());
  }

  @Test
  void boundsCountMessagesInFlightUntilReleased() throws Exception {
    MessageQueue queue = queue(4, 1_000_000, 2, 1);
    for (int i = 0; i < 4; i++) assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(10)));
    Batch batch = (Batch) queue.take();
    assertEquals(MessageQueue.Offer.FULL, queue.offer(message(10)), "in-flight messages still count");
    assertEquals(4, queue.heldMessages());
    assertTrue(queue.release(batch));
    assertFalse(queue.release(batch), "release is idempotent");
    assertEquals(2, queue.heldMessages());
    assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(10)));
  }

  @Test
  void boundsBytesAsWellAsMessages() {
    MessageQueue queue = queue(100, 250, 50, 1);
    assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(100)));
    assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(100)));
    assertEquals(MessageQueue.Offer.FULL, queue.offer(message(51)));
    assertEquals(MessageQueue.Offer.ACCEPTED, queue.offer(message(50)));
    assertEquals(250, queue.heldBytes());
  }

  @Test
  void waitsForAFreeUploadSlotBeforeCuttingTheNextBatch() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 1, 1);
    queue.offer(message(10));
    queue.offer(message(10));
    Batch first = (Batch) queue.take();
    CompletableFuture<Object> next = CompletableFuture.supplyAsync(() -> {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertFalse(next.isDone());
    queue.release(first);
    assertEquals(Arrays.asList("m1"), ids((Batch) next.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void flushMarkerCoversInFlightAndWaitingMessagesOnly() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 2);
    queue.offer(message(10));
    queue.offer(message(10));
    Batch inFlight = (Batch) queue.take();
    queue.offer(message(10));
    FlushMarker marker = queue.mark();
    queue.offer(message(10));

    Batch beforeMarker = (Batch) queue.take();
    assertEquals(Arrays.asList("m2"), ids(beforeMarker), "the marker cuts the batch short");
    assertSame(marker, queue.take());
    marker.seal();
    assertFalse(marker.result.isDone());

    inFlight.settle(true);
    queue.release(inFlight);
    inFlight.done.complete(2);
    assertFalse(marker.result.isDone());
    beforeMarker.settle(false);
    queue.release(beforeMarker);
    beforeMarker.done.complete(0);

    FlushResult result = marker.result.get(10, TimeUnit.SECONDS);
    assertEquals(2, result.delivered());
    assertEquals(1, result.notDelivered());
    assertEquals(1, queue.heldMessages(), "m3 came after the flush");
  }

  @Test
  void flushesWithNothingEnqueuedBetweenThemShareOneMarker() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 50, 1);
    queue.offer(message(10));
    FlushMarker first = queue.mark();
    for (int i = 0; i < 1000; i++) assertSame(first, queue.mark(), "no marker pile-up on a dead endpoint");
    queue.offer(message(10));
    FlushMarker second = queue.mark();
    assertFalse(first == second, "a message in between needs its own marker");

    Batch batch = (Batch) queue.take();
    assertEquals(Arrays.asList("m0"), ids(batch));
    assertSame(first, queue.take());
  }

  @Test
  void flushOfAnEmptyQueueCompletesAtOnce() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 2);
    FlushResult result = queue.mark().result.get(10, TimeUnit.SECONDS);
    assertTrue(result.isSuccess());
    assertEquals(0, result.delivered());
  }

  @Test
  void closeRefusesNewMessagesAndDrainsTheRest() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 50, 1);
    queue.offer(message(10));
    queue.close();
    assertEquals(MessageQueue.Offer.CLOSED, queue.offer(message(10)));
    Batch batch = (Batch) queue.take();
    assertEquals(1, batch.size(), "closing makes waiting messages due");
    queue.release(batch);
    assertNull(queue.take(), "closed and drained");
  }

  @Test
  void abandonReturnsWaitingAndInFlightMessages() throws Exception {
    MessageQueue queue = queue(100, 1_000_000, 2, 1);
    for (int i = 0; i < 5; i++) queue.offer(message(10));
    Batch inFlight = (Batch) queue.take();
    FlushMarker marker = queue.mark();
    MessageQueue.Abandoned abandoned = queue.abandon();
    assertEquals(Arrays.asList("m2", "m3", "m4"), ids(abandoned.pending));
    assertEquals(Arrays.asList(inFlight), abandoned.inFlight);
    assertEquals(Arrays.asList(marker), abandoned.markers);
    assertEquals(2, queue.heldMessages(), "in-flight batch counted until released");
    assertNull(queue.take());
  }

  private static java.util.List<String> ids(Batch batch) {
    return ids(batch.messages);
  }

  private static java.util.List<String> ids(java.util.List<EncodedMessage> messages) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (EncodedMessage message : messages) ids.add(message.messageId());
    return ids;
  }
}
