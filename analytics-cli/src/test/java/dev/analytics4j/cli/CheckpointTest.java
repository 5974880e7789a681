package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private Checkpoint checkpoint(Path path, Path input) throws IOException {
    FinalLines finals = new FinalLines();
    finals.add(1);
    finals.add(2);
    finals.add(7);
    finals.add(8);
    finals.add(20);
    return new Checkpoint(path, List.of(Checkpoint.identify(input)), "UTF-8", List.of("/r/one.txt"), finals);
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    Path input = Files.writeString(dir.resolve("in put\n\u00e9.ndjson"), "{}\n");
    Path path = dir.resolve("cp.txt");
    checkpoint(path, input).create();
    Checkpoint read = Checkpoint.read(path);
    assertEquals(3, read.finals.below());
    assertEquals(2, read.finals.ranges().size());
    assertArrayEquals(new long[] {7, 9}, read.finals.ranges().get(0));
    assertArrayEquals(new long[] {20, 21}, read.finals.ranges().get(1));
    assertEquals(List.of("/r/one.txt"), read.rejects);
    assertEquals("UTF-8", read.charset);
    assertNull(read.inputs.get(0).difference(Checkpoint.identify(input)));
    assertEquals(input.toAbsolutePath().toString(), read.inputs.get(0).path);
    assertTrue(Checkpoint.isCheckpoint(path));
    assertEquals(List.of("cp.txt", "in put\n\u00e9.ndjson"), files()); // no temporary file left
  }

  /** The first version goes in only where nothing is: another file there is never replaced. */
  @Test
  void createNeverReplacesAFile() throws Exception {
    Path input = Files.writeString(dir.resolve("in.ndjson"), "{}\n");
    Path path = Files.writeString(dir.resolve("cp.txt"), "my notes");
    assertThrows(FileAlreadyExistsException.class, () -> checkpoint(path, input).create());
    assertEquals("my notes", Files.readString(path));
    assertEquals(List.of("cp.txt", "in.ndjson"), files());
  }

  @Test
  void aLaterVersionReplacesTheEarlierWhole() throws Exception {
    Path input = Files.writeString(dir.resolve("in.ndjson"), "{}\n");
    Path path = dir.resolve("cp.txt");
    Checkpoint checkpoint = checkpoint(path, input);
    checkpoint.create();
    for (long i = 3; i <= 6; i++) checkpoint.finals.add(i);
    checkpoint.write();
    Checkpoint read = Checkpoint.read(path);
    assertEquals(9, read.finals.below());
    assertEquals(1, read.finals.ranges().size());
    assertEquals(List.of("cp.txt", "in.ndjson"), files());
  }

  @Test
  void refusesWhatIsNotACheckpointOrIsDamaged() throws Exception {
    Path other = Files.writeString(dir.resolve("other.txt"), "format=something-else\n");
    Checkpoint.RefusedException e = assertThrows(Checkpoint.RefusedException.class, () -> Checkpoint.read(other));
    assertTrue(e.getMessage().contains("is not a checkpoint of this importer"), e.getMessage());
    Path damaged = Files.writeString(dir.resolve("damaged.txt"), "format=" + Checkpoint.FORMAT + "\ninputs=1\n");
    e = assertThrows(Checkpoint.RefusedException.class, () -> Checkpoint.read(damaged));
    assertTrue(e.getMessage().contains("is damaged (no input.0.path)"), e.getMessage());
    // Every run names its rejects file: without one, a resume crashed (exit 1) on the first run's.
    Path noRun = Files.writeString(dir.resolve("no-run.txt"), "format=" + Checkpoint.FORMAT + "\ncharset=UTF-8\n"
        + "inputs=0\nruns=0\nfinalBelow=1\n");
    e = assertThrows(Checkpoint.RefusedException.class, () -> Checkpoint.read(noRun));
    assertEquals("--checkpoint " + noRun + " is damaged (runs=0; every checkpoint has at least one); start over "
        + "without --resume", e.getMessage());
    e = assertThrows(Checkpoint.RefusedException.class, () -> Checkpoint.read(dir.resolve("missing.txt")));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  /** Size, time, identity and content each tell a changed input, the last even behind a restored time. */
  @Test
  void tellsAChangedInput() throws Exception {
    Path input = dir.resolve("in.ndjson");
    byte[] content = new byte[3 * 1024 * 1024];
    for (int i = 0; i < content.length; i++) content[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + i % 26);
    Files.write(input, content);
    Checkpoint.Identity before = Checkpoint.identify(input);
    FileTime time = Files.getLastModifiedTime(input);

    // One byte in the middle of the first 64 KiB block, the time set back as it was.
    try (RandomAccessFile file = new RandomAccessFile(input.toFile(), "rw")) {
      file.seek(1000);
      file.write('Z');
    }
    Files.setLastModifiedTime(input, time);
    assertEquals("its content differs (same size and time, other bytes)", before.difference(Checkpoint.identify(input)));

    Files.write(input, content);
    Files.setLastModifiedTime(input, FileTime.fromMillis(time.toMillis() + 5000));
    assertNotNull(before.difference(Checkpoint.identify(input)));
    assertTrue(before.difference(Checkpoint.identify(input)).startsWith("it was modified at"));

    Files.write(input, new byte[10]);
    assertTrue(before.difference(Checkpoint.identify(input)).startsWith("its size was 3,145,728 bytes and is 10"));

    // Same bytes, same time, another file (a copy): its identity tells.
    Path copy = dir.resolve("copy.ndjson");
    Files.write(input, content);
    Files.setLastModifiedTime(input, time);
    Files.copy(input, copy);
    Files.setLastModifiedTime(copy, time);
    Checkpoint.Identity original = Checkpoint.identify(input);
    Checkpoint.Identity copied = Checkpoint.identify(copy);
    if (!original.fileKey.equals("none")) {
      assertTrue(original.difference(copied).startsWith("it is another file now"), original.difference(copied));
    }
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
