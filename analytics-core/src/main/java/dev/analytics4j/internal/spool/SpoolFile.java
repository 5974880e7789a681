package dev.analytics4j.internal.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/** One open file of the spool: positional reads and writes, as {@link java.nio.channels.FileChannel} has. */
public interface SpoolFile extends Closeable {
  /** Reads into {@code dst} from {@code position}; -1 at the end of the file. */
  int read(ByteBuffer dst, long position) throws IOException;

  /** Writes {@code src} at {@code position}; may write less than all of it, like a channel. */
  int write(ByteBuffer src, long position) throws IOException;

  long size() throws IOException;

  void truncate(long size) throws IOException;

  /** Makes what was written to this file durable (its data; its name is the directory's). */
  void force() throws IOException;

  /** Takes an exclusive lock on the whole file for as long as it is open; false if another holds it. */
  boolean tryLock() throws IOException;

  /** Closes {@code closeable}, a file or the acks log, when nothing is left to do about a failure. */
  static void closeQuietly(@Nullable Closeable closeable) {
    if (closeable == null) return;
    try {
      closeable.close();
    } catch (IOException e) {
      // Nothing left to do with it.
    }
  }

  /** Writes all of {@code src} at {@code position}; returns how many bytes that was. */
  default int writeFully(ByteBuffer src, long position) throws IOException {
    int written = 0;
    while (src.hasRemaining()) written += write(src, position + written);
    return written;
  }

  /**
   * Reads from {@code position} until {@code dst} is full or the file ends; returns how many bytes
   * were read (fewer than asked only at the end of the file).
   */
  default int readFully(ByteBuffer dst, long position) throws IOException {
    int read = 0;
    while (dst.hasRemaining()) {
      int n = read(dst, position + read);
      if (n < 0) break;
      read += n;
    }
    return read;
  }
}
