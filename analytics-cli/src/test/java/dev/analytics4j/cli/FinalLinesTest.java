package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FinalLinesTest {
  @Test
  void outOfOrderLinesLeaveRangesThatCloseIntoTheMark() {
    FinalLines finals = new FinalLines();
    finals.add(3);
    finals.add(5);
    finals.add(4);
    assertEquals(1, finals.below());
    assertEquals(1, finals.ranges().size());
    assertArrayEquals(new long[] {3, 6}, finals.ranges().get(0));
    finals.add(1);
    assertEquals(2, finals.below());
    finals.add(2);
    assertEquals(6, finals.below());
    assertTrue(finals.ranges().isEmpty());
    assertTrue(finals.contains(5));
    assertFalse(finals.contains(6));
  }

  /** Against a plain set: any order, duplicates included, the same answer for every line. */
  @Test
  void agreesWithASetInAnyOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Long> ordinals = new ArrayList<>();
      for (long i = 1; i <= 500; i++) if (random.nextInt(10) != 0) ordinals.add(i);
      Collections.shuffle(ordinals, random);
      ordinals.addAll(ordinals.subList(0, 40));
      FinalLines finals = new FinalLines();
      TreeSet<Long> set = new TreeSet<>();
      for (long ordinal : ordinals) {
        finals.add(ordinal);
        set.add(ordinal);
      }
      for (long i = 1; i <= 501; i++) assertEquals(set.contains(i), finals.contains(i), "line " + i);
      assertEquals(set.size(), finals.count());
      FinalLines copy = new FinalLines(finals.below(), finals.ranges());
      for (long i = 1; i <= 501; i++) assertEquals(set.contains(i), copy.contains(i), "read back, line " + i);
    }
  }

  /** Past the cap the highest ranges are forgotten: lines sent again, never a line called final that is not. */
  @Test
  void tooManyGapsForgetTheHighestRangesNeverInventOne() {
    FinalLines finals = new FinalLines();
    for (long i = 2; i <= 2L * (FinalLines.MAX_RANGES + 100); i += 2) finals.add(i);
    assertEquals(FinalLines.MAX_RANGES, finals.ranges().size());
    for (long i = 1; i <= 2L * (FinalLines.MAX_RANGES + 100); i += 2) assertFalse(finals.contains(i));
    assertTrue(finals.contains(2));
    assertFalse(finals.contains(2L * (FinalLines.MAX_RANGES + 100)));
  }

  @Test
  void rangesReadBackMustBeInOrderAndApart() {
    assertThrows(IllegalArgumentException.class, () -> new FinalLines(5, List.of(new long[] {5, 7})));
    assertThrows(IllegalArgumentException.class, () -> new FinalLines(1, List.of(new long[] {3, 5}, new long[] {5, 6})));
    assertThrows(IllegalArgumentException.class, () -> new FinalLines(1, List.of(new long[] {4, 3})));
    assertThrows(IllegalArgumentException.class, () -> new FinalLines(0, List.of()));
  }
}
