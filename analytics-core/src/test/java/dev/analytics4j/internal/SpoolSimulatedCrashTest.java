package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.spool.RecordCodec;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 *   <li>process crash, any policy: every accepted message arrives (in some run);
 *   <li>power loss, {@code EVERY_WRITE}: every accepted message's record was durable when
 *       {@code offer} returned, and every one arrives;
 *   <li>power loss, {@code interval(d)}: the only accepted messages that may be missing are those
 *       whose record was written after the last completed force of its segment file (the sync
 *       thread forces every d, a segment change forces the segment it leaves);
 *   <li>power loss, {@code NONE}: only the checks below;
 *   <li>always: the last restart's {@code build()} succeeds (an earlier one fails only when the
 *       crash falls inside it) and its flush delivers all it recovered;
 *       every message sent carries exactly the JSON written for it (never a torn or corrupt
 *       record, nothing never enqueued); no message arrives twice within a run; a message arrives
 *       in both runs only inside the at-least-once window: its acknowledgement was not in the
 *       {@code acks} file the restart found; no message is reported twice to a callback.
 * </ul>
 *
 * <p>Every third crash point crashes the restart too (anywhere in its run: recovery, the acks
 * rewrite, its own appends), and a third client recovers what that left. A quarter of the crashing
 * runs also meet a disk fault (a failing write, short write, create, read, truncate, rename, delete
 * or directory force) before the crash; a message refused for it is not accepted.
 *
 * <p>{@code mvn verify} runs {@value #DEFAULT_POINTS} crash points per policy and kind; the long
 * run: {@code mvn -o -B test -pl analytics-core -Dtest=SpoolSimulatedCrashTest
 * -Danalytics4j.spool.simcrash.points=1700} (10,200 crash points: 1,700 for each policy and kind
 * of crash), which prints the tallies; {@code -Danalytics4j.spool.simcrash.seed=N} replays a seed.
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
      if (Internal.get().isEveryWrite(sync)) assertEquals(0, tally.lost, sync + ": " + tally);
    }
  }

  /**
   * The sync thread of {@code interval(d)} forces what was written without waiting for a segment
   * change: a message accepted into a segment that is not finished becomes durable on its own, and
   * survives a power loss.
   */
  @Test
  void theIntervalThreadForcesTheSegmentBeingWrittenAndAPowerLossThenKeepsIt() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Analytics client = SpoolFixtures.fileSystem(SpoolFixtures.client(temp.resolve("spool"), SpoolFixtures.down())
        .spoolSync(SpoolSync.interval(Duration.ofMillis(20))), disk.factory()).build();
    assertTrue(client.offer(SpoolFixtures.message("m0")));
    assertTrue(disk.awaitDurable("m0", TimeUnit.SECONDS.toNanos(60)), "forced by the sync thread");
    disk.crashAt(disk.operations() + 1, SimulatedDisk.Crash.POWER, 1);
    disk.crashNow();
    client.close(Duration.ZERO);

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics restarted = SpoolFixtures.fileSystem(SpoolFixtures.client(temp.resolve("spool"), collector),
        disk.image().factory()).build();
    FlushResult result = restarted.flush(Duration.ofSeconds(30));
    restarted.close();
    assertEquals(Internal.get().flushResult(true, 1, 0, 0).toString(), result.toString());
    assertEquals(Set.of("m0"), collector.received.keySet());
  }

  private static List<SpoolSync> policies() {
    return List.of(SpoolSync.NONE, SpoolSync.interval(Duration.ofMillis(2)), SpoolSync.EVERY_WRITE);
  }

  private Tally sweep(SpoolSync sync, SimulatedDisk.Crash kind) throws Exception {
    int points = Integer.getInteger("analytics4j.spool.simcrash.points", DEFAULT_POINTS);
    long seed = Long.getLong("analytics4j.spool.simcrash.seed", System.nanoTime());
    Random random = new Random(seed);
    // A run without a crash tells how many operations a run takes; crash points sweep them all.
    long operations = Math.max(1, runChain(sync, kind, new long[] {Long.MAX_VALUE}, random.nextLong(), new Tally()));
    Tally tally = new Tally();
    for (int i = 0; i < points; i++) {
      // Every third point crashes the restart too (in its recovery, say), and a third client recovers.
      long[] crashAts = new long[i % 3 == 2 ? 2 : 1];
      crashAts[0] = 1 + (i * (operations + 5)) / points + random.nextInt(3);
      if (crashAts.length > 1) crashAts[1] = 1 + random.nextInt((int) operations + 20);
      long pointSeed = random.nextLong();
      try {
        runChain(sync, kind, crashAts, pointSeed, tally);
      } catch (AssertionError e) {
        throw new AssertionError(sync + ", " + kind + ", crashes before operations " + Arrays.toString(crashAts)
            + " (seed " + seed + ", point seed " + pointSeed + "): " + e.getMessage(), e);
      }
    }
    System.out.println("Simulated " + kind + " crashes, " + sync + " (seed " + seed + ", ~" + operations
        + " operations a run): " + tally);
    return tally;
  }

  /**
   * The faults mixed into crashing runs. Not a failing force: under {@code EVERY_WRITE} the message
   * whose force failed is accepted without being durable (docs/spool-format.md), which the power
   * loss check would count as lost; SpoolFaultsTest covers it. Reads fail at most twice: a third
   * failure gives a segment's rest up.
   */
  private static final FaultyFileSystem.Op[] FAULTS = {FaultyFileSystem.Op.WRITE, FaultyFileSystem.Op.CREATE,
      FaultyFileSystem.Op.READ, FaultyFileSystem.Op.TRUNCATE, FaultyFileSystem.Op.RENAME,
      FaultyFileSystem.Op.DELETE, FaultyFileSystem.Op.FORCE_DIRECTORY};

  /** What one crashing run did: what it accepted before the crash, and what arrived from it. */
  private static final class Run {
    final Set<String> accepted = new HashSet<>();
    final Map<String, Integer> arrived = new ConcurrentHashMap<>();
  }

  /**
   * Runs a client on {@code disk} until it crashes before operation {@code crashAt} (or after its
   * close, if it gets that far), offering {@code MESSAGES} new messages tagged {@code tag}.
   */
  private Run crashingRun(SimulatedDisk disk, SpoolSync sync, String tag, Random random) {
    Run run = new Run();
    Path dir = temp.resolve("spool-" + directories.incrementAndGet());
    Transport flaky = request -> {
      if (random.nextInt(3) == 0) throw new ConnectException("flaky collector");
      List<String> ids = SpoolFixtures.messageIds(request.body());
      // Delivered only if the process still lives: a dead one sends nothing. Its requests are then
      // refused for good, so that its flush ends at once instead of retrying.
      if (!disk.ifAlive(() -> ids.forEach(id -> run.arrived.merge(id, 1, Integer::sum)))) {
        return new Transport.Response(400, null, "the process is gone");
      }
      return new Transport.Response(200, null, "");
    };
    RecordingCallback callback = new RecordingCallback();
    FaultyFileSystem faults = new FaultyFileSystem(disk.factory());
    if (random.nextInt(4) == 0) {
      // A quarter of the runs also meet a disk fault or two before the crash.
      FaultyFileSystem.Op op = FAULTS[random.nextInt(FAULTS.length)];
      FaultyFileSystem.Fault fault = op == FaultyFileSystem.Op.WRITE && random.nextBoolean()
          ? FaultyFileSystem.Fault.SHORT_WRITE : FaultyFileSystem.Fault.IO_ERROR;
      faults.fail(op, random.nextBoolean() ? "segment-" : "", fault, 1 + random.nextInt(2));
    }
    Analytics client = null;
    try {
      client = SpoolFixtures.fileSystem(configure(SpoolFixtures.client(dir, flaky), sync), faults.factory())
          .callback(callback).build();
    } catch (RuntimeException e) {
      // Only a crash in the middle, or a disk fault, may fail a build; that process then ends.
      if (!disk.crashed() && faults.injected.get() == 0) throw e;
      disk.crashNow();
    }
    if (client != null) {
      for (int n = 0; n < MESSAGES && !disk.crashed(); n++) {
        String id = tag + n;
        Map<String, Object> properties = Map.of("n", n, "pad", "x".repeat(n % 40));
        if (client.offer(SpoolFixtures.message(id).properties(properties))) disk.ifAlive(() -> run.accepted.add(id));
      }
      // Crash points also fall in the flush and in the close that follows, and past the close.
      if (!disk.crashed()) client.flush(Duration.ofSeconds(30));
      client.close(disk.crashed() ? Duration.ZERO : Duration.ofSeconds(5));
    }
    disk.crashNow();
    assertEquals(List.of(), callback.duplicates, "reported twice");
    return run;
  }

  /**
   * One crash point: crashes a run before each operation of {@code crashAts} in turn, each on what
   * the last left, then delivers what is left. Returns the operations the first run made.
   */
  private long runChain(SpoolSync sync, SimulatedDisk.Crash kind, long[] crashAts, long seed, Tally tally) {
    Random random = new Random(seed);
    SimulatedDisk disk = new SimulatedDisk();
    Set<String> accepted = new HashSet<>();
    Set<String> mustArrive = new HashSet<>();
    Map<String, Integer> runsArrivedIn = new HashMap<>();
    List<String> twice = new ArrayList<>();
    Set<Long> ackedOnDisk = Set.of();
    long operations = 0;
    long notDurableCount = 0;
    for (int i = 0; i < crashAts.length; i++) {
      disk.crashAt(crashAts[i], kind, random.nextLong());
      Run run = crashingRun(disk, sync, "r" + i + "-m", random);
      if (i == 0) operations = disk.operations();
      checkArrivals(run.arrived, "r" + i + "-", ackedOnDisk, disk, twice);
      run.arrived.keySet().forEach(id -> runsArrivedIn.merge(id, 1, Integer::sum));
      accepted.addAll(run.accepted);
      Set<String> undelivered = new HashSet<>(run.accepted);
      undelivered.removeAll(runsArrivedIn.keySet());
      List<String> notDurable = disk.notDurableAtCrash(undelivered);
      notDurableCount += notDurable.size();
      if (kind == SimulatedDisk.Crash.POWER && Internal.get().isEveryWrite(sync)) {
        assertEquals(List.of(), notDurable, "accepted before its record was forced");
      }
      if (kind == SimulatedDisk.Crash.PROCESS || Internal.get().isEveryWrite(sync)) {
        mustArrive.addAll(undelivered);
      } else if (!Internal.get().isNone(sync)) {
        undelivered.removeAll(notDurable);
        mustArrive.addAll(undelivered);
      }
      disk = disk.image();
      ackedOnDisk = acks(disk);
    }

    SimulatedDisk image = disk;
    List<String> problems = new CopyOnWriteArrayList<>();
    Map<String, Integer> arrivedLast = new ConcurrentHashMap<>();
    Transport collector = request -> {
      String body = new String(request.body(), StandardCharsets.UTF_8);
      for (String id : SpoolFixtures.messageIds(request.body())) {
        byte[] json = image.jsonById.get(id);
        if (json == null) {
          problems.add(id + " was never enqueued");
        } else if (!body.contains(new String(json, StandardCharsets.UTF_8))) {
          problems.add(id + " arrived with other bytes than were written: " + body);
        }
        arrivedLast.merge(id, 1, Integer::sum);
      }
      return new Transport.Response(200, null, "");
    };
    RecordingCallback callback = new RecordingCallback();
    Analytics last = SpoolFixtures.fileSystem(configure(SpoolFixtures.client(temp.resolve("spool-"
        + directories.incrementAndGet()), collector), sync), image.factory()).callback(callback).build();
    long recovered = last.metrics().recovered();
    FlushResult result = last.flush(Duration.ofSeconds(30));
    last.close();
    assertTrue(result.isComplete(), result.toString());
    assertEquals(recovered, result.delivered(), result.toString());
    assertEquals(List.of(), problems);
    assertEquals(List.of(), callback.duplicates, "reported twice after the last restart");
    assertEquals(recovered, callback.count("sent"));
    checkArrivals(arrivedLast, null, ackedOnDisk, image, twice);
    arrivedLast.keySet().forEach(id -> runsArrivedIn.merge(id, 1, Integer::sum));
    assertEquals(List.of(), twice);

    List<String> lost = new ArrayList<>();
    for (String id : mustArrive) if (!runsArrivedIn.containsKey(id)) lost.add(id);
    Collections.sort(lost);
    assertEquals(List.of(), lost, "accepted, and durable as the policy promises, but never arrived");
    long arrivedAccepted = runsArrivedIn.keySet().stream().filter(accepted::contains).count();
    tally.points++;
    tally.accepted += accepted.size();
    tally.arrived += arrivedAccepted;
    tally.unaccepted += runsArrivedIn.size() - arrivedAccepted;
    tally.lost += accepted.size() - arrivedAccepted;
    tally.duplicates += runsArrivedIn.values().stream().filter(n -> n > 1).count();
    tally.notDurable += notDurableCount;
    tally.recovered += recovered;
    return operations;
  }

  /**
   * Within one run nothing arrives twice; a message sent again after a restart is in the
   * at-least-once window: its acknowledgement was not in the acks file the restart found. Messages
   * of this run (tagged {@code ownTag}) are not from that directory: their seqs may be ones the
   * acks file names (its entries for records no longer on disk are dropped at the start).
   */
  private static void checkArrivals(Map<String, Integer> arrived, String ownTag, Set<Long> ackedOnDisk,
      SimulatedDisk disk, List<String> twice) {
    arrived.forEach((id, n) -> {
      if (n > 1) twice.add(id + " x" + n + " in one run");
      if (ownTag != null && id.startsWith(ownTag)) return;
      Long seq = disk.seqById.get(id);
      if (seq != null && ackedOnDisk.contains(seq)) twice.add(id + " was sent again though acknowledged on disk");
    });
  }

  private static Analytics.Builder configure(Analytics.Builder builder, SpoolSync sync) {
    return SpoolFixtures.segmentBytes(builder.spoolSync(sync).maxQueueSize(10).flushAt(5).flushInterval(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2)), 1024);
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
