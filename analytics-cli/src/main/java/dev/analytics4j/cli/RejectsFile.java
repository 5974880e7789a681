package dev.analytics4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The list of lines that were rejected or not delivered, one {@code FILE:LINE: reason} per line.
 *
 * <p>It never destroys what the user did not ask to replace: an existing file is refused unless
 * {@code overwrite} is set; a path that is an input, a directory, a device, a pipe or a dangling
 * link is refused always. The file is created when the import starts, before anything is read or
 * sent, so a path that cannot be written fails then, not after hours of sending. A file this run
 * created and left empty is removed at the end.
 */
final class RejectsFile implements AutoCloseable {
  /** Why a path cannot be the rejects file, worded for a usage error. */
  static final class RefusedException extends Exception {
    RefusedException(String message) {
      super(message, null, false, false);
    }
  }

  private final Path path;
  private final boolean created;
  private final FileChannel channel;
  private final BufferedWriter writer;
  private long written;
  private @Nullable IOException error;

  private RejectsFile(Path path, boolean created, FileChannel channel) {
    this.path = path;
    this.created = created;
    this.channel = channel;
    this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
  }

  /**
   * Opens {@code path} for writing, or says why not.
   *
   * @param inputs the files the run reads (inputs, the key file); the rejects file may be none of them.
   */
  static RejectsFile open(Path path, boolean overwrite, List<Path> inputs) throws RefusedException {
    Objects.requireNonNull(path, "path == null");
    String shown = "--rejects " + path;
    boolean exists = Files.exists(path);
    if (!exists && Files.isSymbolicLink(path)) {
      throw new RefusedException(shown + " is a symbolic link to a missing file; give the path of a regular file");
    }
    if (exists) {
      if (Files.isDirectory(path)) throw new RefusedException(shown + " is a directory; give a file path");
      if (!Files.isRegularFile(path)) {
        throw new RefusedException(shown + " is not a regular file (a device, pipe or socket); give a file path");
      }
      for (Path input : inputs) {
        if (isSameFile(path, input)) {
          throw new RefusedException(shown + " is " + input + ", which the import reads; give another path");
        }
      }
      if (!overwrite) {
        throw new RefusedException(shown + " already exists; move it away, give another path, or pass "
            + "--overwrite-rejects to replace it");
      }
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new RefusedException(shown + ": the directory " + parent + " does not exist");
    }
    try {
      FileChannel channel = exists
          ? FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
          : FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
      return new RejectsFile(path, !exists, channel);
    } catch (FileAlreadyExistsException e) {
      throw new RefusedException(shown + " was created by someone else just now; run again");
    } catch (AccessDeniedException e) {
      throw new RefusedException(shown + " cannot be written: permission denied");
    } catch (NoSuchFileException e) {
      throw new RefusedException(shown + ": the directory " + parent + " does not exist");
    } catch (IOException e) {
      throw new RefusedException(shown + " cannot be written: " + e.getMessage());
    }
  }

  /** A rejects file named {@code path} that writes to {@code channel}, opened elsewhere (tests: a full disk). */
  static RejectsFile onChannel(Path path, FileChannel channel) {
    return new RejectsFile(path, false, channel);
  }

  private static boolean isSameFile(Path a, Path b) {
    try {
      return Files.exists(b, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  Path path() {
    return path;
  }

  /** Adds one entry; the first write error is kept and reported by {@link #close()}. */
  synchronized void write(String source, long line, String reason) {
    if (error != null) return;
    try {
      writer.write(source);
      writer.write(':');
      writer.write(Long.toString(line));
      writer.write(": ");
      writeOneLine(reason);
      writer.write('\n');
      written++;
    } catch (IOException e) {
      error = e;
    }
  }

  /** Reasons can quote the line or a server's answer: an entry must never span two lines. */
  private void writeOneLine(String reason) throws IOException {
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (c == '\n') {
        writer.write("\\n");
      } else if (c == '\r') {
        writer.write("\\r");
      } else if (c < 0x20 || c == 0x7f) {
        writer.write(String.format("\\u%04x", (int) c));
      } else {
        writer.write(c);
      }
    }
  }

  /** Writes out what is buffered, for a process about to halt; a failure is kept for {@link #close()}. */
  synchronized void flush() {
    if (error != null) return;
    try {
      writer.flush();
    } catch (IOException e) {
      error = e;
    }
  }

  /**
   * Writes out what is buffered and forces it to disk, before a checkpoint counts those lines
   * final: a kill or a lost machine must not leave a line settled for good but listed nowhere.
   */
  synchronized void sync() throws IOException {
    if (error != null) throw error;
    try {
      writer.flush();
      channel.force(false);
    } catch (IOException e) {
      error = e;
      throw e;
    }
  }

  synchronized long written() {
    return written;
  }

  /**
   * Flushes and closes; removes the file when this run created it and wrote nothing.
   *
   * @throws IOException if a write failed: the file is incomplete.
   */
  @Override
  public synchronized void close() throws IOException {
    try {
      writer.close();
    } catch (IOException e) {
      if (error == null) error = e;
    }
    if (error != null) throw new IOException("writing the rejects file " + path + " failed: " + error.getMessage(), error);
    if (created && written == 0) Files.deleteIfExists(path);
  }
}
