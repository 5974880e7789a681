package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import okio.Buffer;
import org.junit.jupiter.api.Test;

final class Utf8SinkTest {
  @Test
  void writesTheSameBytesAsTheJdkForEveryWellFormedString() {
    SplittableRandom random = new SplittableRandom(22);
    Utf8Sink sink = new Utf8Sink();
    for (int round = 0; round < 20_000; round++) {
      String s = wellFormed(random, random.nextInt(0, 300));
      sink.clear();
      sink.writeUtf8(s);
      assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), sink.toByteArray(), s);
    }
  }

  @Test
  void writesEveryBoundaryOfTheEncoding() {
    String s = "\u0000\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\ud800\udc00\udbff\udfff";
    Utf8Sink sink = new Utf8Sink();
    sink.writeUtf8(s);
    assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), sink.toByteArray());
  }

  @Test
  void writesARangeOfAString() {
    Utf8Sink sink = new Utf8Sink();
    sink.writeByte('[');
    sink.writeUtf8("ab\u00e9cd", 1, 4);
    sink.writeByte(']');
    assertArrayEquals("[b\u00e9c]".getBytes(StandardCharsets.UTF_8), sink.toByteArray());
  }

  @Test
  void refusesEachKindOfUnpairedSurrogateAtItsIndex() {
    assertUnpaired("ab\ud800cd", 2);
    assertUnpaired("\udc00", 0);
    assertUnpaired("x\ud83d", 1);
    assertUnpaired("\ude00\ud83d", 0);
    assertUnpaired("ok\ud83d\ude00 then \ud83d\ud83d\ude00", 10);
  }

  @Test
  void aPairSplitByTheEndOfTheRangeIsUnpaired() {
    Utf8Sink sink = new Utf8Sink();
    Utf8Sink.UnpairedSurrogate e = assertThrows(Utf8Sink.UnpairedSurrogate.class,
        () -> sink.writeUtf8("a\ud83d\ude00", 0, 2));
    assertEquals(1, e.index);
  }

  @Test
  void keepsWhatWasWrittenBeforeTheBadCharacterAndNothingAfter() {
    Utf8Sink sink = new Utf8Sink();
    assertThrows(Utf8Sink.UnpairedSurrogate.class, () -> sink.writeUtf8("abc\ud800def"));
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), sink.toByteArray());
  }

  @Test
  void growsPastItsFirstArrayAndGivesAHugeOneBackWhenCleared() {
    Utf8Sink sink = new Utf8Sink();
    String big = "\u4e2d".repeat(100_000); // 300,000 bytes
    sink.writeUtf8(big);
    assertEquals(300_000, sink.size());
    assertArrayEquals(big.getBytes(StandardCharsets.UTF_8), sink.toByteArray());
    sink.clear();
    assertEquals(0, sink.size());
    sink.writeUtf8("small");
    assertArrayEquals("small".getBytes(StandardCharsets.US_ASCII), sink.toByteArray());
  }

  @Test
  void methodsTheJsonWriterNeverCallsSaySo() {
    Utf8Sink sink = new Utf8Sink();
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> sink.writeInt(1));
    assertEquals("not used by JsonWriter", e.getMessage());
    assertSame(sink, sink.emit());
  }

  @Test
  void escapesKeysAndValuesInOnePassExactlyAsMoshiDoes() throws IOException {
    SplittableRandom random = new SplittableRandom(2028);
    for (int round = 0; round < 20_000; round++) {
      String key = jsonHostile(random, random.nextInt(0, 40));
      String value = jsonHostile(random, random.nextInt(0, 300));
      byte[] moshi;
      try {
        moshi = throughMoshi(key, value, false);
      } catch (IllegalArgumentException e) {
        // Okio writes '?' for a lone surrogate; ours refuses it: checked at its index below.
        int bad = MessageEncoder.unpairedSurrogate(key);
        String where = bad >= 0 ? key : value;
        if (bad < 0) bad = MessageEncoder.unpairedSurrogate(value);
        int at = bad;
        Utf8Sink.UnpairedSurrogate refused = assertThrows(Utf8Sink.UnpairedSurrogate.class,
            () -> throughMoshi(key, value, true));
        assertSame(where, refused.string);
        assertEquals(at, refused.index);
        continue;
      }
      assertArrayEquals(moshi, throughMoshi(key, value, true), key + " / " + value);
    }
  }

  @Test
  void escapesEveryCharacterMoshiEscapes() throws IOException {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x100; c++) all.append(c);
    all.append("\u2027\u2028\u2029\u202a\ud83d\ude00\uffff");
    String s = all.toString();
    assertArrayEquals(throughMoshi(s, s, false), throughMoshi(s, s, true));
  }

  @Test
  void aStringOfEscapesGrowsTheArrayAsItGoes() throws IOException {
    // Six bytes out per char in: past the three per char made room for at the start.
    String controls = "\u0001".repeat(50_000);
    assertArrayEquals(throughMoshi("k", controls, false), throughMoshi("k", controls, true));
  }

  /**
   * {@code {"key":value}} written by Moshi's own {@code name} and {@code value(String)}
   * ({@code onePass} false, into an Okio buffer, which throws IllegalArgumentException on nothing but
   * writes '?' for a lone surrogate, so those are refused here first), or through the sink's stand-ins.
   */
  private static byte[] throughMoshi(String key, String value, boolean onePass) throws IOException {
    if (onePass) {
      Utf8Sink sink = new Utf8Sink();
      JsonWriter json = JsonWriter.of(sink);
      json.beginObject();
      sink.pendName(key);
      json.name(Utf8Sink.NAME);
      sink.pendValue(value);
      json.value(Utf8Sink.VALUE_NUMBER);
      json.name("after").value(1);
      json.endObject();
      return sink.toByteArray();
    }
    if (MessageEncoder.unpairedSurrogate(key) >= 0 || MessageEncoder.unpairedSurrogate(value) >= 0) {
      throw new IllegalArgumentException("lone surrogate");
    }
    Buffer buffer = new Buffer();
    JsonWriter json = JsonWriter.of(buffer);
    json.beginObject();
    json.name(key).value(value);
    json.name("after").value(1);
    json.endObject();
    return buffer.readByteArray();
  }

  /** Mostly what JSON must escape, with other text and now and then a lone surrogate. */
  static String jsonHostile(SplittableRandom random, int length) {
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      switch (random.nextInt(8)) {
        case 0:
          s.append((char) random.nextInt(0, 0x20));
          break;
        case 1:
          s.append("\"\\/\u007f".charAt(random.nextInt(4)));
          break;
        case 2:
          s.append(random.nextBoolean() ? '\u2028' : '\u2029');
          break;
        case 3:
          if (random.nextInt(20) == 0) s.append((char) random.nextInt(0xD800, 0xE000));
          break;
        default:
          s.append(wellFormed(random, 1 + random.nextInt(3)));
      }
    }
    return s.toString();
  }

  private static void assertUnpaired(String s, int index) {
    Utf8Sink sink = new Utf8Sink();
    Utf8Sink.UnpairedSurrogate e = assertThrows(Utf8Sink.UnpairedSurrogate.class, () -> sink.writeUtf8(s));
    assertEquals(index, e.index, s);
    assertSame(s, e.string);
  }

  /** ASCII, two- and three-byte chars and surrogate pairs, never a lone surrogate. */
  static String wellFormed(SplittableRandom random, int length) {
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      switch (random.nextInt(4)) {
        case 0:
          s.append((char) random.nextInt(0, 0x80));
          break;
        case 1:
          s.append((char) random.nextInt(0x80, 0x800));
          break;
        case 2:
          char c = (char) random.nextInt(0x800, 0x10000);
          s.append(Character.isSurrogate(c) ? 'x' : c);
          break;
        default:
          s.appendCodePoint(random.nextInt(0x10000, Character.MAX_CODE_POINT + 1));
      }
    }
    return s.toString();
  }
}
