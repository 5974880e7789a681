package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.VirtualThreadsTestAccess;
import dev.analytics4j.messages.TrackMessage;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A platform thread keeps one scratch; virtual threads share a bounded pool, and a scratch that
 * goes from one to another carries nothing of the message before into the next one's bytes.
 */
final class ScratchTest {
  private static final int THREADS = 10_000;
  private static final Pattern RESULT = Pattern.compile("encoded=(\\d+) refused=(\\d+) wrong=(\\d+) made=(\\d+)");

  @Test
  void aPlatformThreadKeepsItsOwnUntilAnEncodeFailsInside() {
    Scratch first = Scratch.borrow();
    assertEquals(Scratch.Kind.OWN, first.kind);
    Scratch inside = Scratch.borrow(); // while the thread's own is in use
    assertEquals(Scratch.Kind.ONCE, inside.kind);
    Scratch.giveBack(inside);
    assertTrue(first.busy);
    Scratch.giveBack(first);
    assertSame(first, Scratch.borrow());
    Scratch.discard(first);
    Scratch next = Scratch.borrow();
    assertNotSame(first, next);
    Scratch.giveBack(next);
    assertSame(next, Scratch.borrow());
    Scratch.giveBack(next);
    assertFalse(Scratch.isVirtual(Thread.currentThread()));
  }

  @Test
  void anEncodeInsideAnEncodeOnOneThreadWritesBothRight() {
    MessageEncoder encoder = new MessageEncoder("k", "analytics4j", "0.0.0");
    TrackMessage inner = message(2);
    String innerExpected = encoder.encode(inner).json();
    String[] innerWritten = new String[2];
    // A caller's map whose forEach enqueues, say to report its own use: it runs inside the walk.
    Map<String, Object> enqueuing = new AbstractMap<String, Object>() {
      @Override
      public Set<Entry<String, Object>> entrySet() {
        throw new AssertionError("the encoder walks maps with forEach");
      }

      @Override
      public void forEach(BiConsumer<? super String, ? super Object> action) {
        innerWritten[0] = encoder.encode(inner).json();
        action.accept("a", 1);
        innerWritten[1] = encoder.encode(inner).json();
        action.accept("b", "x");
      }
    };
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("a", 1);
    plain.put("b", "x");
    String expected = encoder.encode(withOuter(plain)).json();

    assertEquals(expected, encoder.encode(withOuter(enqueuing)).json());
    assertEquals(innerExpected, innerWritten[0]);
    assertEquals(innerExpected, innerWritten[1]);
    assertEquals(expected, encoder.encode(withOuter(plain)).json(), "the thread's own is free again");
  }

  private static TrackMessage withOuter(Map<String, Object> value) {
    return TrackMessage.builder("Outer").userId("u").messageId("outer").timestamp(Instant.ofEpochMilli(0))
        .properties(Map.of("outer", value)).build();
  }

  @Test
  void aFailedEncodeLeavesTheNextOneOnItsThreadRight() {
    MessageEncoder encoder = new MessageEncoder("k", "analytics4j", "0.0.0");
    String before = encoder.encode(message(1)).json();
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("ok", List.of(Map.of("deep", "value")));
    bad.put("bad", new Object());
    assertThrows(IllegalArgumentException.class, () -> encoder.encode(TrackMessage.builder("E").userId("u")
        .properties(bad).build()));
    assertEquals(before, encoder.encode(message(1)).json());
  }

  @Test
  void virtualThreadsShareAFewScratchesAndEachMessageIsItsOwn() throws Exception {
    Matcher result = VirtualThreadsTestAccess.runProbe(Probe.class, "512m", RESULT, "scratches on virtual threads");
    assertEquals(THREADS - THREADS / 100, Long.parseLong(result.group(1)));
    assertEquals(THREADS / 100, Long.parseLong(result.group(2)));
    assertEquals(0, Long.parseLong(result.group(3)), "messages whose bytes were not their own");
    // One per message without the pool; with it, one per carrier thread at a time, and one to
    // replace each that a failed encode left half-written.
    long made = Long.parseLong(result.group(4));
    assertTrue(made > THREADS / 100 && made <= THREADS / 100 + 2 * Scratch.SLOTS, "scratches made: " + made);
  }

  /** Message {@code n}: its own user, id and values, the same keys as every other. */
  static TrackMessage message(int n) {
    Map<String, Object> product = new LinkedHashMap<>();
    product.put("sku", "sku_" + n);
    product.put("price", n / 100.0);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("order_id", "ord_" + n);
    properties.put("n", n);
    properties.put("products", List.of(product));
    properties.put("note", "caf\u00e9 \"" + n + "\"\n");
    return TrackMessage.builder("Order Completed").userId("u" + n).messageId("m-" + n)
        .timestamp(Instant.ofEpochMilli(1_700_000_000_000L + n)).properties(properties).build();
  }

  /**
   * Run in a Java 21+ JVM: each virtual thread encodes its message, every hundredth one instead
   * that fails part-way; the bytes are compared with the same message encoded on the main thread.
   */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      MessageEncoder encoder = new MessageEncoder("k", "analytics4j", "0.0.0");
      String[] expected = new String[THREADS];
      for (int n = 0; n < THREADS; n++) expected[n] = encoder.encode(message(n)).json();
      AtomicLong encoded = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      AtomicLong wrong = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int n = t;
        threads.add(VirtualThreadsTestAccess.startVirtualThread(() -> {
          if (!Scratch.isVirtual(Thread.currentThread())) wrong.incrementAndGet();
          if (n % 100 == 0) {
            Map<String, Object> bad = new LinkedHashMap<>(message(n).properties());
            bad.put("bad", new Object());
            try {
              encoder.encode(TrackMessage.builder("E").userId("u").properties(bad).build());
            } catch (IllegalArgumentException expectedFailure) {
              refused.incrementAndGet();
            }
            return;
          }
          Thread.yield();
          if (encoder.encode(message(n)).json().equals(expected[n])) {
            encoded.incrementAndGet();
          } else {
            wrong.incrementAndGet();
          }
        }));
      }
      for (Thread thread : threads) thread.join();
      System.out.println("encoded=" + encoded + " refused=" + refused + " wrong=" + wrong
          + " made=" + Scratch.MADE_FOR_VIRTUAL.get());
      System.exit(0);
    }
  }
}
