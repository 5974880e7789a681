package dev.analytics4j.internal;

import static dev.analytics4j.internal.SpoolFixtures.client;
import static dev.analytics4j.internal.SpoolFixtures.copyTree;
import static dev.analytics4j.internal.SpoolFixtures.leaveInSpool;
import static dev.analytics4j.internal.SpoolFixtures.message;
import static dev.analytics4j.internal.SpoolFixtures.names;
import static dev.analytics4j.internal.SpoolFixtures.recordOffsets;
import static dev.analytics4j.internal.SpoolFixtures.segments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.SchedulerLag;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.Transport;
import dev.analytics4j.Uninterruptibly;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable delivery: the spool behind {@link Analytics.Builder#spool}. */
class SpoolTest {
  @TempDir Path temp;

  private static List<String> ids(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  @Test
  void deliversThroughTheSpoolAndLeavesNoSegmentsBehind() throws Exception {
    Path dir = temp.resolve("spool");
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(dir, collector).callback(callback).build();
    for (String id : ids("m", 50)) analytics.enqueue(message(id));

    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    analytics.close();

    assertEquals(Internal.get().flushResult(true, 50, 0, 0).toString(), result.toString());
    assertEquals(new HashSet<>(ids("m", 50)), collector.received.keySet());
    assertEquals(0, collector.duplicates());
    assertEquals(50, callback.count("sent"));
    assertEquals(Arrays.asList("acks", "lock", "meta"), names(dir));
    assertEquals(0, Files.size(dir.resolve("acks")));
  }

  @Test
  void aClientOnTheSameDirectorySendsWhatTheLastOneLeft() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 20));

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    List<EncodedMessage> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
    Analytics second = client(dir, collector).callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        delivered.add(message);
      }
    }).build();
    assertEquals(20, second.metrics().recovered());
    FlushResult result = second.flush(Duration.ofSeconds(30));
    second.close();

    assertEquals(20, result.delivered());
    assertEquals(new HashSet<>(ids("m", 20)), collector.received.keySet());
    assertEquals(0, collector.duplicates());
    assertTrue(delivered.stream().allMatch(EncodedMessage::isRecovered), "recovered messages say so");
    Metrics metrics = second.metrics();
    assertEquals(20, metrics.enqueued());
    assertEquals(20, metrics.sent());
    assertTrue(segments(dir).isEmpty(), names(dir).toString());
  }

  @Test
  void closeLeavesWhatItCouldNotSendInTheSpoolReportedAsSpooled() throws Exception {
    Path dir = temp.resolve("spool");
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(dir, SpoolFixtures.down()).callback(callback)
        .maxQueueSize(10).flushAt(5).build();
    for (String id : ids("m", 100)) assertTrue(analytics.offer(message(id)));
    assertTrue(analytics.metrics().spooledMessages() > 0, "beyond the window, on disk only");

    SchedulerLag.assertClosesWithin(Duration.ofMillis(200), () -> analytics.close(Duration.ofMillis(200)));
    Metrics metrics = analytics.metrics();
    assertEquals(100, metrics.dropped(DropReason.SPOOLED), metrics.toString());
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped());
    assertEquals(100, callback.count("dropped:SPOOLED"));
    assertFalse(segments(dir).isEmpty());
  }

  @Test
  void anOutageLongerThanMemorySurvivesARestartInTheMiddle() throws Exception {
    Path dir = temp.resolve("spool");
    Analytics first = SpoolFixtures.segmentBytes(client(dir, SpoolFixtures.down()).maxQueueSize(20).flushAt(10),
        16 * 1024).build();
    for (String id : ids("a", 500)) assertTrue(first.offer(message(id)));
    Metrics during = first.metrics();
    assertTrue(during.queuedMessages() <= 20, during.toString());
    assertTrue(during.spooledMessages() >= 480, during.toString());
    first.close(Duration.ZERO);

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    collector.failFirst.set(5);
    RecordingCallback callback = new RecordingCallback();
    Analytics second = SpoolFixtures.segmentBytes(client(dir, collector).callback(callback).maxQueueSize(20)
        .flushAt(10), 16 * 1024).build();
    for (String id : ids("b", 300)) assertTrue(second.offer(message(id)));
    FlushResult result = second.flush(Duration.ofSeconds(60));
    second.close();

    assertEquals(800, result.delivered(), result.toString());
    Set<String> expected = new HashSet<>(ids("a", 500));
    expected.addAll(ids("b", 300));
    assertEquals(expected, collector.received.keySet());
    assertEquals(0, collector.duplicates(), "each sent once");
    assertEquals(800, callback.count("sent"));
    assertTrue(segments(dir).isEmpty(), names(dir).toString());
  }

  @Test
  void aFullBudgetDropsNewMessagesWithSpoolFullAndRecoversOnceSent() throws Exception {
    Path dir = temp.resolve("spool");
    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Transport gated = SpoolFixtures.gated(collector, open);
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(dir, gated).callback(callback).maxQueueSize(10).flushAt(10)
        .spoolMaxBytes(128 * 1024).build();
    String padding = String.join("", Collections.nCopies(1000, "x"));
    int accepted = 0;
    int i = 0;
    while (true) {
      boolean ok = analytics.offer(message("m" + i++).properties(Collections.singletonMap("pad", padding)));
      if (!ok) break;
      accepted++;
    }
    assertTrue(accepted > 50 && accepted < 130, "accepted " + accepted);
    assertEquals(1, analytics.metrics().dropped(DropReason.SPOOL_FULL));
    assertEquals(1, callback.count("dropped:SPOOL_FULL"));
    assertTrue(analytics.metrics().spoolBytes() <= 128 * 1024);

    open.countDown();
    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    assertEquals(accepted, result.delivered(), result.toString());
    assertTrue(analytics.offer(message("after")), "room again once sent");
    assertEquals(1, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
  }

  @Test
  void aSecondClientOnTheSameDirectoryIsRefused() throws Exception {
    Path dir = temp.resolve("spool");
    Analytics first = client(dir, new SpoolFixtures.Collector()).build();
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> client(dir, new SpoolFixtures.Collector()).build());
      assertEquals("spool directory " + dir.toRealPath() + " is in use by another client in this JVM: one "
          + "client per directory (close it first, or give each client its own directory)", e.getMessage());
    } finally {
      first.close();
    }
    client(dir, new SpoolFixtures.Collector()).build().close();
  }

  @Test
  void aClientWithAnotherWriteKeyIsRefusedAndTheKeyIsNeverWritten() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 3));

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Analytics.builder("another-key").transport(new SpoolFixtures.Collector()).spool(dir)
            .shutdownHook(false).build());
    assertTrue(e.getMessage().startsWith("spool directory " + dir.toRealPath() + " holds messages of "
        + "another write key"), e.getMessage());
    for (String name : names(dir)) {
      String content = new String(Files.readAllBytes(dir.resolve(name)), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertFalse(content.contains("spool-key"), name + " holds the write key");
    }
    // The refused client released the lock: the right key still works.
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics right = client(dir, collector).build();
    assertEquals(3, right.flush(Duration.ofSeconds(30)).delivered());
    right.close();
  }

  @Test
  void filesAreReadableByTheOwnerOnly() throws Exception {
    Path dir = temp.resolve("spool");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.getFileStore(temp).supportsFileAttributeView("posix"), "POSIX file system");
    leaveInSpool(dir, ids("m", 3));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    for (String name : names(dir)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))), name);
    }
  }

  @Test
  void aTornLastRecordIsSkippedAtEveryByteOffset() throws Exception {
    Path template = temp.resolve("template");
    leaveInSpool(template, ids("m", 3));
    Path segment = segments(template).get(0);
    List<Integer> offsets = recordOffsets(segment);
    assertEquals(3, offsets.size());
    int lastStart = offsets.get(2);
    long size = Files.size(segment);

    for (long cut = lastStart; cut < size; cut++) {
      Path dir = temp.resolve("cut-" + cut);
      copyTree(template, dir);
      try (FileChannel channel = FileChannel.open(dir.resolve(segment.getFileName()), StandardOpenOption.WRITE)) {
        channel.truncate(cut);
      }
      SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
      Analytics analytics = client(dir, collector).build();
      assertEquals(2, analytics.metrics().recovered(), "cut at " + cut);
      assertEquals(2, analytics.flush(Duration.ofSeconds(30)).delivered(), "cut at " + cut);
      analytics.close();
      assertEquals(new HashSet<>(ids("m", 2)), collector.received.keySet(), "cut at " + cut);
      assertTrue(segments(dir).isEmpty(), "cut at " + cut + ": " + names(dir));
    }
  }

  @Test
  void aCorruptByteInTheMiddleIsQuarantinedAndTheRestDelivered() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 5));
    Path segment = segments(dir).get(0);
    List<Integer> offsets = recordOffsets(segment);
    byte[] bytes = Files.readAllBytes(segment);
    int target = offsets.get(2) + dev.analytics4j.internal.spool.RecordCodec.HEADER_BYTES + 20;
    bytes[target] ^= 0x5a;
    Files.write(segment, bytes);

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics analytics = client(dir, collector).build();
    assertEquals(4, analytics.metrics().recovered());
    assertEquals(4, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();

    assertEquals(new HashSet<>(Arrays.asList("m0", "m1", "m3", "m4")), collector.received.keySet());
    List<String> quarantined = names(dir).stream().filter(n -> n.startsWith("quarantine-")).collect(Collectors.toList());
    assertEquals(1, quarantined.size(), names(dir).toString());
    assertEquals(offsets.get(3) - offsets.get(2), Files.size(dir.resolve(quarantined.get(0))));
  }

  @Test
  void aSegmentDeletedBetweenRunsIsNoObstacle() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 5));
    for (Path segment : segments(dir)) Files.delete(segment);

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics analytics = client(dir, collector).build();
    assertEquals(0, analytics.metrics().recovered());
    analytics.enqueue(message("new"));
    assertEquals(1, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
    assertEquals(new HashSet<>(Arrays.asList("new")), collector.received.keySet());
  }

  @Test
  void aSegmentDeletedUnderARunningClientIsStillSent() throws Exception {
    Path dir = temp.resolve("spool");
    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Transport gated = SpoolFixtures.gated(collector, open);
    Analytics analytics = client(dir, gated).maxQueueSize(10).flushAt(10).build();
    for (String id : ids("m", 100)) assertTrue(analytics.offer(message(id)));
    for (Path segment : segments(dir)) Files.delete(segment);
    open.countDown();
    assertEquals(100, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
    assertEquals(new HashSet<>(ids("m", 100)), collector.received.keySet());
  }

  @Test
  void aDirectoryRemovedUnderTheClientIsNeverWrittenAgainAndItsMessagesAreStillSentFromMemory() throws Exception {
    Path dir = temp.resolve("spool");
    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = SpoolFixtures.segmentBytes(client(dir, SpoolFixtures.gated(collector, open)).callback(callback)
        .maxQueueSize(50).flushAt(10), 4096).build();
    for (String id : ids("before", 200)) assertTrue(analytics.offer(message(id)));
    // Gone, as a tmp cleaner does it, then made again, as the next process on the path would.
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) Files.delete(file);
    }
    Files.delete(dir);
    Files.createDirectories(dir);

    int accepted = 0;
    for (String id : ids("after", 40)) if (analytics.offer(message(id))) accepted++;
    assertEquals(Collections.emptyList(), names(dir), "nothing is created in the new directory");
    open.countDown();
    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    analytics.close();
    assertEquals(Collections.emptyList(), names(dir), "nothing is written into the new directory");
    // Written before: read back through the open files; after: kept in memory, up to the window.
    assertEquals(200 + accepted, result.delivered(), result.toString());
    assertEquals(200 + accepted, collector.received.size());
    assertEquals(40 - accepted, callback.count("dropped:QUEUE_FULL"));
    assertEquals(0, callback.count("dropped:SPOOLED"));
    assertEquals(0, analytics.metrics().dropped(DropReason.SPOOLED));
  }

  @Test
  void aClientThatLostOnlyItsLockLeavesWhatItWroteSpooledAndWhatItHeldInMemoryCloseTimeout() throws Exception {
    Path dir = temp.resolve("spool");
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(dir, SpoolFixtures.down()).callback(callback).maxQueueSize(100).flushAt(20).build();
    List<String> written = ids("m", 60);
    for (String id : written) assertTrue(analytics.offer(message(id)));
    Files.delete(dir.resolve("lock"));
    assertFalse(Internal.get().pipeline(analytics).spool.keepsForNextClient(), "detached");
    List<String> inMemory = ids("n", 30);
    for (String id : inMemory) assertTrue(analytics.offer(message(id)));
    CompletableFuture<FlushResult> flush = analytics.flush();
    analytics.close(Duration.ZERO);

    assertEquals(List.of(), callback.duplicates);
    assertEquals(90, callback.outcomes.size(), callback.outcomes.toString());
    for (String id : written) assertEquals("dropped:SPOOLED", callback.outcomes.get(id), id);
    long lost = inMemory.stream().filter(id -> callback.outcomes.get(id).equals("dropped:CLOSE_TIMEOUT")).count();
    long failed = inMemory.stream().filter(id -> callback.outcomes.get(id).equals("failed")).count();
    assertEquals(30, lost + failed, callback.outcomes.toString());
    assertEquals(Internal.get().flushResult(true, 0, failed, 60 + lost).toString(),
        flush.get(30, TimeUnit.SECONDS).toString());
    Metrics metrics = analytics.metrics();
    assertEquals(60, metrics.dropped(DropReason.SPOOLED));
    assertEquals(lost, metrics.dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals(failed, metrics.failed());

    // The records stayed: the next client sends exactly the messages reported SPOOLED.
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics next = client(dir, collector).build();
    assertEquals(Internal.get().flushResult(true, 60, 0, 0).toString(), next.flush(Duration.ofSeconds(30)).toString());
    next.close();
    assertEquals(new HashSet<>(written), collector.received.keySet());
  }

  @Test
  void concurrentProducersThroughASmallWindowAndAFlakyCollectorGetEveryMessageReportedOnce() throws Exception {
    Path dir = temp.resolve("spool");
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    Transport flaky = request -> {
      if (calls.incrementAndGet() % 3 == 0) throw new java.net.ConnectException("every third request fails");
      return collector.send(request);
    };
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = SpoolFixtures.segmentBytes(client(dir, flaky).callback(callback).maxQueueSize(50).flushAt(20)
        .flushInterval(Duration.ofMillis(5)).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)), 8 * 1024).build();
    int producers = 4;
    int each = 2_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(producers);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String prefix = "p" + p + "-";
      done.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) assertTrue(analytics.offer(message(prefix + i)));
      }));
    }
    for (java.util.concurrent.Future<?> future : done) future.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    FlushResult result = analytics.flush(Duration.ofSeconds(60));
    analytics.close();

    assertEquals(producers * each, result.delivered(), result.toString());
    assertEquals(producers * each, callback.count("sent"));
    assertEquals(List.of(), callback.duplicates);
    assertEquals(producers * each, collector.received.size());
    assertEquals(0, collector.duplicates(), "a refused request delivered nothing, so nothing is sent twice");
    Metrics metrics = analytics.metrics();
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped());
    assertTrue(segments(dir).isEmpty(), names(dir).toString());
  }

  @Test
  void spoolSettingsAreChecked() {
    Analytics.Builder builder = Analytics.builder("k");
    assertEquals("spoolMaxBytes must be at least 131072: 1000",
        assertThrows(IllegalArgumentException.class, () -> builder.spoolMaxBytes(1000)).getMessage());
    assertEquals("directory == null",
        assertThrows(NullPointerException.class, () -> builder.spool(null)).getMessage());
    assertEquals("interval must be positive: PT0S",
        assertThrows(IllegalArgumentException.class, () -> SpoolSync.interval(Duration.ZERO)).getMessage());
  }

  @Test
  void everySyncPolicyDelivers() throws Exception {
    List<SpoolSync> policies = new ArrayList<>(Arrays.asList(SpoolSync.NONE, SpoolSync.EVERY_WRITE,
        SpoolSync.interval(Duration.ofMillis(5))));
    for (SpoolSync policy : policies) {
      Path dir = temp.resolve("spool-" + policies.indexOf(policy));
      SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
      Analytics analytics = client(dir, collector).spoolSync(policy).build();
      for (String id : ids("m", 30)) analytics.enqueue(message(id));
      assertEquals(30, analytics.flush(Duration.ofSeconds(30)).delivered(), policy.toString());
      analytics.close();
      assertEquals(30, collector.received.size(), policy.toString());
    }
  }
  @Test
  void closeKeepsItsDeadlineWhileAListenerBlocksOnARecoveredMessage() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 5));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingCallback callback = new RecordingCallback();
    Analytics second = client(dir, new SpoolFixtures.Collector()).callback(callback)
        .listener(new AnalyticsListener() {
          @Override
          public void messageEnqueued(EncodedMessage message) {
            if (!message.isRecovered()) return;
            entered.countDown();
            // Deaf to interrupts, as a listener blocked on a lock or a socket is.
            Uninterruptibly.await(release);
          }
        }).build();
    try {
      assertTrue(entered.await(30, TimeUnit.SECONDS), "the listener is told of the first recovered message");
      CompletableFuture<Void> closed = new CompletableFuture<>();
      Thread closer = new Thread(() -> {
        second.close(Duration.ofMillis(100));
        closed.complete(null);
      }, "closer");
      closer.start();
      // Close promises its deadline plus half a second whatever listeners do; 30 s only tells a
      // close that waits for the listener from one that does not.
      closed.get(30, TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
    assertEquals(5, callback.count("dropped:SPOOLED"), callback.outcomes.toString());
    assertEquals(5, callback.outcomes.size());
    assertEquals(5, second.metrics().dropped(DropReason.SPOOLED));
  }
  @Test
  void buildOnAnInterruptedThreadOpensTheSpoolAndKeepsTheInterrupt() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 5));
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics second;
    Thread.currentThread().interrupt();
    try {
      second = client(dir, collector).build();
    } finally {
      assertTrue(Thread.interrupted(), "the interrupt status is kept, and cleared here");
    }
    assertEquals(5, second.metrics().recovered());
    assertEquals(Internal.get().flushResult(true, 5, 0, 0).toString(), second.flush(Duration.ofSeconds(30)).toString());
    assertTrue(Internal.get().pipeline(second).spool.keepsForNextClient(), "it still holds the directory");
    second.close();
    assertEquals(new HashSet<>(ids("m", 5)), collector.received.keySet());
  }
}
