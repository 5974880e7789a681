package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.Wire;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines encoded ahead on several threads come out as one thread would have made them. */
class EncodePoolTest {
  @TempDir Path dir;
  private final Analytics client = Wire.keepMessageLibrary(Analytics.builder("k").shutdownHook(false)
      .flushInterval(Duration.ofHours(1)).transport(request -> new Transport.Response(200, null, "{}"))).build();

  @AfterEach
  void close() {
    client.close();
  }

  private static String line(int i) {
    return "{\"type\":\"track\",\"userId\":\"u" + (i % 7) + "\",\"event\":\"E\",\"timestamp\":\"2020-01-01T00:00:0"
        + (i % 3) + "Z\",\"properties\":{\"n\":" + (i % 5) + "}}";
  }

  private static LineReader reader(InputStream in) {
    return new LineReader(in, StandardCharsets.UTF_8, LineReader.DEFAULT_MAX_LINE_BYTES,
        LineReader.DEFAULT_MAX_SKIP_BYTES);
  }

  @Test
  void idsOrderAndRejectionsAreThoseOfOneThreadWhateverTheThreads() throws Exception {
    // 105 distinct lines, so most of 5,000 are repeats with ids of their own; every 97th is broken.
    StringBuilder text = new StringBuilder();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      String line = i % 97 == 0 ? "{\"type\":\"track\"" : line(i);
      lines.add(line);
      text.append(line).append('\n');
    }
    // What one thread makes: LineParser, MessageIds.idFor, Wire.encode, in order.
    List<String> expected = new ArrayList<>();
    try (MessageIds ids = new MessageIds(dir)) {
      LineParser parser = new LineParser();
      for (String line : lines) {
        try {
          LineParser.Parsed parsed = parser.parse(line);
          parsed.builder.messageId(ids.idFor(line.getBytes(StandardCharsets.UTF_8)));
          expected.add(Wire.encode(client, parsed.builder.build()).json());
        } catch (LineRejectedException e) {
          expected.add("rejected: " + e.getMessage());
        }
      }
    }
    for (int threads : new int[] {1, 2, 4}) {
      for (boolean streaming : new boolean[] {true, false}) {
        List<String> actual = new ArrayList<>();
        try (MessageIds ids = new MessageIds(dir); EncodePool pool = new EncodePool(client, threads, streaming)) {
          pool.read(reader(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8))));
          long number = 0;
          for (EncodePool.Prepared p; (p = pool.next()) != null; ) {
            assertEquals(++number, p.line.number);
            if (p.parsed == null && !p.streamed) {
              actual.add("rejected: " + p.rejection);
              continue;
            }
            String id = ids.idFor(p.line.utf8, p.digest);
            if (!p.encoded.messageId().equals(id)) pool.encodeAgain(p, id);
            actual.add(p.encoded.json());
          }
        }
        assertEquals(expected, actual, threads + " thread(s), streaming " + streaming);
      }
    }
  }

  @Test
  void aLineFromAQuietPipeIsHandedOutWithoutWaitingForTheNext() throws Exception {
    CountDownLatch more = new CountDownLatch(1);
    byte[] first = (line(1) + "\n" + line(2) + "\n").getBytes(StandardCharsets.UTF_8);
    InputStream pipe = new InputStream() {
      private int served;

      @Override
      public int read() {
        throw new AssertionError("not used");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (served == 0) {
          System.arraycopy(first, 0, b, off, first.length);
          served++;
          return first.length;
        }
        try {
          more.await(); // a producer that has not written more yet
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        return -1;
      }
    };
    try (EncodePool pool = new EncodePool(client, 2)) {
      pool.read(reader(pipe));
      assertEquals(1, pool.next().line.number);
      assertEquals(2, pool.next().line.number); // would hang if read-ahead waited for line 3
      more.countDown();
      assertNull(pool.next());
    }
  }

  @Test
  void aReadErrorComesAfterEveryLineReadBeforeIt() throws Exception {
    byte[] lines = (line(1) + "\n" + line(2) + "\n").getBytes(StandardCharsets.UTF_8);
    InputStream failing = new InputStream() {
      private boolean served;

      @Override
      public int read() {
        throw new AssertionError("not used");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (!served) {
          served = true;
          System.arraycopy(lines, 0, b, off, lines.length);
          return lines.length;
        }
        throw new IOException("disk gone");
      }

      @Override
      public int available() {
        return served ? 1 : lines.length; // claims more, then fails: read-ahead meets the error early
      }
    };
    try (EncodePool pool = new EncodePool(client, 2)) {
      pool.read(reader(failing));
      assertNotNull(pool.next().encoded);
      assertNotNull(pool.next().encoded);
      assertEquals("disk gone", assertThrows(IOException.class, pool::next).getMessage());
    }
  }
}
