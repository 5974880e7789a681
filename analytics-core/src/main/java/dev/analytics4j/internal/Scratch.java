package dev.analytics4j.internal;

import com.squareup.moshi.JsonWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A thread's Moshi writer, the sink under it and the walker over the message, kept between
 * messages: each message is one top-level value, copied out of the sink as soon as it is complete,
 * so nothing of them is allocated again for every enqueue on the caller's thread.
 *
 * <p>Where a thread gets one ({@link #borrow}): a platform thread keeps its own in a ThreadLocal; a
 * virtual thread, which commonly lives for one request and sends one message, borrows one from a
 * small shared pool and gives it back, instead of making one of several kilobytes each time. The
 * pool is bounded ({@link #SLOTS}); a borrow or a return reads every slot, starting at one of the
 * thread's own, so the few in use at once (one per carrier thread) are found wherever they were
 * left; a borrower that finds none makes one, and one given back to a full pool is left to the
 * collector. A scratch whose encode stopped part-way is never used again; an encode that starts
 * while its thread's own is in use (a caller's map whose {@code forEach} enqueues) gets one for
 * itself alone.
 */
final class Scratch {
  /** Java 21's {@code Thread.isVirtual()}; core compiles for Java 11. Null before Java 21. */
  private static final @Nullable MethodHandle IS_VIRTUAL = isVirtualHandle();
  static final int SLOTS = 16;
  private static final AtomicReferenceArray<@Nullable Scratch> POOL = new AtomicReferenceArray<>(SLOTS);
  /** Scratches made for virtual threads since the class loaded: tests read it. */
  static final AtomicLong MADE_FOR_VIRTUAL = new AtomicLong();
  private static final ThreadLocal<Scratch> OWN = ThreadLocal.withInitial(Scratch::new);

  /** Where a scratch lives between encodes. */
  enum Kind {
    /** A platform thread's, kept in its ThreadLocal. */
    OWN,
    /** Lent to virtual threads from the pool. */
    POOLED,
    /** Made for one encode inside another on a platform thread, then left to the collector. */
    ONCE
  }

  final Kind kind;
  /**
   * Whether an encode is using it (a thread's own only): a map of the caller's whose {@code forEach}
   * enqueues another message would otherwise have that one written into the sink under this one.
   */
  boolean busy;
  final Utf8Sink sink = new Utf8Sink();
  final JsonWriter json = JsonWriter.of(sink);
  final MessageWriter writer = new MessageWriter(this);
  /** The last timestamp formatted with it: messages enqueued together share their millisecond. */
  long timestampMillis = Long.MIN_VALUE;
  String timestampText = "";

  /** A scratch for the calling thread's next encode; pass it to {@link #giveBack} or {@link #discard}. */
  static Scratch borrow() {
    Thread thread = Thread.currentThread();
    if (!isVirtual(thread)) {
      Scratch own = OWN.get();
      if (!own.busy) {
        own.busy = true;
        return own;
      }
      return new Scratch(Kind.ONCE); // an encode inside an encode on this thread: one of its own, once
    }
    int start = (int) thread.getId();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) & (SLOTS - 1);
      Scratch scratch = POOL.get(slot);
      if (scratch != null && POOL.compareAndSet(slot, scratch, null)) return scratch;
    }
    MADE_FOR_VIRTUAL.incrementAndGet();
    return new Scratch(Kind.POOLED);
  }

  /** After an encode that completed: the scratch is clean for the next one. */
  static void giveBack(Scratch scratch) {
    if (scratch.kind == Kind.OWN) {
      scratch.busy = false;
      return;
    }
    if (scratch.kind == Kind.ONCE) return;
    int start = (int) Thread.currentThread().getId();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) & (SLOTS - 1);
      if (POOL.get(slot) == null && POOL.compareAndSet(slot, null, scratch)) return;
    }
  }

  /** After an encode that stopped inside an object: its writer is mid-value, so it is not used again. */
  static void discard(Scratch scratch) {
    if (scratch.kind == Kind.OWN) OWN.remove();
  }

  static boolean isVirtual(Thread thread) {
    if (IS_VIRTUAL == null) return false;
    try {
      return (boolean) IS_VIRTUAL.invokeExact(thread);
    } catch (Throwable e) {
      throw new AssertionError(e); // Thread.isVirtual throws nothing.
    }
  }

  private static @Nullable MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // before Java 21: no thread is virtual
    }
  }

  private Scratch() {
    this(Kind.OWN);
  }

  private Scratch(Kind kind) {
    this.kind = kind;
    json.setSerializeNulls(true);
    // Lenient only to accept one top-level value after another; every value is checked before
    // it is written, so nothing that lenient mode would also let through ever reaches it.
    json.setLenient(true);
  }

  /** {@link MessageEncoder#formatTimestamp}, reusing the text of the last one when it is the same millisecond. */
  String timestamp(Instant instant) {
    // Exact within the years 0000 to 9999, the only ones formatted.
    long millis = instant.getEpochSecond() * 1000 + instant.getNano() / 1_000_000;
    if (millis != timestampMillis) {
      timestampText = MessageEncoder.formatTimestamp(instant);
      timestampMillis = millis;
    }
    return timestampText;
  }
}
