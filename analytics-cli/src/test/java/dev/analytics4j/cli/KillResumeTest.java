package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jetbrains.annotations.NotNull;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resume promise against the hardest stop there is: the importer's JVM killed with SIGKILL
 * (no handler, no finally, no flush) at random moments, again and again, each run resumed from
 * whatever checkpoint the kill left. Every line must arrive at least once, with the ids a single
 * uninterrupted run would have given (exact repeats included), and each kill may cost at most
 * about one in-flight window of lines sent again.
 */
@DisabledOnOs(OS.WINDOWS) // destroyForcibly is SIGKILL only on Unix
class KillResumeTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));
  private static final int LINES = 20_000;
  private static final int KILLS = 4;
  private static final int BATCH = 100;
  /** The CLI's in-flight bound for this batch size, plus the batches the client may hold besides. */
  private static final int WINDOW = Math.max(1_000, BATCH * 6) + 4 * BATCH;

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicLong messages = new AtomicLong();

  @Test
  void killedAtRandomMomentsAndResumedEveryLineArrivesWithItsIdsAndLittleIsSentTwice() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    server.setDispatcher(new Dispatcher() {
      @Override
      public @NotNull MockResponse dispatch(@NotNull RecordedRequest request) {
        try {
          @SuppressWarnings("unchecked")
          List<Map<String, Object>> batch = (List<Map<String, Object>>) JSON.fromJson(request.getBody().utf8()).get("batch");
          for (Map<String, Object> message : batch) {
            received.computeIfAbsent((String) message.get("messageId"), id -> new AtomicInteger()).incrementAndGet();
          }
          messages.addAndGet(batch.size());
        } catch (IOException | RuntimeException e) {
          return TestServer.status(400);
        }
        return TestServer.ok();
      }
    });

    // Distinct lines, exact repeats of earlier ones (their ids depend on every earlier line being
    // counted, skipped or not), and invalid lines (final as rejected).
    List<String> lines = new ArrayList<>();
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < LINES; i++) {
      String line;
      if (i % 50 == 49) {
        line = "not json " + i;
      } else if (i % 10 == 9) {
        line = lines.get(i / 3);
      } else {
        line = "{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\"}";
      }
      lines.add(line);
      input.append(line).append('\n');
    }
    Path events = Files.writeString(dir.resolve("events.ndjson"), input.toString());
    Map<String, Integer> expected = new HashMap<>();
    int invalid = 0;
    try (MessageIds ids = new MessageIds(dir)) {
      for (String line : lines) {
        if (line.startsWith("not json")) {
          invalid++;
        } else {
          expected.merge(ids.idFor(line.getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
        }
      }
    }

    int kills = 0;
    int runs = 0;
    String last = "";
    while (true) {
      runs++;
      assertTrue(runs <= KILLS + 10, "seed " + seed + ": no run finished; last output:\n" + last);
      long before = messages.get();
      boolean killNow = kills < KILLS;
      Process process = start(events, runs > 1);
      try {
        if (killNow) {
          // A moment while it sends: once one to three windows of this run's lines have arrived
          // (so it has made progress worth keeping), and up to 0.3 s later.
          long threshold = WINDOW + random.nextInt(2 * WINDOW);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (messages.get() - before < threshold && process.isAlive()) {
            assertTrue(System.nanoTime() - deadline < 0, "seed " + seed + ": run " + runs + " sent too little");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
          }
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(300_000)));
          if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            kills++;
            continue;
          }
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "seed " + seed + ": run " + runs + " did not end");
        last = Files.readString(dir.resolve("out-" + runs + ".txt"));
        // 3 when some invalid lines were left for the last run to reject, 0 when earlier runs had.
        if (process.exitValue() == ImportResult.EXIT_REJECTED || process.exitValue() == ImportResult.EXIT_OK) break;
        assertTrue(kills < KILLS, "seed " + seed + ": run " + runs + " exited " + process.exitValue() + ":\n" + last);
      } finally {
        process.destroyForcibly();
      }
    }

    assertTrue(kills >= 1, "seed " + seed + ": every run finished before it could be killed");
    // Every line, once at least, under the id one uninterrupted run gives it; no other id.
    assertEquals(expected.keySet(), received.keySet(), "seed " + seed);
    long resent = 0;
    for (Map.Entry<String, Integer> id : expected.entrySet()) {
      int times = received.get(id.getKey()).get();
      assertTrue(times >= id.getValue(), "seed " + seed + ": " + id.getKey() + " arrived " + times + " time(s)");
      resent += times - id.getValue();
    }
    long sent = messages.get();
    assertEquals(LINES - invalid + resent, sent, "seed " + seed);
    System.out.printf("kill -9/resume: %,d lines (%,d valid), %d kills in %d runs: %,d messages delivered, "
        + "%,d sent again (%.0f per kill; the in-flight window is %,d)%n", LINES, LINES - invalid, kills, runs, sent,
        resent, resent / (double) Math.max(1, kills), WINDOW);
    assertTrue(resent <= (long) kills * 2 * WINDOW, "seed " + seed + ": " + resent + " lines sent again after "
        + kills + " kills");
    assertTrue(last.contains("  skipped        "), last);
    assertTrue(last.contains("checkpoint     removed"), last);
    assertFalse(Files.exists(dir.resolve("checkpoint.txt")));
    // The first run's rejects file is kept; each resumed run has its own.
    assertTrue(Files.exists(dir.resolve("rejects.txt")));
  }

  private Process start(Path events, boolean resume) throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    int run = 1;
    while (Files.exists(dir.resolve("out-" + run + ".txt"))) run++;
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "import", "--endpoint", server.url("/").toString(), "--batch-size", Integer.toString(BATCH),
        "--rate", "4000", "--checkpoint", dir.resolve("checkpoint.txt").toString()));
    if (resume) {
      command.add("--resume");
    } else {
      command.addAll(List.of("--rejects", dir.resolve("rejects.txt").toString()));
    }
    command.add(events.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out-" + run + ".txt").toFile());
    builder.environment().put("ANALYTICS_WRITE_KEY", "abc123");
    return builder.start();
  }
}
