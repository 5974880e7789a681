package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.internal.spool.RecordCodec;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes a spooling client on a {@link SimulatedDisk} before its Nth file-system operation, N
 * sweeping the whole run (its build, appends, acknowledgements, segment changes), per sync policy,
 * as a process crash and as a power loss; then recovers the crashed state with a new client that
 * delivers everything to a collector. Asserts what {@code docs/spool-format.md} promises:
 *
 * <ul>
 *   <li>a message is <em>accepted</em> when {@code offer} returned true before the crash (the
 *       return is recorded atomically with respect to the crash);
 *   <li>process crash, any policy: every accepted message arrives (in either run);
 *   <li>power loss, {@code EVERY_WRITE}: every accepted message's record was durable when
 *       {@code offer} returned, and every one arrives;
 *   <li>power loss, {@code interval(d)}: the only accepted messages that may be missing are those
 *       whose record was written after the last completed force of its segment file (the sync
 *       thread forces every d, a segment change forces the segment it leaves);
 *   <li>power loss, {@code NONE}: only the checks below;
 *   <li>always: the restart's {@code build()} succeeds and its flush delivers all it recovered;
 *       every message sent carries exactly the JSON written for it (never a torn or corrupt
 *       record, nothing never enqueued); no message arrives twice within a run; a message arrives
 *       in both runs only inside the at-least-once window: its acknowledgement was not in the
 *       {@code acks} file the restart found; no message is reported twice to a callback.
 * </ul>
 *
 * <p>{@code mvn verify} runs {@value #DEFAULT_POINTS} crash points per policy and kind; the long
 * run: {@code mvn -o -B test -pl analytics-core -Dtest=SpoolSimulatedCrashTest
 * -Danalytics4j.spool.simcrash.points=1700} (10,200 crash points: 1,700 for each of 3 policies and 2 kinds of crash), which prints the tallies.
 */
class SpoolSimulatedCrashTest {
  static final int DEFAULT_POINTS = 80;
  private static final int MESSAGES = 60;

  @TempDir Path temp;
  private final AtomicInteger directories = new AtomicInteger();

  /** Counts over the crash points of one policy and crash kind. */
  static final class Tally {
    long points;
    long accepted;
    long arrived;
    long lost;
    long duplicates;
    long notDurable;
    long recovered;
    /** Arrived though offer had not returned true before the crash: written just before it. */
    long unaccepted;

    @Override
    public String toString() {
      return "points=" + points + ", accepted=" + accepted + ", arrived=" + arrived + ", lost=" + lost
          + ", duplicates=" + duplicates + ", not durable at the crash=" + notDurable
          + ", recovered by the restart=" + recovered + ", arrived though not accepted before the crash="
          + unaccepted;
    }
  }

  @Test
  void processCrashLosesNothingAcceptedUnderEveryPolicy() throws Exception {
    for (SpoolSync sync : policies()) {
      Tally tally = sweep(sync, SimulatedDisk.Crash.PROCESS);
      assertEquals(0, tally.lost, sync + ": " + tally);
    }
  }

  @Test
  void powerLossLosesOnlyWhatThePolicyAllows() throws Exception {
    for (SpoolSync sync : policies()) {
      Tally tally = sweep(sync, SimulatedDisk.Crash.POWER);
      if (sync.isEveryWrite()) assertEquals(0, tally.lost, sync + ": " + tally);
    }
  }

  private static List<SpoolSync> policies() {
    return List.of(SpoolSync.NONE, SpoolSync.interval(Duration.ofMillis(2)), SpoolSync.EVERY_WRITE);
  }

  private Tally sweep(SpoolSync sync, SimulatedDisk.Crash kind) throws Exception {
    int points = Integer.getInteger("analytics4j.spool.simcrash.points", DEFAULT_POINTS);
    long seed = Long.getLong("analytics4j.spool.simcrash.seed", System.nanoTime());
    Random random = new Random(seed);
    // A run without a crash tells how many operations a run takes; crash points sweep them all.
    long operations = Math.max(1, runOnce(sync, kind, Long.MAX_VALUE, random.nextLong(), new Tally()));
    Tally tally = new Tally();
    for (int i = 0; i < points; i++) {
      long crashAt = 1 + (i * (operations + 5)) / points + random.nextInt(3);
      long pointSeed = random.nextLong();
      try {
        runOnce(sync, kind, crashAt, pointSeed, tally);
      } catch (AssertionError e) {
        throw new AssertionError(sync + ", " + kind + ", crash before operation " + crashAt + " (seed "
            + seed + ", point seed " + pointSeed + "): " + e.getMessage(), e);
      }
    }
    System.out.println("Simulated " + kind + " crashes, " + sync + " (seed " + seed + ", ~" + operations
        + " operations a run): " + tally);
    return tally;
  }

  /** One crash point: returns the operations the first run made. */
  private long runOnce(SpoolSync sync, SimulatedDisk.Crash kind, long crashAt, long seed, Tally tally)
      throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    disk.crashAt(crashAt, kind, seed);
    Random random = new Random(seed);
    Path dir = temp.resolve("spool-" + directories.incrementAndGet());
    Set<String> accepted = new HashSet<>();
    Map<String, Integer> arrivedFirst = new ConcurrentHashMap<>();
    Transport flaky = request -> {
      if (random.nextInt(3) == 0) throw new ConnectException("flaky collector");
      List<String> ids = SpoolFixtures.messageIds(request.body());
      // Delivered only if the process still lives: a dead one sends nothing. Its requests are then
      // refused for good, so that its flush ends at once instead of retrying.
      if (!disk.ifAlive(() -> ids.forEach(id -> arrivedFirst.merge(id, 1, Integer::sum)))) {
        return new Transport.Response(400, null, "the process is gone");
      }
      return new Transport.Response(200, null, "");
    };
    RecordingCallback firstCallback = new RecordingCallback();
    Analytics first = null;
    try {
      first = configure(SpoolFixtures.client(dir, flaky), sync).spoolFileSystem(disk.factory())
          .callback(firstCallback).build();
    } catch (RuntimeException e) {
      if (!disk.crashed()) throw e;
    }
    if (first != null) {
      for (int n = 0; n < MESSAGES && !disk.crashed(); n++) {
        int i = n;
        String id = "m" + i;
        if (first.offer(SpoolFixtures.message(id).properties(Map.of("n", i, "pad", "x".repeat(i % 40))))) disk.ifAlive(() -> accepted.add(id));
      }
      // Crash points also fall in the flush and in the close that follows, and past the close.
      if (!disk.crashed()) first.flush(Duration.ofSeconds(30));
      first.close(disk.crashed() ? Duration.ZERO : Duration.ofSeconds(5));
    }
    disk.crashNow();
    long operations = disk.operations();
    assertEquals(List.of(), firstCallback.duplicates, "reported twice in the first run");

    SimulatedDisk image = disk.image();
    Set<Long> ackedInImage = acks(image);
    List<String> problems = new CopyOnWriteArrayList<>();
    Map<String, Integer> arrivedSecond = new ConcurrentHashMap<>();
    Transport collector = request -> {
      String body = new String(request.body(), StandardCharsets.UTF_8);
      for (String id : SpoolFixtures.messageIds(request.body())) {
        byte[] json = disk.jsonById.get(id);
        if (json == null) {
          problems.add(id + " was never enqueued");
        } else if (!body.contains(new String(json, StandardCharsets.UTF_8))) {
          problems.add(id + " arrived with other bytes than were written: " + body);
        }
        arrivedSecond.merge(id, 1, Integer::sum);
      }
      return new Transport.Response(200, null, "");
    };
    RecordingCallback secondCallback = new RecordingCallback();
    Analytics second = configure(SpoolFixtures.client(dir, collector), sync).spoolFileSystem(image.factory())
        .callback(secondCallback).build();
    long recovered = second.metrics().recovered();
    FlushResult result = second.flush(Duration.ofSeconds(30));
    second.close();
    assertTrue(result.isComplete(), result.toString());
    assertEquals(recovered, result.delivered(), result.toString());
    assertEquals(List.of(), problems);
    assertEquals(List.of(), secondCallback.duplicates, "reported twice after the restart");
    assertEquals(recovered, secondCallback.count("sent"));

    List<String> twice = new ArrayList<>();
    arrivedFirst.forEach((id, n) -> {
      if (n > 1) twice.add(id + " x" + n + " before the crash");
    });
    int duplicates = 0;
    for (Map.Entry<String, Integer> entry : arrivedSecond.entrySet()) {
      String id = entry.getKey();
      if (entry.getValue() > 1) twice.add(id + " x" + entry.getValue() + " after the restart");
      Long seq = disk.seqById.get(id);
      if (seq != null && ackedInImage.contains(seq)) twice.add(id + " was sent again though acknowledged on disk");
      if (arrivedFirst.containsKey(id)) duplicates++;
    }
    assertEquals(List.of(), twice);

    List<String> lost = new ArrayList<>();
    for (String id : accepted) {
      if (!arrivedFirst.containsKey(id) && !arrivedSecond.containsKey(id)) lost.add(id);
    }
    Set<String> undelivered = new HashSet<>(accepted);
    undelivered.removeAll(arrivedFirst.keySet());
    List<String> notDurable = disk.notDurableAtCrash(undelivered);
    if (kind == SimulatedDisk.Crash.PROCESS || sync.isEveryWrite()) {
      assertEquals(List.of(), lost, "accepted, never arrived");
    }
    if (kind == SimulatedDisk.Crash.POWER && sync.isEveryWrite()) {
      assertEquals(List.of(), notDurable, "accepted before its record was forced");
    }
    if (kind == SimulatedDisk.Crash.POWER && !sync.isNone()) {
      List<String> durableButLost = new ArrayList<>(lost);
      durableButLost.removeAll(notDurable);
      assertEquals(List.of(), durableButLost, "forced before the crash, never arrived");
    }
    Set<String> arrived = new HashSet<>(arrivedFirst.keySet());
    arrived.addAll(arrivedSecond.keySet());
    long arrivedAccepted = arrived.stream().filter(accepted::contains).count();
    tally.points++;
    tally.accepted += accepted.size();
    tally.arrived += arrivedAccepted;
    tally.unaccepted += arrived.size() - arrivedAccepted;
    tally.lost += lost.size();
    tally.duplicates += duplicates;
    tally.notDurable += notDurable.size();
    tally.recovered += recovered;
    return operations;
  }

  private static Analytics.Builder configure(Analytics.Builder builder, SpoolSync sync) {
    return builder.spoolSync(sync).maxQueueSize(10).flushAt(5).flushInterval(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2)).spoolSegmentBytes(1024);
  }

  /** The seqs the {@code acks} file of {@code disk} acknowledges, as recovery reads them. */
  static Set<Long> acks(SimulatedDisk disk) {
    Set<Long> seqs = new HashSet<>();
    byte[] bytes = disk.files().get("acks");
    if (bytes == null) return seqs;
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    for (int at = 0; at + RecordCodec.ACK_BYTES <= bytes.length; at += RecordCodec.ACK_BYTES) {
      long seq = RecordCodec.ackAt(buffer, at);
      if (seq >= 0) seqs.add(seq);
    }
    return seqs;
  }
}
