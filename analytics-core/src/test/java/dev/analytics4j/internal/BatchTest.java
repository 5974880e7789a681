package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link Batch}: one party finishes it, and close learns whether a request for it may be on the wire. */
class BatchTest {
  /**
   * Close must never take a batch whose request is going out for one never sent: it would report
   * its messages dropped (never to reach the collector) while they are delivered.
   */
  @Test
  void closeThatFindsAnAttemptUnderWaySeesItCounted() throws Exception {
    int rounds = 200_000;
    AtomicReference<Batch> current = new AtomicReference<>();
    AtomicInteger round = new AtomicInteger();
    Thread uploader = new Thread(() -> {
      for (int i = 1; i <= rounds; i++) {
        while (round.get() != i) Thread.onSpinWait();
        Batch batch = current.get();
        batch.beginAttempt();
        round.set(-i);
      }
    });
    uploader.start();
    int sendingWithoutAttempt = 0;
    int sending = 0;
    for (int i = 1; i <= rounds; i++) {
      Batch batch = new Batch(Collections.emptyList(), 0, Collections.emptyList());
      current.set(batch);
      round.set(i);
      // Close races the uploader's claim, a little later each round, so as to land inside it.
      for (int spin = i % 64; spin > 0; spin--) Thread.onSpinWait();
      Batch.Unfinished state = batch.finishByClose();
      while (round.get() != -i) Thread.onSpinWait();
      if (state != null && state.sending) {
        sending++;
        if (state.attempts != 1) sendingWithoutAttempt++;
      }
    }
    uploader.join();
    assertTrue(sending > 0, "the race was run: close found some attempts under way");
    assertEquals(0, sendingWithoutAttempt, "attempts not counted, of " + sending + " close found under way");
  }
}
