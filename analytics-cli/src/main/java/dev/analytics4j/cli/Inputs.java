package dev.analytics4j.cli;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens an input as text to split into lines, decompressing it when its first bytes say it is
 * gzip (one member or many, as {@code cat a.gz b.gz} and pigz write), whatever its name, from a
 * file or standard input alike. Other compressed formats and archives are recognised the same way
 * and refused with the command that unpacks them: read as text, each would give thousands of
 * rejected "lines" and no event.
 *
 * <p>zstd is refused too rather than read: the JDK has no zstd decoder, the pure-Java ones
 * (aircompressor) would add a dependency and a second decompressor to keep safe on hostile
 * input for a format that {@code zstd -dc FILE |} already feeds to the importer.
 */
final class Inputs {
  private Inputs() {}

  /** An opened input: the text to read, and how many of the input's own bytes were taken. */
  static final class Opened implements Closeable {
    private final InputStream stream;
    private final Counting counted;

    private Opened(InputStream stream, Counting counted) {
      this.stream = stream;
      this.counted = counted;
    }

    InputStream stream() {
      return stream;
    }

    /** Bytes taken from the input itself (compressed bytes, when it is compressed): the ETA's measure. */
    long bytesRead() {
      return counted.count;
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  static Opened open(Importer.Source source) throws IOException {
    Counting counted = new Counting(source.open());
    BufferedInputStream in = new BufferedInputStream(counted, 64 * 1024);
    byte[] head;
    try {
      in.mark(16);
      head = in.readNBytes(6);
      in.reset();
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
    String refused = refusal(head);
    if (refused != null) {
      in.close();
      throw new IOException(refused);
    }
    if (isGzip(head)) return new Opened(new GzipInput(in), counted);
    return new Opened(in, counted);
  }

  static boolean isGzip(byte[] head) {
    return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
  }

  /** Why an input that starts with {@code head} cannot be read as lines; null when it can. */
  static @org.jspecify.annotations.Nullable String refusal(byte[] head) {
    if (startsWith(head, 0x28, 0xB5, 0x2F, 0xFD)) {
      return "the input is zstd-compressed, which the importer does not decompress; feed it decompressed: "
          + "zstd -dc FILE | java -jar analytics4j.jar import -";
    }
    if (startsWith(head, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
      return "the input is xz-compressed, which the importer does not decompress; feed it decompressed: "
          + "xz -dc FILE | java -jar analytics4j.jar import -";
    }
    if (startsWith(head, 'B', 'Z', 'h')) {
      return "the input is bzip2-compressed, which the importer does not decompress; feed it decompressed: "
          + "bzip2 -dc FILE | java -jar analytics4j.jar import -";
    }
    if (startsWith(head, 'P', 'K', 0x03, 0x04)) {
      return "the input is a zip archive, not newline-delimited JSON; extract it first (unzip FILE) or "
          + "stream its entry: unzip -p FILE ENTRY | java -jar analytics4j.jar import -";
    }
    return null;
  }

  private static boolean startsWith(byte[] head, int... magic) {
    if (head.length < magic.length) return false;
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xff) != magic[i]) return false;
    }
    return true;
  }

  /** Counts the bytes taken from the input. */
  private static final class Counting extends FilterInputStream {
    private volatile long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      if (skipped > 0) count += skipped;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
