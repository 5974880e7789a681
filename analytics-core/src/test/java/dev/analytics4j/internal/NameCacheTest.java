package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import okio.Buffer;
import org.junit.jupiter.api.Test;

final class NameCacheTest {
  @Test
  void aKeyWrittenAgainIsTheSameBytesAsMoshiWrites() throws IOException {
    SplittableRandom random = new SplittableRandom(2212);
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 400; i++) pool.add(Utf8SinkTest.jsonHostile(random, random.nextInt(0, 40)));
    Utf8Sink sink = reusedSink(); // one sink, so later rounds read what earlier ones kept
    int fromCache = 0;
    int refused = 0;
    for (int round = 0; round < 20_000; round++) {
      String key = pool.get(random.nextInt(pool.size()));
      // Equal but not the same instance half of the time: a key built afresh for each message.
      if (random.nextBoolean()) key = new String(key.toCharArray());
      if (MessageEncoder.unpairedSurrogate(key) >= 0) {
        String bad = key;
        assertThrows(Utf8Sink.UnpairedSurrogate.class, () -> writeKey(sink, bad));
        assertNull(sink.nameCache().get(key), "a key that failed is never kept");
        refused++;
        continue;
      }
      if (sink.nameCache().get(key) != null) fromCache++;
      assertArrayEquals(moshi(key), writeKey(sink, key), key);
    }
    assertTrue(fromCache > 5_000, "writes from the cache: " + fromCache);
    assertTrue(refused > 100, "keys refused: " + refused);
  }

  @Test
  void keysThatShareASlotAreEachWrittenRight() throws IOException {
    String first = "key0";
    String second = null;
    for (int i = 1; second == null; i++) {
      if (NameCache.slot("key" + i) == NameCache.slot(first)) second = "key" + i;
    }
    Utf8Sink sink = reusedSink();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(moshi(first), writeKey(sink, first));
      assertArrayEquals(moshi(second), writeKey(sink, second));
    }
    assertArrayEquals(first.getBytes(StandardCharsets.UTF_8), sink.nameCache().get(first));
    assertNull(sink.nameCache().get(second), "a filled slot is not replaced");
  }

  @Test
  void onlyShortKeysAreKept() throws IOException {
    String longest = "k".repeat(NameCache.MAX_CHARS);
    String tooLong = "\u00e9".repeat(NameCache.MAX_CHARS + 1);
    Utf8Sink sink = reusedSink();
    writeKey(sink, longest);
    writeKey(sink, tooLong);
    assertArrayEquals(longest.getBytes(StandardCharsets.UTF_8), sink.nameCache().get(longest));
    assertNull(sink.nameCache().get(tooLong));
    assertArrayEquals(moshi(tooLong), writeKey(sink, tooLong));
  }

  @Test
  void anEscapedKeyIsKeptEscaped() throws IOException {
    String key = "a\"b\\c\n\u2028\u0001\ud83d\ude00";
    Utf8Sink sink = reusedSink();
    writeKey(sink, key);
    assertArrayEquals("a\\\"b\\\\c\\n\\u2028\\u0001\ud83d\ude00".getBytes(StandardCharsets.UTF_8),
        sink.nameCache().get(key));
    assertArrayEquals(moshi(key), writeKey(sink, key));
  }

  @Test
  void holdsAtMostItsSlotsWhateverItMeets() throws IOException {
    Utf8Sink sink = reusedSink();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String key = "field_" + i;
      keys.add(key);
      assertArrayEquals(moshi(key), writeKey(sink, key));
    }
    int kept = 0;
    for (String key : keys) if (sink.nameCache().get(key) != null) kept++;
    assertEquals(NameCache.SLOTS, kept);
  }

  @Test
  void aThreadsFirstMessageKeepsNothing() throws IOException {
    // A virtual thread per request sends one message: it allocates no cache.
    Utf8Sink sink = new Utf8Sink();
    writeKey(sink, "order_id");
    assertNull(sink.nameCache());
    writeKey(sink, "order_id");
    assertNotNull(sink.nameCache());
    assertArrayEquals(moshi("order_id"), writeKey(sink, "order_id"));
    assertArrayEquals("order_id".getBytes(StandardCharsets.UTF_8), sink.nameCache().get("order_id"));
  }

  /** A sink past its first message, as a thread's is once it sends a second. */
  private static Utf8Sink reusedSink() {
    Utf8Sink sink = new Utf8Sink();
    sink.clear();
    sink.clear();
    return sink;
  }

  /** {@code {"key":1}} through the sink's stand-in for a key, as the encoder writes a map's key. */
  private static byte[] writeKey(Utf8Sink sink, String key) throws IOException {
    sink.clear();
    JsonWriter json = JsonWriter.of(sink);
    json.beginObject();
    sink.pendName(key);
    json.name(Utf8Sink.NAME);
    json.value(1);
    json.endObject();
    return sink.toByteArray();
  }

  /** {@code {"key":1}} as Moshi writes it on its own. */
  private static byte[] moshi(String key) throws IOException {
    Buffer buffer = new Buffer();
    JsonWriter.of(buffer).beginObject().name(key).value(1).endObject();
    return buffer.readByteArray();
  }
}
