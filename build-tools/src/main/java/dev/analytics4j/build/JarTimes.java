package dev.analytics4j.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Gives every entry of a jar one time, the build's {@code project.build.outputTimestamp}, keeping
 * entries, order and contents. The module descriptor that the jar tool adds after packaging (core,
 * the OkHttp transport, the bundle) is stamped with the time of the build whatever the file's time
 * (the tool rewrites it to record the module's version and packages), and JDK 17's jar tool has no
 * --date: without this, two builds of one commit differ in those bytes alone.
 *
 * <pre>java JarTimes.java JAR 2026-12-06T00:00:00Z</pre>
 */
public final class JarTimes {
  private JarTimes() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java JarTimes.java JAR ISO-8601-INSTANT");
      System.exit(2);
    }
    restamp(Path.of(args[0]), Instant.parse(args[1]));
  }

  /** Rewrites the jar in place (through a file beside it, moved over the jar once complete). */
  static void restamp(Path jar, Instant time) throws IOException {
    // Local date-time fields straight into the entry's DOS time: the same bytes in every time zone.
    LocalDateTime local = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
    Path out = jar.resolveSibling(jar.getFileName() + ".restamped");
    try (ZipFile in = new ZipFile(jar.toFile());
        OutputStream file = Files.newOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
        ZipEntry source = entries.nextElement();
        ZipEntry entry = new ZipEntry(source.getName());
        entry.setTimeLocal(local);
        if (source.isDirectory()) {
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(0);
          entry.setCrc(0);
        }
        zip.putNextEntry(entry);
        try (InputStream content = in.getInputStream(source)) {
          content.transferTo(zip);
        }
        zip.closeEntry();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(out);
      throw e;
    }
    Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
  }
}
