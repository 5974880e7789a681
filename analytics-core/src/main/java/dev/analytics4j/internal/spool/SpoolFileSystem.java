package dev.analytics4j.internal.spool;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every file operation the spool makes, all inside its one directory and named by file name, so no
 * path can lead out of it. The real one ({@link DirectoryFileSystem}) works relative to the
 * directory it opened, never follows a link, and can tell when the directory's path no longer names
 * that directory; tests put faults and power losses in its place, as OkHttp's DiskLruCache tests do
 * with their FaultyFileSystem.
 */
public interface SpoolFileSystem extends Closeable {
  /**
   * Creates {@code name}, readable and writable by its owner only; fails if anything (a file, a
   * link) already has that name.
   */
  SpoolFile create(String name) throws IOException;

  /** Opens the existing regular file {@code name} for reading and writing; fails on a link. */
  SpoolFile open(String name) throws IOException;

  /** The names in the directory. */
  List<String> list() throws IOException;

  /** Renames {@code from} to {@code to} atomically, replacing {@code to}; the link itself if either is one. */
  void rename(String from, String to) throws IOException;

  /** Deletes {@code name} (a link itself, never its target); false if there was none. */
  boolean delete(String name) throws IOException;

  /** Makes the directory's entries durable: files created, renamed and deleted before this call. */
  void forceDirectory() throws IOException;

  /** What {@code name} is, without following a link; null when there is no such entry. */
  @Nullable Entry entry(String name) throws IOException;

  /**
   * False once the directory's path names another directory than the one this was opened on, or
   * nothing (it was removed, or removed and made again): nothing may then be created in it.
   */
  boolean stillNamed() throws IOException;

  /** Opens the spool's file system on a directory; tests give their own. */
  @FunctionalInterface
  interface Factory {
    Factory SYSTEM = DirectoryFileSystem::open;

    /** Opens {@code directory}, an existing directory given by its real path. */
    SpoolFileSystem open(java.nio.file.Path directory) throws IOException;
  }

  /** An entry of the directory, as {@link #entry} found it. */
  final class Entry {
    final Object identity;
    final boolean regularFile;
    final long size;

    public Entry(Object identity, boolean regularFile, long size) {
      this.identity = identity;
      this.regularFile = regularFile;
      this.size = size;
    }

    /** Tells this file from another that later took its name (a device and inode, say). */
    public Object identity() {
      return identity;
    }

    /** False for a link, a directory or anything else that is not a plain file. */
    public boolean regularFile() {
      return regularFile;
    }

    public long size() {
      return size;
    }
  }
}
