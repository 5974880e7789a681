package dev.analytics4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The checkpoint file of an import: which inputs it reads (each one's identity), the charset it
 * decodes with, the rejects files of the runs so far, and which lines have a final fate
 * ({@link FinalLines}). A few hundred bytes plus at most {@link FinalLines#MAX_RANGES} ranges,
 * whatever the inputs' length.
 *
 * <p>Crash-safe: each version is written to a new temporary file beside it, forced to disk, and
 * renamed over the previous one (then the directory is forced), so a kill or a lost machine at any
 * moment leaves either the previous version or the new one, never a torn file. It never replaces a
 * file that is not a checkpoint: the first version is linked into place only if nothing is there.
 */
final class Checkpoint {
  static final String FORMAT = "analytics4j-import-checkpoint/1";
  /** Hashed blocks of an input: the first, the last, and evenly between; 1 MiB read whatever its size. */
  private static final int SAMPLE_BLOCKS = 16;
  private static final int SAMPLE_BLOCK_BYTES = 64 * 1024;

  /** Why a checkpoint cannot be used, worded for a usage error. */
  static final class RefusedException extends Exception {
    RefusedException(String message) {
      super(message, null, false, false);
    }
  }

  /** An input as a checkpoint knows it: what tells that it is still the same file, unchanged. */
  static final class Identity {
    final String path;
    final long size;
    final String modified;
    final String fileKey;
    final String sample;

    Identity(String path, long size, String modified, String fileKey, String sample) {
      this.path = path;
      this.size = size;
      this.modified = modified;
      this.fileKey = fileKey;
      this.sample = sample;
    }

    /** How {@code now} differs from this, in words; null when it is the same file, unchanged. */
    @Nullable String difference(Identity now) {
      if (size != now.size) {
        return String.format(Locale.ROOT, "its size was %,d bytes and is %,d", size, now.size);
      }
      if (!modified.equals(now.modified)) return "it was modified at " + now.modified + " (it was " + modified + ")";
      if (!fileKey.equals("none") && !now.fileKey.equals("none") && !fileKey.equals(now.fileKey)) {
        return "it is another file now (file identity " + now.fileKey + ", was " + fileKey + ")";
      }
      if (!sample.equals(now.sample)) return "its content differs (same size and time, other bytes)";
      return null;
    }
  }

  /** Identifies a regular file: size, modification time, file key, and a hash of sampled blocks. */
  static Identity identify(Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    Object key = attributes.fileKey();
    return new Identity(path.toAbsolutePath().normalize().toString(), attributes.size(),
        attributes.lastModifiedTime().toString(), key == null ? "none" : key.toString(),
        sample(path, attributes.size()));
  }

  private static String sample(Path path, long size) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    ByteBuffer block = ByteBuffer.allocate(SAMPLE_BLOCK_BYTES);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long span = Math.max(0, size - SAMPLE_BLOCK_BYTES);
      long previousEnd = 0;
      for (int i = 0; i < SAMPLE_BLOCKS; i++) {
        long position = Math.max(previousEnd, span * i / (SAMPLE_BLOCKS - 1));
        if (position >= size && i > 0) break;
        block.clear();
        while (block.hasRemaining()) {
          if (channel.read(block, position + block.position()) < 0) break;
        }
        block.flip();
        sha256.update(block);
        previousEnd = position + block.limit();
      }
    }
    StringBuilder hex = new StringBuilder();
    for (byte b : sha256.digest()) hex.append(String.format(Locale.ROOT, "%02x", b & 0xff));
    return hex.toString();
  }

  final Path path;
  final List<Identity> inputs;
  final String charset;
  /** The rejects files of the runs so far, this one's last. */
  final List<String> rejects;
  final FinalLines finals;

  Checkpoint(Path path, List<Identity> inputs, String charset, List<String> rejects, FinalLines finals) {
    this.path = Objects.requireNonNull(path, "path == null");
    this.inputs = List.copyOf(inputs);
    this.charset = Objects.requireNonNull(charset, "charset == null");
    this.rejects = List.copyOf(rejects);
    this.finals = Objects.requireNonNull(finals, "finals == null");
  }

  /** The same checkpoint for the next run: same inputs and final lines, one more rejects file. */
  Checkpoint nextRun(String rejectsPath) {
    List<String> all = new ArrayList<>(rejects);
    all.add(rejectsPath);
    return new Checkpoint(path, inputs, charset, all, finals);
  }

  /** Whether {@code path} holds a checkpoint (of any version of this format), by its content. */
  static boolean isCheckpoint(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      String head = new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1);
      return head.contains("format=" + FORMAT.substring(0, FORMAT.indexOf('/')));
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads the checkpoint at {@code path}, or says why it cannot be used. */
  static Checkpoint read(Path path) throws RefusedException {
    String shown = "--checkpoint " + path;
    if (!Files.exists(path)) {
      throw new RefusedException(shown + " not found: --resume continues an import that left a checkpoint "
          + "there; give its path with --checkpoint, or start over without --resume");
    }
    if (!Files.isRegularFile(path)) throw new RefusedException(shown + " is not a regular file");
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(path)) {
      properties.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new RefusedException(shown + " cannot be read: " + e.getMessage());
    }
    if (!FORMAT.equals(properties.getProperty("format"))) {
      throw new RefusedException(shown + " is not a checkpoint of this importer (format "
          + properties.getProperty("format", "missing") + ", expected " + FORMAT + ")");
    }
    try {
      List<Identity> inputs = new ArrayList<>();
      int count = Integer.parseInt(required(properties, "inputs"));
      for (int i = 0; i < count; i++) {
        String prefix = "input." + i + ".";
        inputs.add(new Identity(required(properties, prefix + "path"), Long.parseLong(required(properties, prefix + "size")),
            required(properties, prefix + "modified"), required(properties, prefix + "fileKey"),
            required(properties, prefix + "sample")));
      }
      List<String> rejects = new ArrayList<>();
      int runs = Integer.parseInt(required(properties, "runs"));
      if (runs < 1) throw new IllegalArgumentException("runs=" + runs + "; every checkpoint has at least one");
      for (int i = 0; i < runs; i++) rejects.add(required(properties, "run." + i + ".rejects"));
      List<long[]> ranges = new ArrayList<>();
      String text = properties.getProperty("finalRanges", "").trim();
      if (!text.isEmpty()) {
        for (String range : text.split(" ")) {
          int dash = range.indexOf('-');
          ranges.add(new long[] {Long.parseLong(range.substring(0, dash)), Long.parseLong(range.substring(dash + 1))});
        }
      }
      FinalLines finals = new FinalLines(Long.parseLong(required(properties, "finalBelow")), ranges);
      return new Checkpoint(path, inputs, required(properties, "charset"), rejects, finals);
    } catch (RuntimeException e) {
      throw new RefusedException(shown + " is damaged (" + e.getMessage() + "); start over without --resume");
    }
  }

  private static String required(Properties properties, String key) {
    String value = properties.getProperty(key);
    if (value == null) throw new IllegalArgumentException("no " + key);
    return value;
  }

  /** This checkpoint's text as it stands: what {@link #read} reads back. */
  byte[] encode() {
    Properties properties = new Properties();
    properties.setProperty("format", FORMAT);
    properties.setProperty("charset", charset);
    properties.setProperty("inputs", Integer.toString(inputs.size()));
    for (int i = 0; i < inputs.size(); i++) {
      Identity input = inputs.get(i);
      String prefix = "input." + i + ".";
      properties.setProperty(prefix + "path", input.path);
      properties.setProperty(prefix + "size", Long.toString(input.size));
      properties.setProperty(prefix + "modified", input.modified);
      properties.setProperty(prefix + "fileKey", input.fileKey);
      properties.setProperty(prefix + "sample", input.sample);
    }
    properties.setProperty("runs", Integer.toString(rejects.size()));
    for (int i = 0; i < rejects.size(); i++) properties.setProperty("run." + i + ".rejects", rejects.get(i));
    properties.setProperty("finalBelow", Long.toString(finals.below()));
    StringBuilder ranges = new StringBuilder();
    for (long[] range : finals.ranges()) {
      if (ranges.length() > 0) ranges.append(' ');
      ranges.append(range[0]).append('-').append(range[1]);
    }
    properties.setProperty("finalRanges", ranges.toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      properties.store(bytes, "analytics4j import checkpoint: continue the import with --resume; "
          + "lines below finalBelow and in finalRanges have a final fate");
    } catch (IOException e) {
      throw new IllegalStateException(e); // a byte array cannot fail
    }
    return bytes.toByteArray();
  }

  /**
   * Puts the first version in place, refusing if any file is there: linked into place, so the path
   * never holds a partial checkpoint and never replaces another file.
   */
  void create() throws IOException {
    Path temporary = writeTemporary(encode());
    try {
      try {
        Files.createLink(path, temporary);
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        if (e instanceof FileAlreadyExistsException) throw e;
        // No hard links here (some network and FAT file systems): claim the name, then rename over it.
        Files.createFile(path);
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
    forceDirectory();
  }

  /** Replaces the previous version (ours) with this one as it stands, atomically. */
  void write() throws IOException {
    write(encode());
  }

  /** Replaces the previous version (ours) with {@code content}, from {@link #encode()}, atomically. */
  void write(byte[] content) throws IOException {
    Path temporary = writeTemporary(content);
    try {
      Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temporary);
      throw new IOException("the file system of " + path + " cannot replace a file atomically", e);
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    forceDirectory();
  }

  /** Removes the checkpoint (ours): the import is complete, nothing is left to resume. */
  void delete() throws IOException {
    Files.deleteIfExists(path);
  }

  /**
   * Removes the checkpoint if this is its first run (a resumed run's holds earlier work), for a run
   * that read nothing; a failure leaves it for the next run to name.
   */
  void discardIfNew() {
    if (rejects.size() > 1) return;
    try {
      delete();
    } catch (IOException e) {
      // Left in place: the next run says it is there and what to do.
    }
  }

  private Path writeTemporary(byte[] content) throws IOException {
    Path directory = path.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, path.getFileName() + ".", ".tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) channel.write(buffer);
      channel.force(true); // on disk before the rename makes it the checkpoint
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    return temporary;
  }

  /** Makes the rename itself durable; some systems (Windows) cannot open a directory, and need not. */
  private void forceDirectory() {
    Path directory = path.toAbsolutePath().getParent();
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported here: the rename is as durable as the file system makes it.
    }
  }
}
