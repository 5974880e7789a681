package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class InputsTest {
  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }

  /**
   * A pipe: a few bytes per read, and available() 0 always, which is what made the JDK's reader
   * stop after the first member.
   */
  private static InputStream pipe(byte[] bytes) {
    return new InputStream() {
      private int position;

      @Override
      public int read() {
        return position < bytes.length ? bytes[position++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position == bytes.length) return -1;
        int n = Math.min(Math.min(len, 7), bytes.length - position);
        System.arraycopy(bytes, position, b, off, n);
        position += n;
        return n;
      }

      @Override
      public int available() {
        return 0;
      }
    };
  }

  private static String read(byte[] input) throws IOException {
    try (Inputs.Opened opened = Inputs.open(Importer.Source.stream("<stdin>", pipe(input)))) {
      String text = new String(opened.stream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(input.length, opened.bytesRead());
      return text;
    }
  }

  @Test
  void plainTextPassesAsItIs() throws IOException {
    assertEquals("{\"a\":1}\n", read("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals("", read(new byte[0]));
    assertEquals("x", read("x".getBytes(StandardCharsets.UTF_8)));
  }

  /** Every member of a multi-member stream, from a pipe, whatever the name: by content alone. */
  @Test
  void everyMemberOfAMultiMemberGzipFromAPipe() throws IOException {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 20_000; i++) big.append("{\"i\":").append(i).append("}\n");
    byte[] input = concat(gzip("{\"a\":1}\n"), gzip(""), gzip(big.toString()), gzip("{\"z\":1}\n"));
    assertEquals("{\"a\":1}\n" + big + "{\"z\":1}\n", read(input));
  }

  @Test
  void aTruncatedGzipIsAnErrorNotAnEnd() throws IOException {
    byte[] whole = gzip("{\"a\":1}\n".repeat(1000));
    for (int cut : new int[] {5, 12, whole.length / 2, whole.length - 4, whole.length - 1}) {
      IOException e = assertThrows(IOException.class, () -> read(Arrays.copyOf(whole, cut)), "cut at " + cut);
      assertTrue(e instanceof EOFException && e.getMessage().contains("truncated"), cut + ": " + e.getMessage());
    }
  }

  @Test
  void damageAndAppendedBytesAreErrorsThatSayWhere() throws IOException {
    byte[] damaged = gzip("{\"a\":1}\n".repeat(1000));
    damaged[damaged.length - 6] ^= 0x55; // in the CRC
    IOException e = assertThrows(IOException.class, () -> read(damaged));
    assertTrue(e.getMessage().contains("fails its check"), e.getMessage());

    byte[] appended = concat(gzip("{\"a\":1}\n"), "{\"b\":2}\n".getBytes(StandardCharsets.UTF_8));
    e = assertThrows(IOException.class, () -> read(appended));
    assertTrue(e.getMessage().contains("the bytes after gzip member 1 (at byte " + (appended.length - 8) + " of the input) are not gzip"),
        e.getMessage());
  }

  @Test
  void otherCompressionsAreRefusedWithTheCommandThatUnpacksThem() {
    byte[][] heads = {{0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0}, {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}, {'B', 'Z', 'h', '9'},
        {'P', 'K', 3, 4}};
    String[] words = {"zstd -dc FILE", "xz -dc FILE", "bzip2 -dc FILE", "unzip -p FILE ENTRY"};
    for (int i = 0; i < heads.length; i++) {
      byte[] head = heads[i];
      IOException e = assertThrows(IOException.class,
          () -> Inputs.open(Importer.Source.stream("in", new ByteArrayInputStream(head))));
      assertTrue(e.getMessage().contains(words[i]), e.getMessage());
    }
  }
}
