package dev.analytics4j.internal;

/**
 * Not API: may change in any release. A set of non-zero 64-bit fingerprints in one open-addressing
 * table (8 to 16 bytes a member), for the modules of ours that must tell a repeated input from a
 * new one (the importer's lines, the Spark writer's rows) without keeping the inputs. Not
 * thread-safe.
 */
public final class FingerprintSet {
  private long[] slots;
  private int size;

  /** An empty set with room for about {@code expected} members before it grows. */
  public FingerprintSet(int expected) {
    int capacity = 16;
    while (capacity * 3 / 4 < expected) capacity <<= 1;
    this.slots = new long[capacity];
  }

  /** Adds {@code fingerprint}, which must not be 0 (it marks an empty slot); false when it was there. */
  public boolean add(long fingerprint) {
    if (fingerprint == 0) throw new IllegalArgumentException("fingerprint must not be 0");
    int mask = slots.length - 1;
    int slot = (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
    while (slots[slot] != 0) {
      if (slots[slot] == fingerprint) return false;
      slot = (slot + 1) & mask;
    }
    slots[slot] = fingerprint;
    if (++size * 4 > slots.length * 3) grow();
    return true;
  }

  public int size() {
    return size;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length - 1;
    for (long fingerprint : old) {
      if (fingerprint == 0) continue;
      int slot = (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
      while (slots[slot] != 0) slot = (slot + 1) & mask;
      slots[slot] = fingerprint;
    }
  }
}
