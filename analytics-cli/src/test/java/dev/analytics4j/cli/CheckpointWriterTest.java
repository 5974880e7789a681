package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {
  @TempDir Path dir;

  private Checkpoint checkpoint(Path path) throws Exception {
    Path input = Files.writeString(dir.resolve("in.ndjson"), "{}\n");
    Checkpoint checkpoint = new Checkpoint(path, List.of(Checkpoint.identify(input)), "UTF-8", List.of("r.txt"),
        new FinalLines());
    checkpoint.create();
    return checkpoint;
  }

  /** Lines settled while it runs reach the file without waiting for the end: a kill keeps them. */
  @Test
  void writesAsTheMarkMovesAndLastAtTheEnd() throws Exception {
    Path path = dir.resolve("cp.txt");
    Checkpoint checkpoint = checkpoint(path);
    Ledger ledger = new Ledger(10, null, checkpoint.finals);
    Stops stops = new Stops(ledger);
    CheckpointWriter writer = CheckpointWriter.start(checkpoint, 10, ledger, stops);
    for (long i = 1; i <= 25; i++) ledger.blank(i);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Checkpoint.read(path).finals.below() < 11) {
      assertTrue(System.nanoTime() - deadline < 0, "the checkpoint was not written while the run went on");
      ledger.awaitUntil(() -> false, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
    }
    ledger.blank(30);
    assertTrue(writer.finish(true, 30).startsWith(path + " (continue with --resume"));
    Checkpoint read = Checkpoint.read(path);
    assertEquals(26, read.finals.below());
    assertEquals(1, read.finals.ranges().size());
    assertFalse(stops.stopped());
  }

  @Test
  void aCompleteRunRemovesItsCheckpoint() throws Exception {
    Path path = dir.resolve("cp.txt");
    Checkpoint checkpoint = checkpoint(path);
    Ledger ledger = new Ledger(10, null, checkpoint.finals);
    CheckpointWriter writer = CheckpointWriter.start(checkpoint, 10, ledger, new Stops(ledger));
    for (long i = 1; i <= 3; i++) ledger.blank(i);
    assertEquals("removed (every line has its final fate; nothing to resume)", writer.finish(true, 3));
    assertFalse(Files.exists(path));
  }

  /** A checkpoint that can no longer be written stops the run, saying why, instead of falling behind unseen. */
  @Test
  void aCheckpointThatCannotBeWrittenStopsTheRun() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path path = sub.resolve("cp.txt");
    Checkpoint checkpoint = checkpoint(path);
    Ledger ledger = new Ledger(10, null, checkpoint.finals);
    Stops stops = new Stops(ledger);
    CheckpointWriter writer = CheckpointWriter.start(checkpoint, 1, ledger, stops);
    Files.delete(path);
    Files.delete(sub); // where its next version would go
    ledger.blank(1);
    ledger.blank(2);
    assertTrue(ledger.awaitUntil(stops::stopped, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)));
    ImportResult.Stop stop = stops.get();
    assertEquals(ImportResult.Stop.Kind.OUTPUT, stop.kind);
    assertEquals(ImportResult.EXIT_INPUT, stop.exitCode);
    assertTrue(stop.reason.startsWith("writing the checkpoint " + path + " failed ("), stop.reason);
    assertTrue(stop.reason.endsWith("the import stopped, as a resume would not know what was delivered since"), stop.reason);
    assertTrue(writer.finish(false, 2).endsWith("could not be written; a resume starts from its previous version"));
  }

  /**
   * The disk fills while a run ends complete: the rejected line's entry never reached the rejects
   * file, so the checkpoint must stay (a resume lists it again) rather than be removed as if every
   * line had its final fate on record.
   */
  @Test
  void aCompleteRunKeepsItsCheckpointWhenTheRejectsFileCouldNotBeWritten() throws Exception {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.exists(full), "needs /dev/full (Linux) to fill the disk");
    Path path = dir.resolve("cp.txt");
    Checkpoint checkpoint = checkpoint(path);
    RejectsFile rejects = RejectsFile.onChannel(dir.resolve("rejects.txt"), FileChannel.open(full, StandardOpenOption.WRITE));
    Ledger ledger = new Ledger(10, rejects, checkpoint.finals);
    Stops stops = new Stops(ledger);
    CheckpointWriter writer = CheckpointWriter.start(checkpoint, 1000, ledger, stops);
    ledger.blank(1);
    ledger.reject(new Ledger.LineRef("in.ndjson", 2, 2), "invalid JSON");

    assertTrue(writer.finish(true, 2).endsWith("could not be written; a resume starts from its previous version"));
    assertTrue(Files.exists(path), "the checkpoint was removed though the rejected line is listed nowhere");
    assertEquals(1, Checkpoint.read(path).finals.below()); // its first version: nothing final yet
    ImportResult.Stop stop = stops.get();
    assertEquals(ImportResult.EXIT_INPUT, stop.exitCode);
    assertEquals("writing the checkpoint " + path + " failed (No space left on device); the import stopped, "
        + "as a resume would not know what was delivered since", stop.reason);
  }
}
