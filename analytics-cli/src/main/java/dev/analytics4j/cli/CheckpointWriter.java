package dev.analytics4j.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Writes the run's {@link Checkpoint} as lines become final, on a thread of its own: as soon as the
 * low-water mark has moved by a quarter of the in-flight {@code window} (so a kill re-sends the
 * lines in flight and at most a quarter window more, however fast the run), and at least every
 * second while anything changed (so a slow run loses at most a second of its work). It looks 20 times a second rather than on every settled line: a wake
 * per line would cost more than the look. A checkpoint that cannot be written stops the run: going
 * on would leave a resume starting further back with each hour, without a word.
 */
final class CheckpointWriter implements Runnable {
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Checkpoint checkpoint;
  private final long window;
  private final Stops stops;
  private final Ledger ledger;
  private volatile boolean finishing;
  private @Nullable Thread thread;
  /** What the file says now; only the writer's thread (then finish, after joining it) uses them. */
  private long writtenBelow;
  private long writtenVersion;
  private long writtenAt;

  CheckpointWriter(Checkpoint checkpoint, long window, Ledger ledger, Stops stops) {
    this.checkpoint = checkpoint;
    this.ledger = ledger;
    this.window = Math.max(1, window / 4);
    this.stops = stops;
    this.writtenBelow = checkpoint.finals.below();
    this.writtenVersion = checkpoint.finals.version();
  }

  /** A writer of {@code checkpoint} started on its own thread; null without a checkpoint. */
  static @Nullable CheckpointWriter start(@Nullable Checkpoint checkpoint, long window, Ledger ledger, Stops stops) {
    if (checkpoint == null) return null;
    CheckpointWriter writer = new CheckpointWriter(checkpoint, window, ledger, stops);
    writer.start();
    return writer;
  }

  void start() {
    writtenAt = System.nanoTime();
    Thread writer = new Thread(this, "analytics4j-import-checkpoint");
    writer.setDaemon(true);
    thread = writer;
    writer.start();
  }

  @Override
  public void run() {
    while (!finishing) {
      LockSupport.parkNanos(this, TICK_NANOS);
      if (finishing) return;
      FinalLines finals = checkpoint.finals;
      long below = finals.below();
      long version = finals.version();
      boolean moved = below - writtenBelow >= window;
      boolean stale = version != writtenVersion && System.nanoTime() - writtenAt >= MAX_AGE_NANOS;
      if (!moved && !stale) continue;
      if (!write(below, version)) return;
    }
  }

  private boolean write(long below, long version) {
    try {
      store();
      writtenBelow = below;
      writtenVersion = version;
      writtenAt = System.nanoTime();
      return true;
    } catch (IOException | RuntimeException e) {
      stops.stop(failed(e));
      return false;
    }
  }

  /**
   * The lines' fates are taken first, then the rejects file forced to disk: a line is marked final
   * only after its entry was written, so every line the checkpoint calls final is listed on disk.
   */
  private void store() throws IOException {
    byte[] content = checkpoint.encode();
    ledger.syncRejects();
    checkpoint.write(content);
  }

  private ImportResult.Stop failed(Exception e) {
    return new ImportResult.Stop(ImportResult.Stop.Kind.OUTPUT, "writing the checkpoint " + checkpoint.path
        + " failed (" + (e.getMessage() != null ? e.getMessage() : e.toString()) + "); the import stopped, "
        + "as a resume would not know what was delivered since", ImportResult.EXIT_INPUT);
  }

  /**
   * Stops the thread and writes the last version, or removes the checkpoint when every line up to
   * {@code lastOrdinal}, the last of the inputs ({@code allRead}), is final: nothing is left to
   * resume. Returns what the summary says about it.
   */
  String finish(boolean allRead, long lastOrdinal) throws InterruptedException {
    boolean complete = allRead && checkpoint.finals.below() > lastOrdinal;
    finishing = true;
    Thread writer = thread;
    if (writer != null) {
      LockSupport.unpark(writer);
      writer.join();
    }
    try {
      if (complete) {
        // Only once every rejected line's entry is on disk: otherwise the previous version stays,
        // and a resume lists again what the rejects file lost.
        ledger.syncRejects();
        checkpoint.delete();
        return "removed (every line has its final fate; nothing to resume)";
      }
      store();
      return checkpoint.path + " (continue with --resume: only lines not yet delivered or rejected are sent)";
    } catch (IOException | RuntimeException e) {
      stops.override(failed(e));
      return checkpoint.path + " could not be written; a resume starts from its previous version";
    }
  }
}
