package dev.analytics4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How many times each 64-bit fingerprint was seen, exactly, in a table kept in a file mapped into
 * memory rather than on the heap: the heap stays the same whatever the input's length, and the
 * operating system pages the table in and out like any file.
 *
 * <p>An open-addressing table of 16-byte slots (fingerprint, count), at most 70% full, doubled
 * into a new file when it fills: 23 to 46 bytes of disk per distinct line (about 2.2 GiB for 50
 * million lines, 128 GiB for 3 billion), in {@code directory}. The file is deleted as soon as it
 * is mapped where the system allows (Linux, macOS): its space is given back when the process
 * ends, however it ends, and no stale file is left behind by a kill. Elsewhere it is deleted on
 * {@link #close()}. Not thread-safe: the reader thread alone uses it.
 */
final class RepeatCounter implements AutoCloseable {
  private static final int SLOT_BYTES = 16;
  /** Slots per mapped segment: 1 GiB, under the 2 GiB a mapping may hold. */
  private static final int SEGMENT_SHIFT = 26;
  private static final long SEGMENT_SLOTS = 1L << SEGMENT_SHIFT;
  private static final int INITIAL_SLOTS = 1 << 16;

  private final Path directory;
  private @Nullable Table table;
  private long size;

  RepeatCounter(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory == null");
  }

  /** Counts one more sighting of {@code fingerprint} (not 0) and returns how many there have been. */
  long increment(long fingerprint) {
    if (fingerprint == 0) throw new IllegalArgumentException("fingerprint must not be 0");
    Table t = table;
    if (t == null) t = table = Table.create(directory, INITIAL_SLOTS);
    long slot = t.find(fingerprint);
    long count = t.count(slot) + 1;
    if (count == 1) {
      t.put(slot, fingerprint, 1);
      if (++size * 10 > t.slots * 7) grow();
    } else {
      t.setCount(slot, count);
    }
    return count;
  }

  /** Distinct fingerprints seen. */
  long size() {
    return size;
  }

  /** Bytes of the table's file now. */
  long fileBytes() {
    Table t = table;
    return t == null ? 0 : t.slots * SLOT_BYTES;
  }

  private void grow() {
    Table old = Objects.requireNonNull(table);
    Table bigger = Table.create(directory, old.slots * 2);
    for (long slot = 0; slot < old.slots; slot++) {
      long fingerprint = old.fingerprint(slot);
      if (fingerprint != 0) bigger.put(bigger.find(fingerprint), fingerprint, old.count(slot));
    }
    table = bigger;
    old.close();
  }

  @Override
  public void close() {
    Table t = table;
    table = null;
    if (t != null) t.close();
  }

  /** One file of slots, mapped in segments. */
  private static final class Table {
    final long slots;
    private final long mask;
    private final Path file;
    private final boolean deleted;
    private final MappedByteBuffer[] segments;

    private Table(long slots, Path file, boolean deleted, MappedByteBuffer[] segments) {
      this.slots = slots;
      this.mask = slots - 1;
      this.file = file;
      this.deleted = deleted;
      this.segments = segments;
    }

    static Table create(Path directory, long slots) {
      Path file = null;
      try {
        file = Files.createTempFile(directory, "analytics4j-repeats-", ".tmp");
        long bytes = slots * SLOT_BYTES;
        long perSegment = SEGMENT_SLOTS * SLOT_BYTES;
        int count = (int) ((bytes + perSegment - 1) / perSegment);
        MappedByteBuffer[] segments = new MappedByteBuffer[count];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          // A sparse file: blocks are allocated as slots are written, and read back as zeros.
          for (int i = 0; i < count; i++) {
            segments[i] = channel.map(FileChannel.MapMode.READ_WRITE, i * perSegment,
                Math.min(perSegment, bytes - i * perSegment));
          }
        }
        boolean deleted;
        try {
          Files.delete(file);
          deleted = true;
        } catch (IOException e) {
          deleted = false; // Windows keeps a mapped file: deleted on close
        }
        return new Table(slots, file, deleted, segments);
      } catch (IOException e) {
        if (file != null) {
          try {
            Files.deleteIfExists(file);
          } catch (IOException ignored) {
            // the first error is the one to report
          }
        }
        throw new UncheckedIOException("the repeat counter's file in " + directory + " cannot be created: "
            + e.getMessage(), e);
      }
    }

    /** The slot holding {@code fingerprint}, or the empty slot where it goes. */
    long find(long fingerprint) {
      long slot = mix(fingerprint) & mask;
      while (true) {
        long there = fingerprint(slot);
        if (there == 0 || there == fingerprint) return slot;
        slot = (slot + 1) & mask;
      }
    }

    long fingerprint(long slot) {
      return segments[(int) (slot >>> SEGMENT_SHIFT)].getLong((int) (slot & (SEGMENT_SLOTS - 1)) * SLOT_BYTES);
    }

    long count(long slot) {
      return segments[(int) (slot >>> SEGMENT_SHIFT)].getLong((int) (slot & (SEGMENT_SLOTS - 1)) * SLOT_BYTES + 8);
    }

    void put(long slot, long fingerprint, long count) {
      ByteBuffer segment = segments[(int) (slot >>> SEGMENT_SHIFT)];
      int at = (int) (slot & (SEGMENT_SLOTS - 1)) * SLOT_BYTES;
      segment.putLong(at, fingerprint);
      segment.putLong(at + 8, count);
    }

    void setCount(long slot, long count) {
      segments[(int) (slot >>> SEGMENT_SHIFT)].putLong((int) (slot & (SEGMENT_SLOTS - 1)) * SLOT_BYTES + 8, count);
    }

    void close() {
      for (MappedByteBuffer segment : segments) unmap(segment);
      if (!deleted) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // Left for the system's temporary-file cleanup: it holds only fingerprints.
        }
      }
    }

    /** Fingerprints are SHA-1 bits already; the mix only spreads the low bits the mask keeps. */
    private static long mix(long fingerprint) {
      return fingerprint ^ (fingerprint >>> 32);
    }
  }

  private static final @Nullable Object UNSAFE;
  private static final @Nullable Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      // Java 9+: frees a mapping now instead of at some later GC, so a doubled table's old file
      // does not hold its disk space (and address space) until then.
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      unsafe = null;
      cleaner = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = cleaner;
  }

  private static void unmap(MappedByteBuffer buffer) {
    if (UNSAFE == null || INVOKE_CLEANER == null) return; // freed by the GC instead
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // freed by the GC instead
    }
  }
}
