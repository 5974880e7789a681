package dev.analytics4j.internal.spool;

import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * One segment file: records appended in order, named after the seq of its first. Its fields are
 * guarded by the spool's lock; the file itself takes positional reads and writes from any thread.
 */
public final class Segment {
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".log";

  public final long base;
  public final String name;
  public final SpoolFile file;
  /** Written by an earlier client: never appended to. */
  public final boolean recovered;
  /** One past the largest seq it holds. */
  public long endSeq;
  /** Bytes of records in the file: for a recovered file, up to the end of its last valid record. */
  public long size;
  /** Bytes the file takes on disk, for the budget. */
  public long fileBytes;
  /** Records by index (seq - base) that have been acknowledged. */
  public final BitSet acked = new BitSet();
  /** Records by index that recovery found valid; unused for a segment of this run, which has them all. */
  public final BitSet present = new BitSet();
  /** Records not yet acknowledged. */
  public long live;
  public boolean sealed;
  /** Damaged regions of a recovered file, start to end, which the reader jumps over. */
  public final TreeMap<Long, Long> holes = new TreeMap<>();

  public Segment(long base, SpoolFile file, boolean recovered) {
    this.base = base;
    this.name = nameOf(base);
    this.file = file;
    this.recovered = recovered;
    this.endSeq = base;
  }

  public static String nameOf(long base) {
    return PREFIX + String.format("%016d", base) + SUFFIX;
  }

  /** The base seq a segment file name gives, or -1 when {@code name} is not one. */
  public static long baseOf(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) return -1;
    String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
    if (digits.isEmpty() || digits.length() > 18) return -1;
    for (int i = 0; i < digits.length(); i++) if (digits.charAt(i) < '0' || digits.charAt(i) > '9') return -1;
    return Long.parseLong(digits);
  }

  /** Whether {@code seq} falls in this segment. */
  public boolean holds(long seq) {
    return seq >= base && seq < endSeq;
  }

  /**
   * Records {@code seq} as acknowledged; false when it was already, or is not a record of this
   * segment (a recovered segment has gaps where damage was).
   */
  public boolean acknowledge(long seq) {
    if (!holds(seq)) return false;
    int index = (int) (seq - base);
    if (acked.get(index) || (recovered && !present.get(index))) return false;
    acked.set(index);
    live--;
    return true;
  }

  /** Where the reader must jump to from {@code pos}, past a damaged region; {@code pos} when none. */
  public long skipHole(long pos) {
    Map.Entry<Long, Long> hole = holes.floorEntry(pos);
    return hole != null && pos < hole.getValue() ? hole.getValue() : pos;
  }

  @Override
  public String toString() {
    return name;
  }
}
