package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Transport;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} a JVM enqueueing into a spool at a random moment, several times in a row on the
 * same directory, then deliver what is left: every message whose {@code enqueue} returned arrives at
 * least once, and nothing arrives that was never enqueued.
 *
 * <p>In {@code verify} it kills 3 times; the soak kills more:
 * {@code mvn -o test -pl analytics-core -Dtest=SpoolCrashTest -Danalytics4j.spool.crash.kills=50}.
 */
class SpoolCrashTest {
  @TempDir Path temp;

  /**
   * Enqueues {@code <tag>-<n>} at a steady rate and prints each id, followed by {@code ;}, once
   * enqueue has returned. Its collector fails half of the requests and appends the ids of the others
   * to a file before answering 200, so a kill can fall between delivery and acknowledgement.
   */
  public static final class Producer {
    public static void main(String[] args) throws Exception {
      Path dir = Paths.get(args[0]);
      FileChannel delivered = FileChannel.open(Paths.get(args[1]), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      String tag = args[2];
      // A second witness beside stdout: the page cache survives kill -9, as the spool's does.
      FileChannel witness = FileChannel.open(Paths.get(args[3]), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      Transport flaky = request -> {
        if (ThreadLocalRandom.current().nextBoolean()) throw new ConnectException("flaky collector");
        StringBuilder lines = new StringBuilder();
        for (String id : SpoolFixtures.messageIds(request.body())) lines.append(id).append(";\n");
        synchronized (delivered) {
          delivered.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return new Transport.Response(200, null, "");
      };
      PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
      Callback drops = new Callback() {
        @Override
        public void onDropped(EncodedMessage message, DropReason reason) {
          synchronized (out) {
            out.print("dropped " + message.messageId() + " " + reason + "\n");
            out.flush();
          }
        }
      };
      Analytics analytics = SpoolFixtures.segmentBytes(SpoolFixtures.client(dir, flaky).callback(drops)
          .maxQueueSize(200).flushAt(50).flushInterval(Duration.ofMillis(20)).retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)), 64 * 1024).build();
      for (long i = 0; ; i++) {
        String id = tag + "-" + i;
        boolean accepted = analytics.offer(SpoolFixtures.message(id));
        if (accepted) witness.write(ByteBuffer.wrap((id + ";\n").getBytes(StandardCharsets.UTF_8)));
        synchronized (out) {
          out.print((accepted ? id + ";" : "refused " + id) + "\n");
          out.flush();
        }
        LockSupport.parkNanos(100_000);
      }
    }
  }

  @Test
  void everyAcknowledgedMessageSurvivesKillsAndNothingUnknownArrives() throws Exception {
    int kills = Integer.getInteger("analytics4j.spool.crash.kills", 3);
    long seed = Long.getLong("analytics4j.spool.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    Path dir = temp.resolve("spool");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, Long> lastAcknowledged = new HashMap<>();
    List<Path> deliveredFiles = new ArrayList<>();
    List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger onlyInWitness = new AtomicInteger();

    for (int run = 0; run < kills; run++) {
      String tag = "r" + run;
      Path delivered = temp.resolve("delivered-" + run + ".txt");
      deliveredFiles.add(delivered);
      Path witness = temp.resolve("acknowledged-" + run + ".txt");
      Process process = fork(dir, delivered, tag, witness, temp.resolve("stderr-" + run + ".txt"));
      int target = 200 + random.nextInt(3000);
      AtomicInteger seen = new AtomicInteger();
      CountDownLatch reached = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            if (line.startsWith("dropped ") || line.startsWith("refused ")) {
              problems.add(line);
              continue;
            }
            // A line cut by the kill has no ';': its enqueue returned, but we cannot know which id it was.
            if (!line.endsWith(";")) continue;
            acknowledged.add(line.substring(0, line.length() - 1));
            if (seen.incrementAndGet() >= target) reached.countDown();
          }
        } catch (Exception e) {
          // The stream ends with the process.
        } finally {
          reached.countDown();
        }
      }, "crash-test-reader-" + run);
      reader.start();
      assertTrue(reached.await(120, TimeUnit.SECONDS), "producer " + run + " printed " + seen + " ids");
      assertTrue(process.isAlive(), "producer " + run + " died on its own: "
          + Files.readString(temp.resolve("stderr-" + run + ".txt")));
      process.destroyForcibly();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS));
      reader.join(TimeUnit.SECONDS.toMillis(60));
      for (String line : Files.readAllLines(witness, StandardCharsets.UTF_8)) {
        if (line.endsWith(";") && acknowledged.add(line.substring(0, line.length() - 1))) {
          onlyInWitness.incrementAndGet();
        }
      }
      long last = -1;
      for (String id : acknowledged) {
        if (id.startsWith(tag + "-")) last = Math.max(last, Long.parseLong(id.substring(tag.length() + 1)));
      }
      lastAcknowledged.put(tag, last);
    }

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics last = SpoolFixtures.client(dir, collector).build();
    long recovered = last.metrics().recovered();
    FlushResult result = last.flush(Duration.ofSeconds(120));
    last.close();
    assertTrue(result.isComplete(), result.toString());
    assertEquals(recovered, result.delivered(), result.toString());

    Map<String, Integer> arrived = new HashMap<>();
    collector.received.forEach((id, n) -> arrived.merge(id, n.get(), Integer::sum));
    for (Path file : deliveredFiles) {
      if (!Files.exists(file)) continue;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.endsWith(";")) arrived.merge(line.substring(0, line.length() - 1), 1, Integer::sum);
      }
    }
    List<String> lost = new ArrayList<>();
    for (String id : acknowledged) if (!arrived.containsKey(id)) lost.add(id);
    List<String> unknown = new ArrayList<>();
    for (String id : arrived.keySet()) {
      int dash = id.lastIndexOf('-');
      Long lastOfRun = lastAcknowledged.get(id.substring(0, dash));
      // The producer may have been killed after its enqueue returned and before it printed the id.
      if (lastOfRun == null || Long.parseLong(id.substring(dash + 1)) > lastOfRun + 1) unknown.add(id);
    }
    long duplicates = arrived.values().stream().filter(n -> n > 1).count();
    List<String> someDuplicates = new ArrayList<>();
    arrived.forEach((id, n) -> {
      if (n > 1 && someDuplicates.size() < 10) someDuplicates.add(id + " x" + n);
    });
    if (!someDuplicates.isEmpty()) System.out.println("Some duplicates: " + someDuplicates);
    System.out.println("Spool crash test (seed " + seed + "): kills=" + kills + ", acknowledged="
        + acknowledged.size() + ", arrived=" + arrived.size() + ", recovered by the last client="
        + recovered + ", duplicates=" + duplicates + ", lost=" + lost.size() + ", unknown=" + unknown.size()
        + ", acknowledged in the witness file but missing from stdout=" + onlyInWitness);
    assertEquals(List.of(), problems.subList(0, Math.min(20, problems.size())), "drops in the producers");
    assertEquals(List.of(), lost.subList(0, Math.min(20, lost.size())), "acknowledged but never arrived (seed " + seed + ")");
    assertEquals(List.of(), unknown.subList(0, Math.min(20, unknown.size())), "arrived but never enqueued (seed " + seed + ")");
  }

  private static Process fork(Path dir, Path delivered, String tag, Path witness, Path stderr) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx128m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Producer.class.getName());
    command.add(dir.toString());
    command.add(delivered.toString());
    command.add(tag);
    command.add(witness.toString());
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }
}
