package dev.analytics4j.internal;

import static dev.analytics4j.internal.SpoolFixtures.client;
import static dev.analytics4j.internal.SpoolFixtures.leaveInSpool;
import static dev.analytics4j.internal.SpoolFixtures.message;
import static dev.analytics4j.internal.SpoolFixtures.names;
import static dev.analytics4j.internal.SpoolFixtures.recordOffsets;
import static dev.analytics4j.internal.SpoolFixtures.segments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.DropReason;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.SchedulerLag;
import dev.analytics4j.internal.spool.RecordCodec;
import dev.analytics4j.messages.Message;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What operators, tmp cleaners and disks do to a spool directory: a damaged meta file, planted
 * links, loose permissions, oversized files, a segment cut short under a running client, and a close
 * that leaves a large backlog.
 */
class SpoolOperatorsTest {
  @TempDir Path temp;

  private static List<String> ids(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  private static void assumePosix(Path path) throws Exception {
    Assumptions.assumeTrue(Files.getFileStore(path).supportsFileAttributeView("posix"), "POSIX file system");
  }

  @Test
  void aDirectoryRemovedAndMadeAgainHasOneOwnerTheNextClientAndTheOldOneLosesNothingItAccepted() throws Exception {
    Path dir = temp.resolve("spool");
    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector oldCollector = new SpoolFixtures.Collector();
    RecordingCallback oldCallback = new RecordingCallback();
    Analytics old = SpoolFixtures.segmentBytes(client(dir, SpoolFixtures.gated(oldCollector, open)).callback(oldCallback)
        .maxQueueSize(1_000).flushAt(50), 8 * 1024).build();
    int oldAccepted = 0;
    for (String id : ids("old", 3_000)) if (old.offer(message(id))) oldAccepted++;
    assertEquals(3_000, oldAccepted);
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) Files.delete(file);
    }
    Files.delete(dir);

    // The next process on the path (here a client of the same JVM) becomes its only owner.
    SpoolFixtures.Collector newCollector = new SpoolFixtures.Collector();
    Analytics next = SpoolFixtures.segmentBytes(client(dir, newCollector), 8 * 1024).build();
    for (String id : ids("new", 500)) assertTrue(next.offer(message(id)));
    for (String id : ids("later", 1_000)) if (old.offer(message(id))) oldAccepted++;

    open.countDown();
    FlushResult oldResult = old.flush(Duration.ofSeconds(60));
    old.close();
    assertEquals(500, next.flush(Duration.ofSeconds(60)).delivered());
    next.close();

    assertEquals(oldAccepted, oldResult.delivered(), oldResult.toString());
    assertEquals(oldAccepted, oldCollector.received.size());
    assertEquals(4_000 - oldAccepted, oldCallback.count("dropped:QUEUE_FULL"));
    assertEquals(0, oldCallback.count("dropped:SPOOLED"));
    assertEquals(new HashSet<>(ids("new", 500)), newCollector.received.keySet(), "only the new owner's messages");
    assertEquals(List.of("acks", "lock", "meta"), names(dir), "the old client left nothing in the new directory");
  }

  @ParameterizedTest
  @ValueSource(strings = {"deleted", "empty", "zeroed", "format line only", "cut in its key line"})
  void aDirectoryWithMessagesAndNoReadableKeyIsRefusedForAnyKey(String damage) throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 200));
    Path meta = dir.resolve("meta");
    String whole = new String(Files.readAllBytes(meta), StandardCharsets.UTF_8);
    switch (damage) {
      case "deleted": Files.delete(meta); break;
      case "empty": Files.write(meta, new byte[0]); break;
      case "zeroed": Files.write(meta, new byte[whole.length()]); break;
      case "format line only": Files.write(meta, "analytics4j spool\nformat 1\n".getBytes(StandardCharsets.UTF_8)); break;
      default: Files.write(meta, whole.substring(0, whole.length() - 10).getBytes(StandardCharsets.UTF_8)); break;
    }

    for (String key : new String[] {"another-key", "spool-key"}) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> Analytics.builder(key).transport(SpoolFixtures.down()).spool(dir).shutdownHook(false).build());
      assertTrue(refused.getMessage().startsWith("spool directory " + dir.toRealPath() + " holds messages, but its meta file "),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("move the segment-* files into that directory"), refused.getMessage());
    }
    assertEquals(200, segments(dir).stream().mapToLong(s -> {
      try {
        return recordOffsets(s).size();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).sum(), "the messages are left as they were");

    // What the error says to do, done: the messages go out under their own key.
    Path fresh = temp.resolve("fresh");
    client(fresh, SpoolFixtures.down()).build().close();
    for (Path segment : segments(dir)) Files.move(segment, fresh.resolve(segment.getFileName()));
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics analytics = client(fresh, collector).build();
    assertEquals(200, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
    assertEquals(new HashSet<>(ids("m", 200)), collector.received.keySet());
  }

  @Test
  void aDamagedMetaInADirectoryWithoutMessagesIsWrittenAgain() throws Exception {
    Path dir = temp.resolve("spool");
    client(dir, SpoolFixtures.down()).build().close();
    Files.write(dir.resolve("meta"), new byte[0]);
    Files.write(dir.resolve("meta.tmp"), "left by a crash".getBytes(StandardCharsets.UTF_8));

    client(dir, SpoolFixtures.down()).build().close();

    assertTrue(new String(Files.readAllBytes(dir.resolve("meta")), StandardCharsets.UTF_8).contains("key-sha256 "));
    assertTrue(!Files.exists(dir.resolve("meta.tmp")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"meta", "acks"})
  void aDirectoryHoldingAMetaOrAcksFileNoSpoolWroteIsRefusedAndLeftAsItWas(String name) throws Exception {
    // An application's own directory given to spool(...) by mistake: its files are not the spool's
    // to overwrite.
    Path dir = temp.resolve("app");
    Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    byte[] own = "owner=alice\nquota=12\n".getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(name), own);

    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> client(dir, SpoolFixtures.down()).build());

    assertEquals("spool directory " + dir.toRealPath() + " holds a file named " + name + " that no spool "
        + "wrote, which the client would overwrite: give the client a directory of its own",
        refused.getMessage());
    assertEquals(new String(own, StandardCharsets.UTF_8),
        new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8));
    assertEquals(name.equals("meta") ? List.of("lock", "meta") : List.of("acks", "lock"), names(dir));
  }

  @Test
  void aRecordWhoseSeqItsPlaceInTheSegmentCannotHaveIsSetAsideNotSent() throws Exception {
    // A record whose checksum holds but whose seq lies two billion past its segment's base: no
    // writer makes one (a segment's records are numbered from its base, one per record), and
    // taking it would size recovery's bookkeeping by the seq instead of by the file.
    Path dir = temp.resolve("spool");
    client(dir, SpoolFixtures.down()).build().close();
    java.io.ByteArrayOutputStream segment = new java.io.ByteArrayOutputStream();
    long[] seqs = {0, 2_000_000_000L, 1};
    String[] idsOf = {"a", "planted", "b"};
    for (int i = 0; i < seqs.length; i++) {
      byte[] id = idsOf[i].getBytes(StandardCharsets.UTF_8);
      byte[] json = ("{\"type\":\"track\",\"messageId\":\"" + idsOf[i] + "\",\"event\":\"E\",\"userId\":\"u\"}")
          .getBytes(StandardCharsets.UTF_8);
      java.nio.ByteBuffer record = RecordCodec.encode(java.nio.ByteBuffer.allocate(256), seqs[i],
          Message.Type.TRACK, id, json);
      segment.write(record.array(), 0, record.limit());
    }
    Files.write(dir.resolve("segment-0000000000000000.log"), segment.toByteArray());

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics analytics = client(dir, collector).build();
    assertEquals(2, analytics.metrics().recovered());
    assertEquals("FlushResult{complete=true, delivered=2, failed=0, dropped=0}",
        analytics.flush(Duration.ofSeconds(30)).toString());
    analytics.close();
    assertEquals(new HashSet<>(List.of("a", "b")), collector.received.keySet());
    assertTrue(names(dir).stream().anyMatch(name -> name.startsWith("quarantine-0000000000000000-")), names(dir).toString());
  }

  @Test
  void noFileOutsideTheDirectoryIsWrittenThroughAPlantedLink() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 5));
    Path segment = segments(dir).get(0);
    List<Integer> offsets = recordOffsets(segment);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[offsets.get(2) + RecordCodec.HEADER_BYTES + 20] ^= 0x5a;
    Files.write(segment, bytes);
    Path victim = temp.resolve("victim.txt");
    Files.write(victim, "the user's file".getBytes(StandardCharsets.UTF_8));
    // Each name recovery or the client will write: the quarantine copy, the acks rewrite, meta's.
    Files.createSymbolicLink(dir.resolve("quarantine-0000000000000000-" + offsets.get(2) + ".bin"), victim);
    Files.createSymbolicLink(dir.resolve("acks.tmp"), victim);
    Files.createSymbolicLink(dir.resolve("meta.tmp"), victim);
    Files.createSymbolicLink(dir.resolve("segment-0000000000000005.log"), victim);

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics analytics = client(dir, collector).build();
    analytics.enqueue(message("new"));
    assertEquals(5, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();

    assertEquals("the user's file", new String(Files.readAllBytes(victim), StandardCharsets.UTF_8));
    assertEquals(new HashSet<>(List.of("m0", "m1", "m3", "m4", "new")), collector.received.keySet());
    List<String> names = names(dir);
    assertTrue(names.contains("quarantine-0000000000000000-" + offsets.get(2) + ".bin.1"), names.toString());
    assertTrue(names.contains("quarantine-segment-0000000000000005.log"), "the planted link is set aside: " + names);
    assertTrue(Files.isSymbolicLink(dir.resolve("quarantine-segment-0000000000000005.log")));
  }

  @Test
  void aLinkPlantedAsTheNextSegmentIsLeftAloneAndTheSpoolGoesOnPastIt() throws Exception {
    Path dir = temp.resolve("spool");
    Path victim = temp.resolve("victim.txt");
    Files.write(victim, "the user's file".getBytes(StandardCharsets.UTF_8));
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = SpoolFixtures.segmentBytes(client(dir, collector).callback(callback), 4096).build();
    analytics.enqueue(message("first"));
    String writing = segments(dir).get(0).getFileName().toString();
    long base = Long.parseLong(writing.substring("segment-".length(), writing.length() - ".log".length()));
    for (long next = base + 1; next < base + 40; next++) {
      Files.createSymbolicLink(dir.resolve(String.format("segment-%016d.log", next)), victim);
    }
    for (String id : ids("m", 100)) assertTrue(analytics.offer(message(id)), id);
    assertEquals(101, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
    assertEquals("the user's file", new String(Files.readAllBytes(victim), StandardCharsets.UTF_8));
    assertEquals(101, callback.count("sent"));
  }

  @Test
  void aDirectoryOthersCanWriteIsTightenedWhenItIsOurs() throws Exception {
    assumePosix(temp);
    Path dir = Files.createDirectory(temp.resolve("spool"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    client(dir, SpoolFixtures.down()).build().close();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void aDirectoryOthersCanWriteIsRefusedWhenItIsNotOurs() throws Exception {
    assumePosix(temp);
    UserPrincipal nobody;
    try {
      nobody = temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    } catch (Exception e) {
      nobody = null;
    }
    Assumptions.assumeTrue(nobody != null, "a user named nobody");
    Path dir = Files.createDirectory(temp.resolve("spool"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try {
      Files.setOwner(dir, nobody);
    } catch (Exception e) {
      Assumptions.abort("cannot give the directory away (not root): " + e);
    }
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> client(dir, SpoolFixtures.down()).build());
    assertEquals("spool directory " + dir.toRealPath() + " is rwxrwxrwx and owned by nobody, not by this "
        + "process's user: others could read its messages or plant files in it. Give the client a "
        + "directory of its own (one it creates is rwx------), or make this one rwx------", refused.getMessage());
    assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void aLinkPlantedAsTheLockFileIsRefused() throws Exception {
    Path dir = temp.resolve("spool");
    client(dir, SpoolFixtures.down()).build().close();
    Path victim = temp.resolve("victim.txt");
    Files.write(victim, "the user's file".getBytes(StandardCharsets.UTF_8));
    Files.delete(dir.resolve("lock"));
    Files.createSymbolicLink(dir.resolve("lock"), victim);
    UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> client(dir, SpoolFixtures.down()).build());
    assertTrue(refused.getMessage().contains("is not a regular file"), refused.getMessage());
    assertEquals("the user's file", new String(Files.readAllBytes(victim), StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void oversizedSparseFilesAreSetAsideAndTheirGoodNeighboursSent() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("m", 100));
    long threeGiB = 3L * 1024 * 1024 * 1024;
    try (RandomAccessFile acks = new RandomAccessFile(dir.resolve("acks").toFile(), "rw")) {
      acks.setLength(threeGiB);
    }
    try (RandomAccessFile planted = new RandomAccessFile(dir.resolve("segment-0000000000009999.log").toFile(), "rw")) {
      planted.setLength(threeGiB);
    }
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    long start = System.nanoTime();
    Analytics analytics = client(dir, collector).build();
    long buildMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(100, analytics.metrics().recovered());
    assertEquals(100, analytics.flush(Duration.ofSeconds(30)).delivered());
    analytics.close();
    assertEquals(new HashSet<>(ids("m", 100)), collector.received.keySet());
    List<String> names = names(dir);
    assertTrue(names.contains("quarantine-acks"), names.toString());
    assertTrue(names.contains("quarantine-segment-0000000000009999.log"), names.toString());
    assertTrue(buildMillis < 10_000, "build took " + buildMillis + " ms");
  }

  @Test
  void aLowerBudgetNeverSetsAsideSegmentsWrittenWithAHigherOne() throws Exception {
    Path dir = temp.resolve("spool");
    RecordingCallback first = new RecordingCallback();
    Analytics big = client(dir, SpoolFixtures.down()).callback(first).spoolMaxBytes(64L * 1024 * 1024).build();
    for (String id : ids("m", 3_000)) assertTrue(big.offer(message(id)));
    big.close(Duration.ZERO);
    assertTrue(Files.size(segments(dir).get(0)) > 256 * 1024, "a segment larger than the next client's budget");

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics small = client(dir, collector).spoolMaxBytes(256 * 1024).build();
    assertEquals(3_000, small.metrics().recovered());
    assertEquals(3_000, small.flush(Duration.ofSeconds(60)).delivered());
    small.close();
    assertEquals(3_000, collector.received.size());
    assertTrue(names(dir).stream().noneMatch(n -> n.startsWith("quarantine-")), names(dir).toString());
  }

  @Test
  void aBacklogSegmentCutToHalfUnderTheClientCostsOnlyTheRecordsPastTheCut() throws Exception {
    Path dir = temp.resolve("spool");
    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = SpoolFixtures.segmentBytes(client(dir, SpoolFixtures.gated(collector, open)).callback(callback)
        .maxQueueSize(10).flushAt(10), 64 * 1024).build();
    for (String id : ids("m", 1_000)) assertTrue(analytics.offer(message(id)));
    List<Path> segments = segments(dir);
    assertTrue(segments.size() >= 3, segments.toString());
    Path victim = segments.get(1);
    List<Integer> offsets = recordOffsets(victim);
    long size = Files.size(victim);
    long cut = size / 2;
    long lost = offsets.stream().filter(at -> at + RecordCodec.HEADER_BYTES + readLength(victim, at) > cut).count();
    try (FileChannel channel = FileChannel.open(victim, StandardOpenOption.WRITE)) {
      channel.truncate(cut);
    }

    open.countDown();
    FlushResult result = analytics.flush(Duration.ofSeconds(60));
    analytics.close();

    assertEquals(1_000 - lost, result.delivered(), result.toString());
    assertEquals(lost, result.dropped(), result.toString());
    assertEquals(lost, analytics.metrics().dropped(DropReason.SPOOL_ERROR));
    assertEquals(1_000 - lost, callback.count("sent"));
    assertEquals(1_000 - lost, collector.received.size());
    assertEquals(0, collector.duplicates());

    SpoolFixtures.Collector next = new SpoolFixtures.Collector();
    Analytics again = client(dir, next).build();
    assertEquals(0, again.metrics().recovered(), "nothing counted lost is sent later, nothing sent is sent again");
    again.close();
  }

  private static int readLength(Path segment, int at) {
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
      java.nio.ByteBuffer length = java.nio.ByteBuffer.allocate(4);
      channel.read(length, at);
      return length.getInt(0);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void closeWithALargeBacklogTellsTheCallbackExactlyWhatItCountsAndReturnsInTime() throws Exception {
    Path dir = temp.resolve("spool");
    RecordingCallback callback = new RecordingCallback();
    int total = 150_000;
    Analytics analytics = client(dir, SpoolFixtures.down()).callback(callback).maxQueueSize(100).build();
    for (int i = 0; i < total; i++) assertTrue(analytics.offer(message("m" + i)));

    SchedulerLag.assertClosesWithin(Duration.ZERO, () -> analytics.close(Duration.ZERO));

    Metrics metrics = analytics.metrics();
    long told = callback.count("dropped:SPOOLED");
    assertEquals(told, metrics.dropped(DropReason.SPOOLED), "counted and told never differ");
    assertEquals(total, told + metrics.spooledMessages(), metrics.toString());
    assertEquals(callback.outcomes.size(), told, "nothing else was reported");

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics next = client(dir, collector).build();
    assertEquals(total, next.metrics().recovered(), "the next client has every one of them");
    next.close(Duration.ZERO);
  }
}
