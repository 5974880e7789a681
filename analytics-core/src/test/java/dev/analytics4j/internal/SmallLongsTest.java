package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

final class SmallLongsTest {
  @Test
  void givesTheTextLongToStringGivesFrom0To1023() {
    for (long v = 0; v < 1024; v++) {
      Number n = SmallLongs.of(v);
      assertEquals(Long.toString(v), n.toString());
      assertEquals(v, n.longValue());
      assertEquals((int) v, n.intValue());
      assertEquals((double) v, n.doubleValue());
      assertEquals((float) v, n.floatValue());
    }
  }

  @Test
  void hasNothingOutsideThatRange() {
    assertNull(SmallLongs.of(-1));
    assertNull(SmallLongs.of(1024));
    assertNull(SmallLongs.of(Long.MIN_VALUE));
    assertNull(SmallLongs.of(Long.MAX_VALUE));
  }
}
