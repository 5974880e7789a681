package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, failures and interruption, driven through the importer's own API. */
class ImporterTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  @BeforeEach
  void answerOkWhenNothingIsScripted() {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.ok());
  }

  private Analytics.Builder client() {
    return Analytics.builder("abc123")
        .endpoint(server.url("/").toString())
        .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(20))
        .flushInterval(Duration.ofHours(1));
  }

  private static String lines(int count) {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      lines.append("{\"type\":\"track\",\"userId\":\"u").append(i)
          .append("\",\"event\":\"Signed Up\",\"timestamp\":\"2020-01-0").append(i % 9 + 1).append("T00:00:00Z\"}\n");
    }
    return lines.toString();
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void retriesAServerErrorAndDeliversEveryLine() throws Exception {
    server.enqueue(TestServer.status(503));
    Importer importer = Importer.builder(client()).source(Importer.Source.stream("in", stream(lines(3)))).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_OK, result.exitCode(), result.toString());
    assertEquals(3, result.delivered);
    List<RecordedRequest> requests = TestServer.requests(server);
    assertEquals(2, requests.size());
    assertNull(requests.get(0).getHeaders().get("X-Retry-Count"));
    assertEquals("1", requests.get(1).getHeaders().get("X-Retry-Count"));
    assertEquals(TestServer.messages(requests.subList(0, 1)), TestServer.messages(requests.subList(1, 2)));
  }

  @Test
  void listsLinesTheApiRefusedInTheRejectsFile() throws Exception {
    server.enqueue(TestServer.status(400));
    Path rejects = dir.resolve("rejects.txt");
    Importer importer = Importer.builder(client()).source(Importer.Source.stream("in", stream(lines(2))))
        .rejectsFile(rejects).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_INCOMPLETE, result.exitCode());
    assertEquals(2, result.failed);
    List<String> lines = Files.readAllLines(rejects);
    assertEquals(2, lines.size());
    assertTrue(lines.contains("in:1: not delivered: HTTP 400 is not retryable: {} after 1 attempt(s)"), lines.toString());
    assertTrue(lines.contains("in:2: not delivered: HTTP 400 is not retryable: {} after 1 attempt(s)"), lines.toString());
  }

  @Test
  void boundsLinesInFlightWithoutLosingAny() throws Exception {
    Importer importer = Importer.builder(client()).batchSize(7).maxInFlightLines(10)
        .source(Importer.Source.stream("in", stream(lines(100)))).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_OK, result.exitCode(), result.toString());
    assertEquals(100, result.delivered);
    assertEquals(100, TestServer.messages(TestServer.requests(server)).size());
  }

  @Test
  void cancelStopsReadingAndDeliversWhatWasRead() throws Exception {
    BlockingStream input = new BlockingStream(lines(8));
    Importer importer = Importer.builder(client()).batchSize(100).shutdownTimeout(Duration.ofSeconds(5))
        .source(Importer.Source.stream("pipe", input)).build();
    CompletableFuture<ImportResult> run = CompletableFuture.supplyAsync(() -> {
      try {
        return importer.run();
      } catch (InterruptedException e) {
        throw new CompletionException(e);
      }
    });
    try {
      assertTrue(input.drained.await(10, TimeUnit.SECONDS), "all 8 lines read");
      importer.cancel();

      ImportResult result = run.get(10, TimeUnit.SECONDS);

      assertEquals(ImportResult.EXIT_INTERRUPTED, result.exitCode());
      assertEquals(8, result.read);
      assertEquals(8, result.delivered);
      assertEquals(8, TestServer.messages(TestServer.requests(server)).size());
      assertTrue(result.format(false).contains("8 line(s) delivered before the stop"), result.format(false));
    } finally {
      input.release.countDown();
    }
  }

  /** Serves its text, then blocks like a pipe whose writer has gone quiet. */
  private static final class BlockingStream extends InputStream {
    final CountDownLatch drained = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final ByteArrayInputStream data;

    BlockingStream(String text) {
      this.data = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (data.available() > 0) return data.read(b, off, len);
      drained.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return -1;
    }
  }
}
