package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class RepeatCounterTest {
  @TempDir Path dir;

  /** Exact counts through several doublings, against a map; fingerprints that share low bits too. */
  @Test
  void countsExactlyAcrossGrowth() {
    Random random = new Random(11);
    Map<Long, Long> expected = new HashMap<>();
    try (RepeatCounter counter = new RepeatCounter(dir)) {
      for (int i = 0; i < 600_000; i++) {
        long fingerprint = i % 3 == 0 && !expected.isEmpty() ? (long) (random.nextInt(1000) + 1) << 40
            : random.nextInt(200_000) + 1L;
        long count = expected.merge(fingerprint, 1L, Long::sum);
        assertEquals(count, counter.increment(fingerprint), "fingerprint " + fingerprint);
      }
      assertEquals(expected.size(), counter.size());
      assertTrue(counter.fileBytes() >= expected.size() * 16L);
    }
  }

  /** The file is gone from the directory as soon as it is mapped: a kill leaves nothing behind. */
  @Test
  @DisabledOnOs(OS.WINDOWS)
  void leavesNoFileBehindEvenBeforeClose() throws Exception {
    RepeatCounter counter = new RepeatCounter(dir);
    for (long i = 1; i <= 100_000; i++) counter.increment(i);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
    counter.close();
  }

  @Test
  void aDirectoryThatCannotHoldItSaysWhich() {
    RepeatCounter counter = new RepeatCounter(dir.resolve("missing"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> counter.increment(1));
    assertTrue(e.getMessage().contains("the repeat counter's file in " + dir.resolve("missing")), e.getMessage());
  }
}
