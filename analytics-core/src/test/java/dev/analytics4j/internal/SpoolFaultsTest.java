package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.internal.FaultyFileSystem.Fault;
import dev.analytics4j.internal.FaultyFileSystem.Op;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.Transport;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Disk faults under a spooling client, injected with {@link FaultyFileSystem} over a {@link
 * SimulatedDisk}: each message gets exactly one report (the callback and the metrics agree), the
 * client goes on once the fault clears, and a restart on the same directory starts and sends each
 * record it finds whole, with the bytes that were enqueued, and nothing else.
 */
class SpoolFaultsTest {
  @TempDir Path temp;

  private final SimulatedDisk disk = new SimulatedDisk();
  private final FaultyFileSystem faults = new FaultyFileSystem(disk.factory());

  private Analytics.Builder client(Transport transport, Callback callback) {
    return SpoolFixtures.segmentBytes(SpoolFixtures.fileSystem(SpoolFixtures.client(temp.resolve("spool"), transport),
        faults.factory()).callback(callback).maxQueueSize(5).flushAt(5), 1024);
  }

  private static List<String> ids(String prefix, int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) ids.add(prefix + i);
    return ids;
  }

  /** Each offered message reported exactly once, and the metrics count what the callback heard. */
  private static void assertOneReportEach(List<String> offered, RecordingCallback callback, Metrics metrics) {
    assertEquals(List.of(), callback.duplicates);
    assertEquals(new HashSet<>(offered), callback.outcomes.keySet(), "every message reported");
    assertEquals(offered.size(), metrics.enqueued(), metrics.toString());
    assertEquals(callback.count("sent"), metrics.sent(), metrics.toString());
    assertEquals(callback.count("failed"), metrics.failed(), metrics.toString());
    for (DropReason reason : DropReason.values()) {
      assertEquals(callback.count("dropped:" + reason), metrics.dropped(reason), reason + ": " + metrics);
    }
  }

  /**
   * Starts a client on what is on the disk, with no faults left, and delivers it: returns the ids
   * sent, each checked to carry the JSON that was written for it.
   */
  private Set<String> restartAndDeliver() {
    faults.clear();
    List<String> problems = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    Transport collector = request -> {
      String body = new String(request.body(), StandardCharsets.UTF_8);
      for (String id : SpoolFixtures.messageIds(request.body())) {
        byte[] json = disk.jsonById.get(id);
        if (json == null || !body.contains(new String(json, StandardCharsets.UTF_8))) {
          problems.add(id + " arrived with other bytes than were written, or was never written");
        }
        received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
      return new Transport.Response(200, null, "");
    };
    RecordingCallback callback = new RecordingCallback();
    Analytics restarted = client(collector, callback).build();
    long recovered = restarted.metrics().recovered();
    FlushResult result = restarted.flush(Duration.ofSeconds(30));
    restarted.close();
    assertTrue(result.isComplete(), result.toString());
    assertEquals(recovered, result.delivered(), result.toString());
    assertEquals(List.of(), problems);
    assertEquals(List.of(), callback.duplicates);
    received.forEach((id, n) -> assertEquals(1, n.get(), id + " sent " + n + " times"));
    return received.keySet();
  }

  enum WriteFault { IO_ERROR, NO_SPACE, SHORT_WRITE, SHORT_WRITE_THEN_TRUNCATE_FAILS }

  @ParameterizedTest
  @EnumSource(WriteFault.class)
  void aSegmentWriteThatFailsCostsThatMessageOnlyWithOneReportAndARestartSendsTheRest(WriteFault fault) {
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(SpoolFixtures.down(), callback).build();
    for (String id : ids("m", 0, 5)) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    faults.fail(Op.WRITE, "segment-", fault == WriteFault.IO_ERROR ? Fault.IO_ERROR
        : fault == WriteFault.NO_SPACE ? Fault.NO_SPACE : Fault.SHORT_WRITE, 1);
    if (fault == WriteFault.SHORT_WRITE_THEN_TRUNCATE_FAILS) faults.fail(Op.TRUNCATE, "segment-", Fault.IO_ERROR, 1);
    assertFalse(analytics.offer(SpoolFixtures.message("m5")), "the write failed");
    for (String id : ids("m", 6, 10)) assertTrue(analytics.offer(SpoolFixtures.message(id)), "after the fault");
    analytics.close(Duration.ZERO);

    assertEquals(fault == WriteFault.SHORT_WRITE_THEN_TRUNCATE_FAILS ? 2 : 1, faults.injected.get());
    assertOneReportEach(ids("m", 0, 10), callback, analytics.metrics());
    assertEquals("dropped:SPOOL_ERROR", callback.outcomes.get("m5"));
    assertEquals(9, callback.count("dropped:SPOOLED"));
    Set<String> accepted = new HashSet<>(ids("m", 0, 10));
    accepted.remove("m5");
    assertEquals(accepted, restartAndDeliver());
  }

  @Test
  void onTheRealFileSystemAShortWriteLeftInPlaceIsSkippedAtRestartAndEverythingAcceptedIsSent() throws Exception {
    Path dir = temp.resolve("real");
    FaultyFileSystem real = FaultyFileSystem.onRealDirectories();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = SpoolFixtures.fileSystem(SpoolFixtures.client(dir, SpoolFixtures.down()), real.factory())
        .callback(callback).maxQueueSize(5).flushAt(5).build();
    for (String id : ids("m", 0, 5)) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    real.fail(Op.WRITE, "segment-", Fault.SHORT_WRITE, 1).fail(Op.TRUNCATE, "segment-", Fault.IO_ERROR, 1);
    assertFalse(analytics.offer(SpoolFixtures.message("torn")));
    for (String id : ids("m", 5, 10)) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    analytics.close(Duration.ZERO);
    assertOneReportEach(concat(ids("m", 0, 5), List.of("torn"), ids("m", 5, 10)), callback, analytics.metrics());
    int torn = 0;
    for (Path segment : SpoolFixtures.segments(dir)) {
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(segment));
      for (int offset : SpoolFixtures.recordOffsets(segment)) {
        if (offset + dev.analytics4j.internal.spool.RecordCodec.HEADER_BYTES + bytes.getInt(offset) > bytes.limit()) torn++;
      }
    }
    assertEquals(1, torn, "half a record is left at the end of a segment");

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics restarted = SpoolFixtures.client(dir, collector).build();
    FlushResult result = restarted.flush(Duration.ofSeconds(30));
    restarted.close();
    assertEquals(Internal.get().flushResult(true, 10, 0, 0).toString(), result.toString());
    assertEquals(new HashSet<>(ids("m", 0, 10)), collector.received.keySet());
    assertEquals(0, collector.duplicates());
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> list : lists) all.addAll(list);
    return all;
  }

  @Test
  void aFullDiskRefusesEachMessageWithOneReportUntilItHasRoomAgain() {
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(SpoolFixtures.down(), callback).build();
    for (String id : ids("m", 0, 3)) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    faults.failAlways(Op.WRITE, "", Fault.NO_SPACE).failAlways(Op.CREATE, "", Fault.NO_SPACE);
    for (String id : ids("m", 3, 20)) assertFalse(analytics.offer(SpoolFixtures.message(id)), id);
    faults.clear();
    for (String id : ids("m", 20, 25)) assertTrue(analytics.offer(SpoolFixtures.message(id)), id);
    analytics.close(Duration.ZERO);

    assertOneReportEach(ids("m", 0, 25), callback, analytics.metrics());
    assertEquals(17, callback.count("dropped:SPOOL_ERROR"));
    Set<String> accepted = new HashSet<>(ids("m", 0, 3));
    accepted.addAll(ids("m", 20, 25));
    assertEquals(accepted, restartAndDeliver());
  }

  @ParameterizedTest
  @EnumSource(value = Op.class, names = {"CREATE", "FORCE", "FORCE_DIRECTORY", "RENAME", "DELETE"})
  void anOperationThatFailsAtBuildFailsItClearlyAndTheNextBuildStarts(Op op) {
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    // A first client leaves messages and acknowledgements for the build under fault to find.
    RecordingCallback first = new RecordingCallback();
    Analytics leaving = client(SpoolFixtures.down(), first).build();
    for (String id : ids("m", 0, 8)) assertTrue(leaving.offer(SpoolFixtures.message(id)));
    leaving.close(Duration.ZERO);
    faults.failAlways(op, "", Fault.IO_ERROR);

    RecordingCallback callback = new RecordingCallback();
    Analytics built = null;
    try {
      built = client(collector, callback).spoolSync(SpoolSync.EVERY_WRITE).build();
    } catch (UncheckedIOException e) {
      assertTrue(e.getMessage().contains("injected I/O error"), e.getMessage());
    }
    if (built != null) built.close(Duration.ZERO);
    assertTrue(faults.injected.get() > 0 || built != null, op + " is used at build or not at all");
    assertEquals(new HashSet<>(ids("m", 0, 8)), restartAndDeliver());
  }

  @Test
  void aForceThatFailsUnderEveryWriteReportsEachMessageOnceAndAProcessCrashLosesNoneAccepted() {
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(SpoolFixtures.down(), callback).spoolSync(SpoolSync.EVERY_WRITE).build();
    faults.failAlways(Op.FORCE, "segment-", Fault.IO_ERROR);
    // docs/spool-format.md: a message whose own force fails is still accepted (its record is with
    // the operating system: a process crash keeps it, a power loss may not); one that needs the
    // segment it fills forced, to start the next, is refused with SPOOL_ERROR.
    Set<String> accepted = new HashSet<>();
    for (String id : ids("m", 0, 12)) {
      if (analytics.offer(SpoolFixtures.message(id))) accepted.add(id);
    }
    faults.clear();
    for (String id : ids("m", 12, 15)) {
      assertTrue(analytics.offer(SpoolFixtures.message(id)), "forces work again");
      accepted.add(id);
    }
    analytics.close(Duration.ZERO);
    assertTrue(faults.injected.get() > 0);
    assertOneReportEach(ids("m", 0, 15), callback, analytics.metrics());
    assertEquals(15 - accepted.size(), callback.count("dropped:SPOOL_ERROR"));
    assertTrue(accepted.containsAll(ids("m", 0, 5)), "forced within the first segment: " + accepted);
    assertEquals(accepted, restartAndDeliver());
  }

  @Test
  void aBacklogReadThatFailsOnceCostsNothing() throws Exception {
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    CountDownLatch open = new CountDownLatch(1);
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(SpoolFixtures.gated(collector, open), callback).build();
    List<String> offered = ids("m", 0, 30);
    for (String id : offered) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    assertTrue(analytics.metrics().spooledMessages() > 0, "a backlog on disk only");
    faults.fail(Op.READ, "segment-", Fault.IO_ERROR, 1);
    open.countDown();
    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    analytics.close();

    assertEquals(1, faults.injected.get());
    assertOneReportEach(offered, callback, analytics.metrics());
    assertEquals(Internal.get().flushResult(true, 30, 0, 0).toString(), result.toString());
    assertEquals(new HashSet<>(offered), collector.received.keySet());
    assertEquals(Set.of(), restartAndDeliver());
  }

  @Test
  void aVanishedDirectoryKeepsNewMessagesInMemoryAndEachIsReportedOnce() throws Exception {
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    CountDownLatch open = new CountDownLatch(1);
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(SpoolFixtures.gated(collector, open), callback).maxQueueSize(100).build();
    for (String id : ids("m", 0, 10)) assertTrue(analytics.offer(SpoolFixtures.message(id)));
    faults.vanish();
    for (String id : ids("m", 10, 20)) assertTrue(analytics.offer(SpoolFixtures.message(id)), id);
    open.countDown();
    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    analytics.close();

    assertEquals(Internal.get().flushResult(true, 20, 0, 0).toString(), result.toString());
    assertOneReportEach(ids("m", 0, 20), callback, analytics.metrics());
    assertEquals(new HashSet<>(ids("m", 0, 20)), collector.received.keySet());
    assertEquals(0, collector.duplicates());
    // What was written before the directory vanished: a client on it, were it put back, sends
    // only whole records that were enqueued (at least once: their acknowledgements had nowhere to go).
    assertTrue(ids("m", 0, 10).containsAll(restartAndDeliver()));
  }
}
