package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.analytics4j.EncodedMessage;
import dev.analytics4j.messages.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Grouping messages as they arrive must cut exactly the batches the queue cut before, when it took
 * messages one by one off the head at cut time: checked against that loop, kept here as the
 * reference, over random sizes (up to past a request's limit) and random cuts between adds.
 */
class PendingBatchesTest {
  private int ids;

  private EncodedMessage message(int size) {
    return Internal.get().encodedMessage(Message.Type.TRACK, "m" + ids++, new byte[size], false);
  }

  /** The cut as MessageQueue made it before grouping on arrival. */
  private static List<EncodedMessage> referenceCut(ArrayDeque<EncodedMessage> items, int flushAt, int envelope,
      int maxBatchBytes) {
    List<EncodedMessage> messages = new ArrayList<>();
    long requestBytes = envelope;
    while (messages.size() < flushAt) {
      EncodedMessage message = items.peekFirst();
      if (message == null) break;
      long next = requestBytes + message.size() + (messages.isEmpty() ? 0 : 1);
      if (next > maxBatchBytes && !messages.isEmpty()) break;
      items.pollFirst();
      messages.add(message);
      requestBytes = next;
    }
    return messages;
  }

  @Test
  void cutsTheSameBatchesAsCuttingAtTheHeadDid() {
    Random random = new Random(20261206);
    for (int round = 0; round < 2_000; round++) {
      int flushAt = 1 + random.nextInt(random.nextBoolean() ? 5 : 300);
      int envelope = random.nextInt(200);
      int maxBatchBytes = envelope + 1 + random.nextInt(random.nextBoolean() ? 100 : 20_000);
      PendingBatches batches = new PendingBatches(flushAt, envelope, maxBatchBytes);
      ArrayDeque<EncodedMessage> reference = new ArrayDeque<>();
      int operations = random.nextInt(600);
      for (int i = 0; i < operations; i++) {
        if (random.nextInt(10) < 8) {
          // Mostly small; sometimes exactly at, or past, what one request holds.
          int size = random.nextInt(20) == 0 ? maxBatchBytes - envelope + random.nextInt(3) - 1
              : random.nextInt(Math.max(1, maxBatchBytes / 8));
          EncodedMessage message = message(Math.max(0, size));
          batches.add(message);
          reference.addLast(message);
        } else {
          assertCut(referenceCut(reference, flushAt, envelope, maxBatchBytes), batches.takeFirst(), round);
        }
      }
      if (random.nextBoolean()) {
        assertEquals(new ArrayList<>(reference), batches.takeAll(), "round " + round);
      } else {
        while (!reference.isEmpty()) {
          assertCut(referenceCut(reference, flushAt, envelope, maxBatchBytes), batches.takeFirst(), round);
        }
      }
      assertNull(batches.takeFirst(), "round " + round + ": nothing left");
    }
  }

  private static void assertCut(List<EncodedMessage> expected, PendingBatches.Group group, int round) {
    if (expected.isEmpty()) {
      assertNull(group, "round " + round);
      return;
    }
    assertEquals(expected, group.messages, "round " + round);
    long bytes = 0;
    for (EncodedMessage message : expected) bytes += message.size();
    assertEquals(bytes, group.messageBytes, "round " + round);
  }
}
