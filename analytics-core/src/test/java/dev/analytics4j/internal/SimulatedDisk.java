package dev.analytics4j.internal;

import dev.analytics4j.internal.spool.RecordCodec;
import dev.analytics4j.internal.spool.SpoolFile;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One spool directory in memory that knows what a crash would leave of it. Every mutating operation
 * (create, write, truncate, rename, delete, force, forceDirectory) is numbered; {@link #crashAt}
 * makes operation N never happen: the disk takes the state a restart would see and from then on
 * fails every operation, as if the process were gone.
 *
 * <p>The model: each file (an inode, reachable through its open handles after its name is gone)
 * has its durable content, as of its last {@code force()}, and the writes and truncates made since.
 * The directory has its durable entries, as of its last {@code forceDirectory()}, and the creates,
 * renames and deletes made since. A <em>process crash</em> keeps everything handed to the
 * operating system. A <em>power loss</em> keeps, per file independently, its durable content plus
 * either a prefix of its pending operations with the next write cut at any byte, or any subset of
 * them, each write possibly cut; and of the directory, its durable entries plus a prefix of its
 * pending entry operations (a metadata journal commits them in order: ext4, XFS), undoing the rest.
 * Every choice comes from the seed.
 */
public final class SimulatedDisk {
  public enum Crash { PROCESS, POWER }

  private static final class Op {
    final boolean truncate;
    final long pos;
    final byte[] bytes;

    Op(boolean truncate, long pos, byte[] bytes) {
      this.truncate = truncate;
      this.pos = pos;
      this.bytes = bytes;
    }
  }

  private static final class EntryOp {
    final String name;
    final String to;
    final Inode inode;

    /** A create ({@code to} null, inode set), a delete ({@code inode} null), or a rename. */
    EntryOp(String name, String to, Inode inode) {
      this.name = name;
      this.to = to;
      this.inode = inode;
    }
  }

  public static final class Inode {
    byte[] data;
    byte[] durable;
    final List<Op> pending = new ArrayList<>();

    Inode(byte[] data) {
      this.data = data;
      this.durable = data.clone();
    }
  }

  /** Where the record of a messageId was written, for telling what was durable at a crash. */
  public static final class Written {
    final Inode inode;
    final long pos;
    final byte[] record;

    Written(Inode inode, long pos, byte[] record) {
      this.inode = inode;
      this.pos = pos;
      this.record = record;
    }
  }

  private final TreeMap<String, Inode> entries = new TreeMap<>();
  private final TreeMap<String, Inode> durableEntries = new TreeMap<>();
  private final List<EntryOp> pendingEntries = new ArrayList<>();
  /** The JSON of every record ever written, by messageId (the first write of it). */
  public final Map<String, byte[]> jsonById;
  /** The seq of every record ever written, by messageId (the last write of it). */
  public final Map<String, Long> seqById;
  private final Map<String, Written> lastWrite = new HashMap<>();
  private long operations;
  private long crashAt = Long.MAX_VALUE;
  private Crash crashKind = Crash.PROCESS;
  private Random random = new Random(0);
  private SimulatedDisk image;
  private boolean dead;

  SimulatedDisk() {
    this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
  }

  /** A disk after a crash: what was written to the one before it stays known. */
  private SimulatedDisk(Map<String, byte[]> jsonById, Map<String, Long> seqById) {
    this.jsonById = jsonById;
    this.seqById = seqById;
  }

  /** Crashes {@code kind} instead of doing operation {@code n} (1-based). */
  public synchronized void crashAt(long n, Crash kind, long seed) {
    crashAt = n;
    crashKind = kind;
    random = new Random(seed);
  }

  public synchronized long operations() {
    return operations;
  }

  public synchronized boolean crashed() {
    return dead;
  }

  /** Crashes now, if it has not. */
  public synchronized void crashNow() {
    if (!dead) crash();
  }

  /** What a restart sees: a fresh disk holding what survived, nothing pending. */
  public synchronized SimulatedDisk image() {
    if (image == null) throw new IllegalStateException("not crashed");
    return image;
  }

  /** Runs {@code action} only if the disk has not crashed, atomically with respect to the crash. */
  public synchronized boolean ifAlive(Runnable action) {
    if (dead) return false;
    action.run();
    return true;
  }

  /**
   * Accepted messages whose records were not durable at the crash: written after the last force
   * of their file, or in a file whose name was not durable. Only these may a power loss take.
   */
  public synchronized List<String> notDurableAtCrash(Iterable<String> ids) {
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      Written written = lastWrite.get(id);
      if (written == null || !durable(written)) out.add(id);
    }
    return out;
  }

  /** Waits up to {@code timeoutNanos} for the record of {@code id} to be durable; whether it is. */
  public synchronized boolean awaitDurable(String id, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      Written written = lastWrite.get(id);
      if (written != null && durable(written)) return true;
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private boolean durable(Written written) {
    if (!durableEntries.containsValue(written.inode)) return false;
    byte[] d = written.inode.durable;
    if (d.length < written.pos + written.record.length) return false;
    return Arrays.equals(d, (int) written.pos, (int) written.pos + written.record.length, written.record, 0,
        written.record.length);
  }

  private void crash() {
    dead = true;
    image = crashKind == Crash.PROCESS ? processImage() : powerImage();
  }

  private void operation() throws IOException {
    alive();
    operations++;
    if (operations == crashAt) {
      crash();
      throw new IOException("simulated crash before operation " + operations);
    }
  }

  private void alive() throws IOException {
    if (dead) throw new IOException("simulated crash: the process is gone");
  }

  private SimulatedDisk processImage() {
    SimulatedDisk disk = new SimulatedDisk(jsonById, seqById);
    for (Map.Entry<String, Inode> entry : entries.entrySet()) {
      disk.put(entry.getKey(), new Inode(entry.getValue().data.clone()));
    }
    return disk;
  }

  private SimulatedDisk powerImage() {
    TreeMap<String, Inode> kept = new TreeMap<>(durableEntries);
    int k = random.nextInt(pendingEntries.size() + 1);
    for (EntryOp op : pendingEntries.subList(0, k)) apply(kept, op);
    SimulatedDisk disk = new SimulatedDisk(jsonById, seqById);
    Map<Inode, byte[]> contents = new IdentityHashMap<>();
    for (Map.Entry<String, Inode> entry : kept.entrySet()) {
      byte[] content = contents.computeIfAbsent(entry.getValue(), this::survivingContent);
      disk.put(entry.getKey(), new Inode(content));
    }
    return disk;
  }

  private static void apply(Map<String, Inode> map, EntryOp op) {
    if (op.to != null) {
      Inode inode = map.remove(op.name);
      if (inode != null) map.put(op.to, inode);
    } else if (op.inode != null) {
      map.put(op.name, op.inode);
    } else {
      map.remove(op.name);
    }
  }

  private byte[] survivingContent(Inode inode) {
    byte[] content = inode.durable.clone();
    List<Op> ops = inode.pending;
    if (random.nextBoolean()) {
      int k = random.nextInt(ops.size() + 1);
      for (int i = 0; i < k; i++) content = applyOp(content, ops.get(i), ops.get(i).bytes.length);
      if (k < ops.size() && !ops.get(k).truncate) {
        content = applyOp(content, ops.get(k), random.nextInt(ops.get(k).bytes.length + 1));
      }
    } else {
      for (Op op : ops) {
        if (!random.nextBoolean()) continue;
        int cut = op.truncate || random.nextInt(4) > 0 ? op.bytes.length : random.nextInt(op.bytes.length + 1);
        content = applyOp(content, op, cut);
      }
    }
    return content;
  }

  private static byte[] applyOp(byte[] content, Op op, int length) {
    if (op.truncate) return Arrays.copyOf(content, (int) Math.min(content.length, op.pos));
    int end = (int) op.pos + length;
    byte[] out = end > content.length ? Arrays.copyOf(content, end) : content;
    System.arraycopy(op.bytes, 0, out, (int) op.pos, length);
    return out;
  }

  private void put(String name, Inode inode) {
    entries.put(name, inode);
    durableEntries.put(name, inode);
  }

  /** The names and contents now, as a process would see them (for inspection). */
  public synchronized Map<String, byte[]> files() {
    Map<String, byte[]> out = new TreeMap<>();
    entries.forEach((name, inode) -> out.put(name, inode.data.clone()));
    return out;
  }

  /** Opens this disk for spool clients: each opening sees the same directory. */
  public SpoolFileSystem.Factory factory() {
    return directory -> new FileSystem();
  }

  /** The spool's view of this disk. */
  public final class FileSystem implements SpoolFileSystem {
    @Override
    public SpoolFile create(String name) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        if (entries.containsKey(name)) throw new FileAlreadyExistsException(name);
        operation();
        Inode inode = new Inode(new byte[0]);
        inode.durable = new byte[0];
        entries.put(name, inode);
        pendingEntries.add(new EntryOp(name, null, inode));
        return new File(name, inode);
      }
    }

    @Override
    public SpoolFile open(String name) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        Inode inode = entries.get(name);
        if (inode == null) throw new NoSuchFileException(name);
        return new File(name, inode);
      }
    }

    @Override
    public List<String> list() throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        return new ArrayList<>(entries.keySet());
      }
    }

    @Override
    public void rename(String from, String to) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        if (!entries.containsKey(from)) throw new NoSuchFileException(from);
        operation();
        entries.put(to, entries.remove(from));
        pendingEntries.add(new EntryOp(from, to, null));
      }
    }

    @Override
    public boolean delete(String name) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        if (!entries.containsKey(name)) return false;
        operation();
        entries.remove(name);
        pendingEntries.add(new EntryOp(name, null, null));
        return true;
      }
    }

    @Override
    public void forceDirectory() throws IOException {
      synchronized (SimulatedDisk.this) {
        operation();
        durableEntries.clear();
        durableEntries.putAll(entries);
        pendingEntries.clear();
        SimulatedDisk.this.notifyAll();
      }
    }

    @Override
    public Entry entry(String name) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        Inode inode = entries.get(name);
        return inode == null ? null : new Entry(inode, true, inode.data.length);
      }
    }

    @Override
    public boolean stillNamed() throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        return true;
      }
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "simulated disk";
    }
  }

  /** An open file: its inode, whatever becomes of its name. */
  private final class File implements SpoolFile {
    private final String name;
    private final Inode inode;

    File(String name, Inode inode) {
      this.name = name;
      this.inode = inode;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        if (position >= inode.data.length) return -1;
        int n = (int) Math.min(dst.remaining(), inode.data.length - position);
        dst.put(inode.data, (int) position, n);
        return n;
      }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        operation();
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        Op op = new Op(false, position, bytes);
        inode.data = applyOp(inode.data, op, bytes.length);
        inode.pending.add(op);
        noteRecord(op);
        return bytes.length;
      }
    }

    /** Remembers the record a segment write holds (the spool writes each whole, at once). */
    private void noteRecord(Op op) {
      if (!name.startsWith("segment-") || op.bytes.length < RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES) return;
      ByteBuffer record = ByteBuffer.wrap(op.bytes);
      int length = record.getInt(0);
      if (length + RecordCodec.HEADER_BYTES != op.bytes.length) return;
      int idLength = record.getShort(RecordCodec.HEADER_BYTES + 9) & 0xffff;
      int idAt = RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES;
      String id = new String(op.bytes, idAt, idLength, StandardCharsets.UTF_8);
      jsonById.putIfAbsent(id, Arrays.copyOfRange(op.bytes, idAt + idLength, op.bytes.length));
      seqById.put(id, record.getLong(RecordCodec.HEADER_BYTES));
      lastWrite.put(id, new Written(inode, op.pos, op.bytes));
    }

    @Override
    public long size() throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        return inode.data.length;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        if (size >= inode.data.length) return;
        operation();
        Op op = new Op(true, size, new byte[0]);
        inode.data = applyOp(inode.data, op, 0);
        inode.pending.add(op);
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (SimulatedDisk.this) {
        operation();
        inode.durable = inode.data.clone();
        inode.pending.clear();
        SimulatedDisk.this.notifyAll();
      }
    }

    @Override
    public boolean tryLock() throws IOException {
      synchronized (SimulatedDisk.this) {
        alive();
        return true;
      }
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return name;
    }
  }
}
