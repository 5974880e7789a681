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
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One immutable sorted run of the {@link RepeatCounter}: records of a 128-bit key and its count,
 * sorted by key (unsigned), after a Bloom filter of the keys. Written once, front to back, with
 * plain writes, then mapped read-only: its pages are written back to disk at most once and never
 * dirtied again, unlike a mapped hash table whose random inserts dirty page after page, over and
 * over.
 *
 * <p>The filter is blocked (each key sets 7 bits in one 64-byte block, about 12 bits a key, so
 * about 1% of absent keys pass) and the block is chosen by the key's top bits: blocks fill in key
 * order, so the filter is written sequentially too, whatever the run's size, with one block in
 * memory, and each block can start with the index of its first record, so a key the filter lets
 * through is searched for among the few dozen records of its block. A key the filter rules out
 * costs one cache line of a clean, mapped page and no search.
 *
 * <p>The file is deleted as soon as it is opened where the system allows (Linux, macOS): a kill at
 * any moment leaves nothing behind and its space comes back when the process ends. Elsewhere it is
 * deleted on {@link #close()}.
 */
final class RepeatRun implements AutoCloseable {
  static final int RECORD_BYTES = 24;
  static final int BLOCK_BYTES = 64;
  static final int BITS_PER_KEY = 12;
  /** A block: the index of its first record, then 7 words of filter. */
  private static final int FILTER_BITS = BLOCK_BYTES * 8 - 64;
  /** A mapping's segment: a multiple of both 24 and 64 (no record or block straddles two), under 2 GiB. */
  private static final long SEGMENT_BYTES = 192L << 22;
  private static final int BUFFER_BYTES = 1 << 18;

  /** Where writes go: the seam through which tests make the disk fill up or fail. */
  interface Disk {
    Disk SYSTEM = FileChannel::write;

    /** Writes some of {@code buffer} at {@code position}, as {@link FileChannel#write(ByteBuffer, long)}. */
    int write(FileChannel channel, ByteBuffer buffer, long position) throws IOException;
  }

  /** Sorted, distinct keys with their counts, read once. */
  interface Cursor {
    boolean next();

    long hi();

    long lo();

    long count();
  }

  final Path file;
  final int level;
  final long records;
  private final long blocks;
  private final FileChannel channel;
  private final boolean deleted;
  private final Mapped filter;
  private final Mapped data;

  private RepeatRun(Path file, int level, long records, long blocks, FileChannel channel, boolean deleted,
      Mapped filter, Mapped data) {
    this.file = file;
    this.level = level;
    this.records = records;
    this.blocks = blocks;
    this.channel = channel;
    this.deleted = deleted;
    this.filter = filter;
    this.data = data;
  }

  /**
   * Writes the keys {@code source} gives (at most {@code maxRecords}) into a new file in
   * {@code directory}. Null when {@code cancelled} said stop first. An I/O error (the disk full)
   * leaves no file and says which it was.
   */
  static @Nullable RepeatRun write(Disk disk, Path directory, int level, long maxRecords, Cursor source,
      BooleanSupplier cancelled) {
    Path file = null;
    FileChannel channel = null;
    boolean done = false;
    try {
      file = createFile(directory);
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      boolean deleted = deleteNow(file);
      long blocks = Math.max(1, (maxRecords * BITS_PER_KEY + FILTER_BITS - 1) / FILTER_BITS);
      Appender filterOut = new Appender(disk, channel, 0, blocks * BLOCK_BYTES);
      Appender dataOut = new Appender(disk, channel, blocks * BLOCK_BYTES, maxRecords * RECORD_BYTES);
      long[] block = new long[BLOCK_BYTES / 8];
      long blockIndex = 0;
      long records = 0;
      while (source.next()) {
        if ((records & 0xffff) == 0 && cancelled.getAsBoolean()) return null;
        if (records == maxRecords) throw new IllegalStateException("more than " + maxRecords + " records");
        long hi = source.hi();
        long lo = source.lo();
        for (long b = block(hi, blocks); blockIndex < b; blockIndex++) {
          filterOut.block(block);
          block[0] = records; // where the next block's records start
        }
        setBits(block, hi, lo);
        dataOut.record(hi, lo, source.count());
        records++;
      }
      for (; blockIndex < blocks; blockIndex++) {
        filterOut.block(block);
        block[0] = records;
      }
      filterOut.flush();
      dataOut.flush();
      RepeatRun run = new RepeatRun(file, level, records, blocks, channel, deleted,
          Mapped.map(channel, 0, blocks * BLOCK_BYTES), Mapped.map(channel, blocks * BLOCK_BYTES, records * RECORD_BYTES));
      done = true;
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException("the repeat counter's file " + file + " cannot be written: " + e.getMessage(), e);
    } finally {
      if (!done) closeQuietly(channel, file);
    }
  }

  /** The count this run holds for the key, or 0. */
  long count(long hi, long lo) {
    try {
      long b = block(hi, blocks);
      long at = b * BLOCK_BYTES;
      long h = bitsHash(hi, lo);
      for (int i = 0; i < 7; i++, h >>>= 9) {
        int bit = bit(h);
        if ((filter.getLong(at + 8 + (bit >>> 6) * 8L) & 1L << bit) == 0) return 0;
      }
      // Only this block's records can hold the key: a search within a few hundred bytes.
      long low = filter.getLong(at);
      long high = (b + 1 < blocks ? filter.getLong(at + BLOCK_BYTES) : records) - 1;
      while (low <= high) {
        long middle = (low + high) >>> 1;
        long offset = middle * RECORD_BYTES;
        int c = compare(data.getLong(offset), data.getLong(offset + 8), hi, lo);
        if (c < 0) {
          low = middle + 1;
        } else if (c > 0) {
          high = middle - 1;
        } else {
          return data.getLong(offset + 16);
        }
      }
      return 0;
    } catch (InternalError e) {
      // What a read fault in a mapped file (an I/O error) becomes in Java.
      throw readFailed(e);
    }
  }

  /** Its records in order, for a merge. */
  Cursor cursor() {
    return new Cursor() {
      private long index = -1;

      @Override
      public boolean next() {
        return ++index < records;
      }

      @Override
      public long hi() {
        return get(index * RECORD_BYTES);
      }

      @Override
      public long lo() {
        return get(index * RECORD_BYTES + 8);
      }

      @Override
      public long count() {
        return get(index * RECORD_BYTES + 16);
      }

      private long get(long offset) {
        try {
          return data.getLong(offset);
        } catch (InternalError e) {
          throw readFailed(e);
        }
      }
    };
  }

  /** Bytes of disk it takes. */
  long bytes() {
    return blocks * BLOCK_BYTES + records * RECORD_BYTES;
  }

  private UncheckedIOException readFailed(InternalError e) {
    return new UncheckedIOException("the repeat counter's file " + file + " cannot be read: " + e.getMessage(),
        new IOException(e));
  }

  @Override
  public void close() {
    filter.unmap();
    data.unmap();
    closeQuietly(channel, deleted ? null : file);
  }

  static int compare(long hi, long lo, long otherHi, long otherLo) {
    int c = Long.compareUnsigned(hi, otherHi);
    return c != 0 ? c : Long.compareUnsigned(lo, otherLo);
  }

  /** The block for a key: its top bits scaled to the block count, so blocks follow key order. */
  static long block(long hi, long blocks) {
    return Math.multiplyHigh(hi, blocks) + ((hi >> 63) & blocks); // unsigned high 64 bits of hi * blocks
  }

  private static long bitsHash(long hi, long lo) {
    long z = lo ^ Long.rotateLeft(hi, 29) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 32)) * 0xD6E8FEB86659FD93L;
    return z ^ (z >>> 32);
  }

  private static void setBits(long[] block, long hi, long lo) {
    long h = bitsHash(hi, lo);
    for (int i = 0; i < 7; i++, h >>>= 9) {
      int bit = bit(h);
      block[1 + (bit >>> 6)] |= 1L << bit;
    }
  }

  /** Nine bits of the hash scaled to a bit of the block's filter words. */
  private static int bit(long h) {
    return (int) (((h & 511) * FILTER_BITS) >>> 9);
  }

  private static Path createFile(Path directory) {
    try {
      return Files.createTempFile(directory, "analytics4j-repeats-", ".tmp");
    } catch (IOException e) {
      throw new UncheckedIOException("the repeat counter's file in " + directory + " cannot be created: "
          + e.getMessage(), e);
    }
  }

  private static boolean deleteNow(Path file) {
    try {
      Files.delete(file);
      return true;
    } catch (IOException e) {
      return false; // Windows keeps an open file: deleted on close
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel, @Nullable Path file) {
    try {
      if (channel != null) channel.close();
    } catch (IOException e) {
      // nothing was promised about its contents: it is ours and about to go
    }
    try {
      if (file != null) Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left for the system's temporary-file cleanup: it holds only fingerprints.
    }
  }

  /** Sequential writes from one direct buffer at a moving position. */
  private static final class Appender {
    private final Disk disk;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private long position;

    Appender(Disk disk, FileChannel channel, long position, long bytes) {
      this.disk = disk;
      this.channel = channel;
      this.position = position;
      this.buffer = ByteBuffer.allocateDirect((int) Math.max(BLOCK_BYTES, Math.min(BUFFER_BYTES, bytes)));
    }

    void block(long[] words) throws IOException {
      if (buffer.remaining() < BLOCK_BYTES) flush();
      for (int i = 0; i < words.length; i++) {
        buffer.putLong(words[i]);
        words[i] = 0;
      }
    }

    void record(long hi, long lo, long count) throws IOException {
      if (buffer.remaining() < RECORD_BYTES) flush();
      buffer.putLong(hi).putLong(lo).putLong(count);
    }

    void flush() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) position += disk.write(channel, buffer, position);
      buffer.clear();
    }
  }

  /** A region of the file mapped read-only, in segments (one mapping holds under 2 GiB). */
  private static final class Mapped {
    private final MappedByteBuffer[] segments;

    private Mapped(MappedByteBuffer[] segments) {
      this.segments = segments;
    }

    static Mapped map(FileChannel channel, long offset, long bytes) throws IOException {
      MappedByteBuffer[] segments = new MappedByteBuffer[(int) ((bytes + SEGMENT_BYTES - 1) / SEGMENT_BYTES)];
      for (int i = 0; i < segments.length; i++) {
        long start = i * SEGMENT_BYTES;
        segments[i] = channel.map(FileChannel.MapMode.READ_ONLY, offset + start, Math.min(SEGMENT_BYTES, bytes - start));
      }
      return new Mapped(segments);
    }

    long getLong(long at) {
      return segments[(int) (at / SEGMENT_BYTES)].getLong((int) (at % SEGMENT_BYTES));
    }

    void unmap() {
      for (MappedByteBuffer segment : segments) RepeatRun.unmap(segment);
    }
  }

  private static final @Nullable Object UNSAFE;
  private static final @Nullable Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      // Java 9+: frees a mapping now instead of at some later GC, so a merged run's file does not
      // hold its disk space (and address space) until then.
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
