package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger's accounting, and its waits: each ends on the change it waits for, never by a poll. */
class LedgerTest {
  @TempDir Path dir;

  private static final Ledger.LineRef A = new Ledger.LineRef("in", 1);
  private static final Ledger.LineRef B = new Ledger.LineRef("in", 2);

  interface Blocking<T> {
    T call() throws InterruptedException;
  }

  /** Runs {@code call} on a thread of its own and returns once that thread waits in it. */
  private static <T> CompletableFuture<T> blockedIn(Blocking<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(call.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "ledger-test");
    thread.setDaemon(true);
    thread.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING
        && !result.isDone()) {
      assertTrue(System.nanoTime() - deadline < 0, "the thread never waited");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return result;
  }

  @Test
  void holdWaitsForRoomAndGetsItWhenALineSettles() throws Exception {
    Ledger ledger = new Ledger(1, null);
    ledger.read();
    ledger.read();
    assertTrue(ledger.hold("m1", A));

    CompletableFuture<Boolean> second = blockedIn(() -> ledger.hold("m2", B));
    assertFalse(second.isDone());
    ledger.delivered("m1");

    assertTrue(second.get(30, TimeUnit.SECONDS));
    assertEquals(1, ledger.held());
    assertEquals(1, ledger.deliveredCount());
  }

  @Test
  void aStopEndsAWaitForRoomWithoutHoldingAndRefusesLaterHolds() throws Exception {
    Ledger ledger = new Ledger(1, null);
    assertTrue(ledger.hold("m1", A));
    CompletableFuture<Boolean> second = blockedIn(() -> ledger.hold("m2", B));

    ledger.close();

    assertFalse(second.get(30, TimeUnit.SECONDS));
    assertEquals(1, ledger.held());
    ledger.delivered("m1"); // room given back after the stop is not an invitation to send more
    assertFalse(ledger.hold("m3", B));
    assertEquals(0, ledger.held());
  }

  @Test
  void aWaiterForTheBalanceSeesTheCountOfTheLineThatWokeIt() throws Exception {
    Ledger ledger = new Ledger(10, RejectsFile.open(dir.resolve("rejects.txt"), false, List.of()));
    ledger.read();
    assertTrue(ledger.hold("m1", A));
    CompletableFuture<Boolean> balanced = blockedIn(() -> ledger.awaitUntil(ledger::balanced,
        System.nanoTime() + TimeUnit.MINUTES.toNanos(10)));

    ledger.notDelivered("m1", "HTTP 400 after 1 attempt(s)");

    assertTrue(balanced.get(30, TimeUnit.SECONDS));
    ledger.closeRejects();
    assertEquals(List.of("in:1: not delivered: HTTP 400 after 1 attempt(s)"), Files.readAllLines(dir.resolve("rejects.txt")));
  }

  @Test
  void twoLinesWithOneMessageIdAreSettledInTheOrderTheyWentIn() throws Exception {
    Ledger ledger = new Ledger(10, RejectsFile.open(dir.resolve("rejects.txt"), false, List.of()));
    ledger.read();
    ledger.read();
    assertTrue(ledger.hold("same", A));
    assertTrue(ledger.hold("same", B));

    ledger.notDelivered("same", "first");
    ledger.dropped("same", "second");

    assertEquals(0, ledger.held());
    ledger.closeRejects();
    assertEquals(List.of("in:1: not delivered: first", "in:2: not delivered: second"),
        Files.readAllLines(dir.resolve("rejects.txt")));
    assertTrue(ledger.balanced());
  }

  @Test
  void aLineRefusedAtOfferIsLeftForItsFeederToCount() throws Exception {
    Ledger ledger = new Ledger(1, null);
    ledger.read();
    assertTrue(ledger.hold("m1", A));

    ledger.dropped("m1", null); // QUEUE_FULL or CLOSED inside offer: the feeder counts the line

    assertEquals(0, ledger.held());
    assertEquals(1, ledger.unsettled());
    ledger.notDelivered(A, "the import stopped before it was sent");
    assertTrue(ledger.balanced());
  }

  @Test
  void aWakeBetweenTheCheckAndTheWaitIsNotLost() throws Exception {
    Ledger ledger = new Ledger(1, null);
    long seen = ledger.changes();
    ledger.wake(); // lands after the waiter read its count, before it waits

    CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
      try {
        ledger.awaitChange(seen, -1);
      } catch (InterruptedException e) {
        throw new CompletionException(e);
      }
    });

    waited.get(30, TimeUnit.SECONDS);
  }
}
