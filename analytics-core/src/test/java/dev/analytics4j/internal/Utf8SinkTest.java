package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
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

  private static void assertUnpaired(String s, int index) {
    Utf8Sink sink = new Utf8Sink();
    Utf8Sink.UnpairedSurrogate e = assertThrows(Utf8Sink.UnpairedSurrogate.class, () -> sink.writeUtf8(s));
    assertEquals(index, e.index, s);
    assertSame(s, e.string);
  }

  /** ASCII, two- and three-byte chars and surrogate pairs, never a lone surrogate. */
  private static String wellFormed(SplittableRandom random, int length) {
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
