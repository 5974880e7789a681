package dev.analytics4j.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarTimesTest {
  @TempDir Path dir;

  @Test
  void twoJarsDifferingOnlyInEntryTimesBecomeByteIdentical() throws IOException {
    Path first = jar("first.jar", LocalDateTime.of(2026, 12, 6, 0, 0), LocalDateTime.of(2026, 12, 6, 13, 33, 46));
    Path second = jar("second.jar", LocalDateTime.of(2026, 12, 6, 0, 0), LocalDateTime.of(2026, 12, 6, 14, 2, 10));

    JarTimes.restamp(first, Instant.parse("2026-12-06T00:00:00Z"));
    JarTimes.restamp(second, Instant.parse("2026-12-06T00:00:00Z"));

    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    try (ZipFile zip = new ZipFile(first.toFile())) {
      List<String> entries = new ArrayList<>();
      for (ZipEntry e : Collections.list(zip.entries())) {
        entries.add(e.getName() + " " + e.getTimeLocal());
      }
      assertEquals(List.of("META-INF/ 2026-12-06T00:00", "META-INF/MANIFEST.MF 2026-12-06T00:00",
          "dev/ 2026-12-06T00:00", "dev/A.class 2026-12-06T00:00", "module-info.class 2026-12-06T00:00"), entries);
      assertEquals("Manifest-Version: 1.0\n",
          new String(zip.getInputStream(zip.getEntry("META-INF/MANIFEST.MF")).readAllBytes(), StandardCharsets.UTF_8));
      assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2},
          zip.getInputStream(zip.getEntry("module-info.class")).readAllBytes());
    }
    assertEquals(List.of("first.jar", "second.jar"), listing());
  }

  @Test
  void aFileThatIsNotAJarIsLeftAsItWasWithNothingBesideIt() throws IOException {
    Path notAJar = dir.resolve("broken.jar");
    Files.writeString(notAJar, "not a zip");

    assertThrows(IOException.class, () -> JarTimes.restamp(notAJar, Instant.parse("2026-12-06T00:00:00Z")));

    assertEquals("not a zip", Files.readString(notAJar));
    assertEquals(List.of("broken.jar"), listing());
  }

  private Path jar(String name, LocalDateTime packaged, LocalDateTime descriptorAdded) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
      add(zip, "META-INF/", null, packaged);
      add(zip, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8), packaged);
      add(zip, "dev/", null, packaged);
      add(zip, "dev/A.class", new byte[] {1, 2, 3}, packaged);
      add(zip, "module-info.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2}, descriptorAdded);
    }
    return jar;
  }

  private static void add(ZipOutputStream zip, String name, byte[] content, LocalDateTime time) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTimeLocal(time);
    zip.putNextEntry(entry);
    if (content != null) zip.write(content);
    zip.closeEntry();
  }

  private List<String> listing() throws IOException {
    try (var files = Files.list(dir)) {
      List<String> names = new ArrayList<>();
      files.forEach(f -> names.add(f.getFileName().toString()));
      Collections.sort(names);
      return names;
    }
  }
}
