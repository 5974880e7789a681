package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing the rejects on the local file system, whose rename replaces a file by default. */
class RejectsTest {
  private static final String QUERY = "q-1";

  @TempDir Path dir;

  /** A committed attempt of partition 0 whose rejects file holds one line. */
  private TaskCounts committed(long taskId) throws Exception {
    Path temporary = Files.createDirectories(dir.resolve("_temporary").resolve(QUERY));
    Path file = Files.writeString(temporary.resolve("part-0-task-" + taskId + ".jsonl"), "{\"outcome\":\"rejected\"}\n");
    TaskCounts task = new TaskCounts(0, taskId, 0);
    task.rows = 1;
    task.rejected = 1;
    task.rejectsFile = file.toUri().toString();
    return task;
  }

  @Test
  void publishingNeverReplacesAFileThatIsThereAlready() throws Exception {
    Path users = Files.writeString(dir.resolve("rejects-" + QUERY + "-part-00000.jsonl"), "the user's own\n");
    WriterCommitMessage[] messages = {committed(7)};

    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> Rejects.publish(dir.toString(), Map.of(), new JobSummary(QUERY, 1, messages), messages, false));

    assertTrue(e.getCause().getMessage().contains("does it exist already?"), e.getCause().getMessage());
    assertEquals("the user's own\n", Files.readString(users, StandardCharsets.UTF_8));
  }

  @Test
  void aRejectsPathThatCannotHoldTheFilesIsRefusedNamingTheOption() throws Exception {
    Rejects.checkDirectory(dir.toString(), Map.of());
    Rejects.checkDirectory(dir.resolve("not-yet").toString(), Map.of());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Rejects.checkDirectory("", Map.of()));
    assertEquals("option rejectsPath is not a path:  (Can not create a Path from an empty string)", empty.getMessage());
    IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
        () -> Rejects.checkDirectory("nosuchfs://bucket/rejects", Map.of()));
    assertTrue(scheme.getMessage().startsWith("option rejectsPath cannot be used: nosuchfs://bucket/rejects ("),
        scheme.getMessage());
  }

  @Test
  void aWriteThatFailedInTheClientsCallbackFailsTheCommit() throws Exception {
    // Where the attempt's file goes, a file: creating it fails.
    Files.writeString(Files.createDirectories(dir.resolve("_temporary")).resolve(QUERY), "in the way");
    RejectsFile rejects = new RejectsFile(dir.toString(), Map.of(), QUERY, 0, 7);
    // The client calls this from its callback, and catches what it throws.
    assertThrows(UncheckedIOException.class, () -> rejects.undelivered("dropped", "QUEUE_FULL", "{}"));

    UncheckedIOException e = assertThrows(UncheckedIOException.class, rejects::commit);
    assertEquals("could not write the rejects file " + rejectsFile(7) + ", so this attempt does not count; "
        + "Spark runs the task again, with the same messageIds", e.getMessage());
  }

  private String rejectsFile(long taskId) {
    return new org.apache.hadoop.fs.Path(Rejects.temporaryDir(dir.toString(), QUERY), "part-0-task-" + taskId + ".jsonl")
        .toString();
  }

  @Test
  void aLateAttemptNeverReplacesAFileThatIsThereAlready() throws Exception {
    Path users = Files.writeString(dir.resolve("rejects-" + QUERY + "-late-part-00000-task-7.jsonl"), "the user's own\n");
    TaskCounts task = committed(7);
    RejectsFile rejects = new RejectsFile(dir.toString(), Map.of(), QUERY, 0, 7);

    assertEquals(task.rejectsFile, rejects.keepLate(task.rejectsFile));

    assertEquals("the user's own\n", Files.readString(users, StandardCharsets.UTF_8));
  }
}
