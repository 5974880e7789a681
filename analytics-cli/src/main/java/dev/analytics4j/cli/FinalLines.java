package dev.analytics4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which lines of the inputs have a final fate (delivered, rejected as invalid, blank), by ordinal:
 * the line's number counted across all inputs in order, from 1. What a resumed run skips.
 *
 * <p>Small whatever the input's length: a low-water mark below which every line is final, and
 * the ranges of final lines above it. Lines settle out of order only within the in-flight window,
 * so the ranges are few: one gap per line still in flight or not delivered. Should they ever pass
 * {@link #MAX_RANGES} (a collector refusing lines here and there over billions of lines), the
 * highest are forgotten: a resumed run then sends those lines again with the same messageIds,
 * which the API deduplicates. Forgetting that a line is final is always safe; the reverse never
 * happens. Thread-safe: the reader and the client's callback threads both add.
 */
final class FinalLines {
  /** About 40 bytes of heap and at most 40 bytes of checkpoint each. */
  static final int MAX_RANGES = 10_000;

  /** Every ordinal below it is final. */
  private long below;
  /** Final ranges above {@code below}, start to end (exclusive); none touches another. */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();
  /** Bumped by each change, for the checkpoint writer. */
  private long version;

  FinalLines() {
    this(1, List.of());
  }

  FinalLines(long below, List<long[]> finalRanges) {
    if (below < 1) throw new IllegalArgumentException("below must be at least 1: " + below);
    this.below = below;
    long last = below;
    for (long[] range : finalRanges) {
      // Read from a checkpoint: lowest first, apart, above the mark, as this class writes them.
      if (range[0] <= last || range[1] <= range[0]) {
        throw new IllegalArgumentException("ranges must be ascending, apart and above " + below);
      }
      ranges.put(range[0], range[1]);
      last = range[1];
    }
    while (ranges.size() > MAX_RANGES) ranges.pollLastEntry();
  }

  synchronized boolean contains(long ordinal) {
    if (ordinal < below) return true;
    Map.Entry<Long, Long> floor = ranges.floorEntry(ordinal);
    return floor != null && ordinal < floor.getValue();
  }

  /** Marks {@code ordinal} final; a line marked twice stays marked once. */
  synchronized void add(long ordinal) {
    if (contains(ordinal)) return;
    version++;
    if (ordinal == below) {
      below++;
      Long end = ranges.remove(below);
      if (end != null) below = end;
      return;
    }
    long start = ordinal;
    long end = ordinal + 1;
    Map.Entry<Long, Long> before = ranges.floorEntry(ordinal);
    if (before != null && before.getValue() == ordinal) {
      start = before.getKey();
    }
    Long after = ranges.remove(end);
    if (after != null) end = after;
    ranges.put(start, end);
    if (ranges.size() > MAX_RANGES) ranges.pollLastEntry();
  }

  synchronized long below() {
    return below;
  }

  synchronized long version() {
    return version;
  }

  /** The ranges above the low-water mark, lowest first, each {start, end}. */
  synchronized List<long[]> ranges() {
    List<long[]> copy = new ArrayList<>(ranges.size());
    for (Map.Entry<Long, Long> range : ranges.entrySet()) copy.add(new long[] {range.getKey(), range.getValue()});
    return copy;
  }

  /** Lines known final. */
  synchronized long count() {
    long count = below - 1;
    for (Map.Entry<Long, Long> range : ranges.entrySet()) count += range.getValue() - range.getKey();
    return count;
  }
}
