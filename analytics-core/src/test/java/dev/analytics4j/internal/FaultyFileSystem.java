package dev.analytics4j.internal;

import dev.analytics4j.internal.spool.SpoolFile;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the spool's file systems (the real one or a {@link SimulatedDisk}) and makes chosen
 * operations on chosen files fail, as OkHttp's DiskLruCache tests do with their FaultyFileSystem: an
 * {@link IOException}, a full disk ({@code No space left on device}), or a short write (part of the
 * bytes written, then a full disk). {@link #vanish} makes the directory's path name nothing: no
 * longer {@code stillNamed()}, and nothing can be created in it. Rules are shared by every client
 * opened through {@link #factory()}, so a restart sees the faults that are still set.
 */
public final class FaultyFileSystem {
  public enum Op { CREATE, OPEN, WRITE, READ, TRUNCATE, FORCE, RENAME, DELETE, FORCE_DIRECTORY }

  public enum Fault { IO_ERROR, NO_SPACE, SHORT_WRITE }

  private static final class Rule {
    final Op op;
    final String prefix;
    final Fault fault;
    final AtomicInteger remaining;

    Rule(Op op, String prefix, Fault fault, int times) {
      this.op = op;
      this.prefix = prefix;
      this.fault = fault;
      this.remaining = new AtomicInteger(times);
    }
  }

  private final SpoolFileSystem.Factory delegate;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private volatile boolean vanished;
  /** Faults injected so far. */
  public final AtomicInteger injected = new AtomicInteger();

  FaultyFileSystem(SpoolFileSystem.Factory delegate) {
    this.delegate = delegate;
  }

  /** Makes {@code op} on files whose name starts with {@code prefix} fail the next {@code times} times. */
  public FaultyFileSystem fail(Op op, String prefix, Fault fault, int times) {
    rules.add(new Rule(op, prefix, fault, times));
    return this;
  }

  /** Like {@link #fail(Op, String, Fault, int)}, until {@link #clear()}. */
  public FaultyFileSystem failAlways(Op op, String prefix, Fault fault) {
    return fail(op, prefix, fault, Integer.MAX_VALUE);
  }

  /** Removes every fault; a vanished directory is back. */
  public void clear() {
    rules.clear();
    vanished = false;
  }

  /** The directory's path names nothing from now on (removed, say by a tmp cleaner). */
  public void vanish() {
    vanished = true;
  }

  public SpoolFileSystem.Factory factory() {
    return directory -> new Wrapped(delegate.open(directory));
  }

  /** The fault for {@code op} on {@code name}, if one is due; counts it. */
  private Fault due(Op op, String name) {
    for (Rule rule : rules) {
      if (rule.op != op || !name.startsWith(rule.prefix)) continue;
      if (rule.remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        injected.incrementAndGet();
        return rule.fault;
      }
    }
    return null;
  }

  private static IOException error(Fault fault, Op op, String name) {
    return fault == Fault.IO_ERROR
        ? new IOException("injected I/O error: " + op + " " + name)
        : new IOException("No space left on device");
  }

  private void check(Op op, String name) throws IOException {
    Fault fault = due(op, name);
    if (fault != null) throw error(fault, op, name);
  }

  private final class Wrapped implements SpoolFileSystem {
    private final SpoolFileSystem target;

    Wrapped(SpoolFileSystem target) {
      this.target = target;
    }

    @Override
    public SpoolFile create(String name) throws IOException {
      if (vanished) throw new NoSuchFileException(name, null, "the directory is gone");
      check(Op.CREATE, name);
      return new File(name, target.create(name));
    }

    @Override
    public SpoolFile open(String name) throws IOException {
      if (vanished) throw new NoSuchFileException(name, null, "the directory is gone");
      check(Op.OPEN, name);
      return new File(name, target.open(name));
    }

    @Override
    public List<String> list() throws IOException {
      if (vanished) throw new NoSuchFileException("the directory is gone");
      return target.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
      if (vanished) throw new NoSuchFileException(from, to, "the directory is gone");
      check(Op.RENAME, from);
      target.rename(from, to);
    }

    @Override
    public boolean delete(String name) throws IOException {
      if (vanished) throw new NoSuchFileException(name, null, "the directory is gone");
      check(Op.DELETE, name);
      return target.delete(name);
    }

    @Override
    public void forceDirectory() throws IOException {
      if (vanished) throw new NoSuchFileException("the directory is gone");
      check(Op.FORCE_DIRECTORY, "");
      target.forceDirectory();
    }

    @Override
    public Entry entry(String name) throws IOException {
      return vanished ? null : target.entry(name);
    }

    @Override
    public boolean stillNamed() throws IOException {
      return !vanished && target.stillNamed();
    }

    @Override
    public void close() throws IOException {
      target.close();
    }

    @Override
    public String toString() {
      return "faulty " + target;
    }
  }

  /** An open file; it keeps working when the directory vanishes, as an open descriptor does. */
  private final class File implements SpoolFile {
    private final String name;
    private final SpoolFile target;
    /** A short write happened: the next write finds the disk full. */
    private volatile boolean full;

    File(String name, SpoolFile target) {
      this.name = name;
      this.target = target;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      check(Op.READ, name);
      return target.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (full) {
        full = false;
        throw new IOException("No space left on device");
      }
      Fault fault = due(Op.WRITE, name);
      if (fault == Fault.SHORT_WRITE && src.remaining() > 1) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + src.remaining() / 2);
        int n = target.write(part, position);
        src.position(src.position() + n);
        full = true;
        return n;
      }
      if (fault != null) throw error(fault, Op.WRITE, name);
      return target.write(src, position);
    }

    @Override
    public long size() throws IOException {
      return target.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      check(Op.TRUNCATE, name);
      target.truncate(size);
    }

    @Override
    public void force() throws IOException {
      check(Op.FORCE, name);
      target.force();
    }

    @Override
    public boolean tryLock() throws IOException {
      return target.tryLock();
    }

    @Override
    public void close() throws IOException {
      target.close();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** For a test on the real file system. */
  public static FaultyFileSystem onRealDirectories() {
    return new FaultyFileSystem(SpoolFileSystem.Factory.SYSTEM);
  }
}
