package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejectsFileTest {
  @TempDir Path dir;

  @Test
  void writesOneEntryPerLineWhateverTheReasonHolds() throws Exception {
    Path path = dir.resolve("rejects.txt");
    RejectsFile rejects = RejectsFile.open(path, false, List.of());
    rejects.write("in", 3, "server said: a\nb\rc\u0007");
    rejects.close();

    assertEquals("in:3: server said: a\\nb\\rc\\u0007\n", Files.readString(path));
  }

  @Test
  void removesTheFileItCreatedWhenNothingWasWritten() throws Exception {
    Path path = dir.resolve("rejects.txt");
    RejectsFile.open(path, false, List.of()).close();
    assertFalse(Files.exists(path));

    Files.writeString(path, "old");
    RejectsFile.open(path, true, List.of()).close();
    assertEquals("", Files.readString(path)); // replaced as asked, not deleted
  }
}
