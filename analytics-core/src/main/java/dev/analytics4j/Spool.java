package dev.analytics4j;

import dev.analytics4j.internal.Log;
import dev.analytics4j.messages.Message;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The durable side of the queue: every accepted message is appended to a segment file before
 * {@code enqueue} returns, and its record is acknowledged (in the {@code acks} file) once its outcome
 * is final and reported; a segment whose records are all acknowledged is deleted. Messages that do
 * not fit the in-memory window stay only here (the backlog) and are read back, in order, by the
 * flusher thread as room frees. The format is described in {@code docs/spool-format.md}.
 *
 * <p>Appends, acknowledgements and the segment list are guarded by this object's monitor; reading
 * back is serialized by {@link #readLock} and takes the monitor only to look at the segment list, so
 * callers never wait for a disk read.
 */
final class Spool implements Closeable {
  private static final Log logger = Log.get(Spool.class);

  static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  static final int DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
  static final int FORMAT_VERSION = 1;

  /** length (int) + CRC-32C (int); then seq (long), type (byte), id length (unsigned short), id, JSON. */
  static final int HEADER_BYTES = 8;
  static final int FIXED_BYTES = 8 + 1 + 2;
  static final int MAX_LENGTH = FIXED_BYTES + 2 * MessageEncoder.MAX_MESSAGE_BYTES;
  /** seq (long) + CRC-32C of those 8 bytes (int). */
  static final int ACK_BYTES = 12;
  private static final long ACK_COMPACT_BYTES = 4L * 1024 * 1024;
  private static final String SEGMENT_PREFIX = "segment-";
  private static final String SEGMENT_SUFFIX = ".log";
  private static final String FINGERPRINT_PREFIX = "analytics4j spool write key fingerprint v1\n";
  private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Message.Type[] TYPES = {
    null, Message.Type.IDENTIFY, Message.Type.TRACK, Message.Type.PAGE, Message.Type.SCREEN,
    Message.Type.GROUP, Message.Type.ALIAS
  };
  /** Directories owned by a client of this JVM: a second FileChannel.tryLock here would throw. */
  private static final Set<Path> OWNED = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SYNC_THREAD_IDS = new AtomicInteger();

  /** What became of an append. */
  enum Result { ACCEPTED, BACKLOGGED, FULL, ERROR, CLOSED, FAILED }

  /** One segment file. Fields are guarded by the spool's monitor, but for {@link #channel}. */
  static final class Segment {
    final long base;
    final Path path;
    /** Reopened if an interrupt closed it (FileChannel closes itself when its thread is interrupted). */
    volatile FileChannel channel;
    final boolean recovered;
    /** One past the largest seq it holds. */
    long endSeq;
    /** Bytes of records in the file (for a recovered file, up to the end of its last valid record). */
    long size;
    /** Bytes the file takes on disk, for the budget. */
    long fileBytes;
    /** Records by index (seq - base) that have been acknowledged. */
    final BitSet acked = new BitSet();
    /** Records not yet acknowledged. */
    long live;
    boolean sealed;
    /** Damaged regions of a recovered file, start to end, which the reader jumps over. */
    final TreeMap<Long, Long> holes = new TreeMap<>();

    Segment(long base, Path path, FileChannel channel, boolean recovered) {
      this.base = base;
      this.path = path;
      this.channel = channel;
      this.recovered = recovered;
    }
  }

  private final Path directory;
  private final Path realDirectory;
  private final long maxBytes;
  private final long segmentBytes;
  private final SpoolSync sync;
  private final boolean posix;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private FileChannel acks;
  private long ackFileBytes;
  private long nextSeq;
  private long totalBytes;
  private @Nullable Segment writing;
  private ByteBuffer writeBuffer = ByteBuffer.allocate(4096);
  private boolean closed;
  /** Bytes ever appended and bytes known forced, for group commit. */
  private long appended;
  private final Object syncLock = new Object();
  private volatile long synced;
  private final @Nullable Thread syncThread;
  private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - ERROR_LOG_INTERVAL_NANOS);

  /** The next record to read back: guarded by the monitor, moved only by the reader. */
  private @Nullable Segment cursor;
  private long cursorPos;
  final Object readLock = new Object();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
  private @Nullable Segment bufferSegment;
  private long bufferStart;
  private @Nullable EncodedMessage peeked;

  /** What recovery found, for the log and tests. */
  final long recovered;
  int tornRecords;
  int quarantinedRegions;

  private Spool(Path directory, Path realDirectory, long maxBytes, long segmentBytes, SpoolSync sync,
      boolean posix, FileChannel lockChannel, FileLock fileLock) throws IOException {
    this.directory = directory;
    this.realDirectory = realDirectory;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.sync = sync;
    this.posix = posix;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
    this.recovered = recover();
    if (!sync.isNone() && !sync.isEveryWrite()) {
      Thread thread = new Thread(this::syncLoop, "analytics4j-spool-sync-" + SYNC_THREAD_IDS.incrementAndGet());
      thread.setDaemon(true);
      this.syncThread = thread;
      thread.start();
    } else {
      this.syncThread = null;
    }
  }

  /**
   * Opens (creating it if needed) the spool in {@code directory} for {@code writeKey}, taking its
   * lock and reading what an earlier client left in it.
   *
   * @throws IllegalStateException when another client owns the directory, or it holds messages of
   *     another write key.
   * @throws UncheckedIOException when the directory cannot be created, read or locked.
   */
  static Spool open(Path directory, String writeKey, long maxBytes, int segmentBytes, SpoolSync sync) {
    Path real;
    boolean posix;
    try {
      if (!Files.isDirectory(directory)) {
        posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
          Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(directory);
        }
      }
      real = directory.toRealPath();
      posix = Files.getFileStore(real).supportsFileAttributeView("posix");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the spool directory " + directory + ": " + e, e);
    }
    if (!OWNED.add(real)) {
      throw new IllegalStateException("spool directory " + real + " is in use by another client in "
          + "this JVM: one client per directory (close it first, or give each client its own directory)");
    }
    FileChannel lockChannel = null;
    try {
      lockChannel = FileChannel.open(real.resolve("lock"), options(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE), attributes(posix));
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("spool directory " + real + " is in use by another process "
            + "(its lock file is locked): one client per directory");
      }
      checkFingerprint(real, writeKey, posix);
      return new Spool(directory, real, maxBytes, segmentBytes, sync, posix, lockChannel, lock);
    } catch (IOException e) {
      closeQuietly(lockChannel);
      OWNED.remove(real);
      throw new UncheckedIOException("cannot open the spool in " + real + ": " + e, e);
    } catch (RuntimeException | Error e) {
      closeQuietly(lockChannel);
      OWNED.remove(real);
      throw e;
    }
  }

  private static Set<OpenOption> options(OpenOption... options) {
    Set<OpenOption> set = new java.util.HashSet<>();
    Collections.addAll(set, options);
    return set;
  }

  private static FileAttribute<?>[] attributes(boolean posix) {
    if (!posix) return new FileAttribute<?>[0];
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
    };
  }

  static String fingerprint(String writeKey) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] hash = digest.digest((FINGERPRINT_PREFIX + writeKey).getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(64);
      for (byte b : hash) hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Writes the {@code meta} file of a new spool, or refuses a spool whose messages belong to another
   * write key: sent under this key they would land in another source.
   */
  private static void checkFingerprint(Path directory, String writeKey, boolean posix) throws IOException {
    Path meta = directory.resolve("meta");
    String expected = fingerprint(writeKey);
    if (Files.exists(meta)) {
      String found = null;
      String version = null;
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (line.startsWith("format ")) version = line.substring("format ".length()).trim();
        if (line.startsWith("key-sha256 ")) found = line.substring("key-sha256 ".length()).trim();
      }
      if (version != null && !version.equals(Integer.toString(FORMAT_VERSION))) {
        throw new IllegalStateException("spool directory " + directory + " has format " + version
            + "; this client reads format " + FORMAT_VERSION);
      }
      if (found != null && !found.equals(expected)) {
        throw new IllegalStateException("spool directory " + directory + " holds messages of another "
            + "write key (its meta file has another key fingerprint); they must not be sent under this "
            + "key. Give this key its own directory; to deliver the old messages, start a client with "
            + "the old key on this directory; to discard them, delete the directory");
      }
      if (found != null) return;
    }
    String content = "analytics4j spool\nformat " + FORMAT_VERSION + "\nkey-sha256 " + expected + "\n";
    Path tmp = directory.resolve("meta.tmp");
    Files.deleteIfExists(tmp);
    try (FileChannel channel = FileChannel.open(tmp, options(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), attributes(posix))) {
      writeFully(channel, ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
    }
    move(tmp, meta);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  /** Reads the segments and acks an earlier client left; returns how many records await sending. */
  private long recover() throws IOException {
    long[] acked = readAcks();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(realDirectory, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
      for (Path path : stream) files.add(path);
    }
    TreeMap<Long, Path> byBase = new TreeMap<>();
    for (Path path : files) {
      String name = path.getFileName().toString();
      String digits = name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length());
      try {
        byBase.put(Long.parseLong(digits), path);
      } catch (NumberFormatException e) {
        logger.warn("Ignoring {} in the spool: not a segment name", name);
      }
    }
    long next = 0;
    long pending = 0;
    for (Map.Entry<Long, Path> entry : byBase.entrySet()) {
      long base = entry.getKey();
      next = Math.max(next, base + 1);
      FileChannel channel;
      try {
        channel = FileChannel.open(entry.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        logger.warn("Spool segment {} disappeared while the spool was being opened", entry.getValue());
        continue;
      }
      Segment segment = new Segment(base, entry.getValue(), channel, true);
      segment.sealed = true;
      long maxSeq = scan(segment, acked);
      segment.endSeq = maxSeq + 1;
      next = Math.max(next, maxSeq + 1);
      pending += segment.live;
      segments.put(base, segment);
      totalBytes += segment.fileBytes;
    }
    this.nextSeq = next;
    for (Segment segment : new ArrayList<>(segments.values())) {
      if (segment.live == 0) delete(segment);
    }
    rewriteAcks();
    roll();
    // The oldest recovered segment, or the new empty one: the backlog starts there.
    cursor = segments.firstEntry().getValue();
    cursorPos = 0;
    if (pending > 0 || tornRecords > 0 || quarantinedRegions > 0) {
      logger.info("Spool {}: {} messages of an earlier run to send; {} torn records skipped, {} damaged "
          + "regions quarantined", realDirectory, pending, tornRecords, quarantinedRegions);
    }
    return pending;
  }

  private long[] readAcks() throws IOException {
    Path path = realDirectory.resolve("acks");
    if (!Files.exists(path)) return new long[0];
    byte[] bytes = Files.readAllBytes(path);
    long[] seqs = new long[bytes.length / ACK_BYTES];
    int count = 0;
    int bad = 0;
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    for (int at = 0; at + ACK_BYTES <= bytes.length; at += ACK_BYTES) {
      crc.reset();
      crc.update(bytes, at, 8);
      if ((int) crc.getValue() == buffer.getInt(at + 8)) {
        seqs[count++] = buffer.getLong(at);
      } else {
        bad++;
      }
    }
    if (bad > 0 || bytes.length % ACK_BYTES != 0) {
      // At worst a message is sent again: the API deduplicates by messageId.
      logger.warn("Spool acks file: {} damaged entries and {} trailing bytes ignored; their messages may "
          + "be sent again", bad, bytes.length % ACK_BYTES);
    }
    long[] result = Arrays.copyOf(seqs, count);
    Arrays.sort(result);
    return result;
  }

  /**
   * Reads a recovered segment: counts its unacknowledged records, skips a torn record at its end,
   * and quarantines a damaged region in its middle. Returns the largest seq found, or -1.
   */
  private long scan(Segment segment, long[] acked) throws IOException {
    long fileSize = segment.channel.size();
    segment.fileBytes = fileSize;
    if (fileSize > Integer.MAX_VALUE - 16) throw new IOException("segment too large: " + segment.path);
    ByteBuffer data = ByteBuffer.allocate((int) fileSize);
    while (data.hasRemaining()) {
      if (segment.channel.read(data, data.position()) < 0) break;
    }
    data.flip();
    int end = data.limit();
    int pos = 0;
    long maxSeq = -1;
    int validEnd = 0;
    CRC32C crc = new CRC32C();
    while (pos < end) {
      int length = recordLengthAt(data, pos, end, segment.base, crc);
      if (length < 0) {
        int resume = pos + 1;
        while (resume < end && recordLengthAt(data, resume, end, segment.base, crc) < 0) resume++;
        if (resume >= end) {
          tornRecords++;
          logger.warn("Spool segment {}: skipped a torn record of {} bytes at its end (a crash during a "
              + "write)", segment.path.getFileName(), end - pos);
          break;
        }
        quarantine(segment, data, pos, resume);
        segment.holes.put((long) pos, (long) resume);
        pos = resume;
        continue;
      }
      long seq = data.getLong(pos + HEADER_BYTES);
      maxSeq = Math.max(maxSeq, seq);
      int index = (int) (seq - segment.base);
      if (Arrays.binarySearch(acked, seq) >= 0) {
        segment.acked.set(index);
      } else if (!segment.acked.get(index)) {
        segment.live++;
      }
      pos += HEADER_BYTES + length;
      validEnd = pos;
    }
    segment.size = validEnd;
    // Holes past the last valid record are the torn tail, which size already leaves out.
    segment.holes.tailMap((long) validEnd, true).clear();
    return maxSeq;
  }

  /**
   * The length field of a valid record at {@code pos} (checked against its CRC, its seq against the
   * segment's base), or -1 when there is none there.
   */
  private static int recordLengthAt(ByteBuffer data, int pos, int end, long base, CRC32C crc) {
    if (end - pos < HEADER_BYTES + FIXED_BYTES) return -1;
    int length = data.getInt(pos);
    if (length < FIXED_BYTES || length > MAX_LENGTH || length > end - pos - HEADER_BYTES) return -1;
    long seq = data.getLong(pos + HEADER_BYTES);
    if (seq < base || seq - base > Integer.MAX_VALUE - 1) return -1;
    int type = data.get(pos + HEADER_BYTES + 8);
    if (type < 1 || type >= TYPES.length) return -1;
    int idLength = data.getShort(pos + HEADER_BYTES + 9) & 0xffff;
    if (idLength > length - FIXED_BYTES) return -1;
    crc.reset();
    ByteBuffer slice = data.duplicate();
    slice.position(pos + HEADER_BYTES).limit(pos + HEADER_BYTES + length);
    crc.update(slice);
    return (int) crc.getValue() == data.getInt(pos + 4) ? length : -1;
  }

  private void quarantine(Segment segment, ByteBuffer data, int from, int to) {
    quarantinedRegions++;
    String name = "quarantine-" + String.format("%016d", segment.base) + "-" + from + ".bin";
    Path path = realDirectory.resolve(name);
    try (FileChannel out = FileChannel.open(path, options(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), attributes(posix))) {
      ByteBuffer region = data.duplicate();
      region.position(from).limit(to);
      writeFully(out, region, 0);
    } catch (IOException e) {
      logger.warn("Could not copy a damaged spool region to {}: {}", name, e.toString());
    }
    logger.warn("Spool segment {}: bytes {}..{} are damaged; copied to {} and skipped, the records "
        + "around them are sent", segment.path.getFileName(), from, to, name);
  }

  /** Replaces the acks file by one holding only the acknowledgements of records still on disk. */
  private void rewriteAcks() throws IOException {
    Path tmp = realDirectory.resolve("acks.tmp");
    Path path = realDirectory.resolve("acks");
    long count = 0;
    try (FileChannel out = FileChannel.open(tmp, options(StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), attributes(posix))) {
      ByteBuffer buffer = ByteBuffer.allocate(ACK_BYTES * 1024);
      long at = 0;
      for (Segment segment : segments.values()) {
        for (int i = segment.acked.nextSetBit(0); i >= 0; i = segment.acked.nextSetBit(i + 1)) {
          if (buffer.remaining() < ACK_BYTES) {
            buffer.flip();
            at += writeFully(out, buffer, at);
            buffer.clear();
          }
          putAck(buffer, segment.base + i);
          count++;
        }
      }
      buffer.flip();
      at += writeFully(out, buffer, at);
      if (!sync.isNone()) out.force(true);
    }
    if (acks != null) closeQuietly(acks);
    move(tmp, path);
    acks = FileChannel.open(path, StandardOpenOption.WRITE);
    ackFileBytes = count * ACK_BYTES;
  }

  private static void putAck(ByteBuffer buffer, long seq) {
    CRC32C crc = new CRC32C();
    int at = buffer.position();
    buffer.putLong(seq);
    crc.update(buffer.array(), at, 8);
    buffer.putInt((int) crc.getValue());
  }

  // ---------------------------------------------------------------------------------------------
  // Appending

  /**
   * Writes {@code message} as the next record and hands it to {@code queue}: into the window if the
   * backlog is empty and there is room, otherwise into the backlog. The record is kept only if the
   * queue took it; a message refused for the budget or an I/O error is not written.
   */
  Result append(EncodedMessage message, MessageQueue queue) {
    // A FileChannel closes itself when an interrupted thread uses it; a caller's interrupt must not
    // close the segment for everyone, so it is set aside during the I/O and restored after.
    boolean interrupted = Thread.interrupted();
    try {
      return appendUninterrupted(message, queue);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private Result appendUninterrupted(EncodedMessage message, MessageQueue queue) {
    long target;
    Result result;
    synchronized (this) {
      if (closed) return Result.CLOSED;
      byte[] id = message.messageId().getBytes(StandardCharsets.UTF_8);
      byte[] json = message.bytes();
      int length = FIXED_BYTES + id.length + json.length;
      int recordBytes = HEADER_BYTES + length;
      if (id.length > 0xffff || length > MAX_LENGTH) return Result.ERROR;
      if (totalBytes + recordBytes > maxBytes) return Result.FULL;
      Segment segment;
      long position;
      try {
        segment = writing;
        if (segment == null || segment.sealed || segment.size >= segmentBytes) segment = roll();
        position = segment.size;
        ByteBuffer buffer = record(nextSeq, message.type(), id, json, length);
        writeFully(open(segment), buffer, position);
      } catch (IOException | RuntimeException e) {
        writeFailed(e);
        return Result.ERROR;
      }
      message.spoolSeq = nextSeq;
      MessageQueue.Offer offer = queue.offerSpooled(message, true);
      if (offer == MessageQueue.Offer.CLOSED || offer == MessageQueue.Offer.FAILED) {
        // Not accepted, so not kept: the next client must not send what was reported dropped.
        message.spoolSeq = -1;
        try {
          segment.channel.truncate(position);
        } catch (IOException e) {
          segment.sealed = true;
          logger.warn("Could not take back a spool record after close: {}", e.toString());
        }
        return offer == MessageQueue.Offer.CLOSED ? Result.CLOSED : Result.FAILED;
      }
      nextSeq++;
      segment.endSeq = nextSeq;
      segment.size = position + recordBytes;
      segment.fileBytes = segment.size;
      segment.live++;
      totalBytes += recordBytes;
      appended += recordBytes;
      target = appended;
      if (offer == MessageQueue.Offer.ACCEPTED) {
        // The backlog is empty, so the reader has read everything before this record.
        Segment left = cursor;
        if (left != null && left != segment && left.live == 0) delete(left);
        cursor = segment;
        cursorPos = segment.size;
        result = Result.ACCEPTED;
      } else {
        result = Result.BACKLOGGED;
      }
    }
    if (sync.isEveryWrite()) syncTo(target);
    return result;
  }

  private ByteBuffer record(long seq, Message.Type type, byte[] id, byte[] json, int length) {
    int recordBytes = HEADER_BYTES + length;
    if (writeBuffer.capacity() < recordBytes) writeBuffer = ByteBuffer.allocate(Math.max(recordBytes, writeBuffer.capacity() * 2));
    ByteBuffer buffer = writeBuffer;
    buffer.clear();
    buffer.putInt(length);
    buffer.putInt(0);
    buffer.putLong(seq);
    buffer.put(typeCode(type));
    buffer.putShort((short) id.length);
    buffer.put(id);
    buffer.put(json);
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), HEADER_BYTES, length);
    buffer.putInt(4, (int) crc.getValue());
    buffer.flip();
    return buffer;
  }

  private static byte typeCode(Message.Type type) {
    for (int i = 1; i < TYPES.length; i++) if (TYPES[i] == type) return (byte) i;
    throw new IllegalArgumentException("unknown type " + type);
  }

  /** The segment's channel, reopened if an interrupt (despite our care) closed it. */
  private static FileChannel open(Segment segment) throws IOException {
    FileChannel channel = segment.channel;
    if (channel.isOpen()) return channel;
    synchronized (segment) {
      if (!segment.channel.isOpen()) {
        segment.channel = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      return segment.channel;
    }
  }

  /** Starts a new segment, after sealing (and, with a sync policy, forcing) the current one. */
  private Segment roll() throws IOException {
    Segment old = writing;
    if (old != null) {
      if (!sync.isNone()) old.channel.force(false);
      old.sealed = true;
    }
    long base = nextSeq;
    Path path = realDirectory.resolve(SEGMENT_PREFIX + String.format("%016d", base) + SEGMENT_SUFFIX);
    FileChannel channel = FileChannel.open(path, options(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE), attributes(posix));
    Segment segment = new Segment(base, path, channel, false);
    segments.put(base, segment);
    writing = segment;
    if (!sync.isNone()) forceDirectory();
    if (old != null && old.live == 0 && old != cursor) delete(old);
    return segment;
  }

  /** Makes a new file's name durable, where the platform lets a directory be forced. */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(realDirectory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported everywhere (Windows); the file's data is still forced.
    }
  }

  private void writeFailed(Throwable e) {
    Segment segment = writing;
    if (segment != null) {
      try {
        segment.channel.truncate(segment.size);
      } catch (IOException | RuntimeException ignored) {
        // The partial record stays; recovery skips it as damaged. Write the next one elsewhere.
      }
      segment.sealed = true;
    }
    long now = System.nanoTime();
    long last = lastErrorLogNanos.get();
    if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
      logger.warn("Could not write to the spool in {}: {}; messages are dropped (SPOOL_ERROR) until it "
          + "can", realDirectory, e.toString());
    }
  }

  private static int writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    int written = 0;
    while (buffer.hasRemaining()) written += channel.write(buffer, position + written);
    return written;
  }

  /** Group commit: returns once everything appended up to {@code target} has been forced. */
  private void syncTo(long target) {
    if (synced >= target) return;
    synchronized (syncLock) {
      if (synced >= target) return;
      long upTo;
      Segment segment;
      synchronized (this) {
        upTo = appended;
        segment = writing;
      }
      boolean interrupted = Thread.interrupted();
      try {
        if (segment != null) open(segment).force(false);
        synced = upTo;
      } catch (IOException | RuntimeException e) {
        long now = System.nanoTime();
        long last = lastErrorLogNanos.get();
        if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
          logger.warn("Could not force the spool to disk: {}", e.toString());
        }
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    }
  }

  private void syncLoop() {
    long interval = sync.intervalNanos();
    while (true) {
      synchronized (this) {
        if (closed) return;
        try {
          TimeUnit.NANOSECONDS.timedWait(this, interval);
        } catch (InterruptedException e) {
          return;
        }
        if (closed) return;
      }
      long target;
      synchronized (this) {
        target = appended;
      }
      try {
        syncTo(target);
      } catch (Throwable t) {
        logger.warn("Spool sync failed", t);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Acknowledging

  /** Records that the outcome of {@code messages} is final and reported; never throws. */
  void ack(List<EncodedMessage> messages) {
    boolean interrupted = Thread.interrupted();
    try {
      ackUninterrupted(messages);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void ackUninterrupted(List<EncodedMessage> messages) {
    int count = 0;
    for (EncodedMessage message : messages) if (message.spoolSeq >= 0) count++;
    if (count == 0) return;
    ByteBuffer buffer = ByteBuffer.allocate(count * ACK_BYTES);
    for (EncodedMessage message : messages) if (message.spoolSeq >= 0) putAck(buffer, message.spoolSeq);
    buffer.flip();
    synchronized (this) {
      if (closed) return;
      try {
        writeFully(acks, buffer, ackFileBytes);
        ackFileBytes += buffer.limit();
      } catch (IOException | RuntimeException e) {
        // The records stay unacknowledged on disk: the next client sends them again.
        logger.warn("Could not record acknowledgements in the spool: {}", e.toString());
        return;
      }
      for (EncodedMessage message : messages) {
        long seq = message.spoolSeq;
        if (seq < 0) continue;
        Map.Entry<Long, Segment> entry = segments.floorEntry(seq);
        if (entry == null) continue;
        Segment segment = entry.getValue();
        if (seq >= segment.endSeq) continue;
        int index = (int) (seq - segment.base);
        if (segment.acked.get(index)) continue;
        segment.acked.set(index);
        segment.live--;
        if (segment.live == 0 && segment != writing && segment != cursor) delete(segment);
      }
      if (ackFileBytes > ACK_COMPACT_BYTES) {
        try {
          rewriteAcks();
        } catch (IOException e) {
          logger.warn("Could not compact the spool's acks file: {}", e.toString());
        }
      }
    }
  }

  private void delete(Segment segment) {
    segments.remove(segment.base);
    totalBytes -= segment.fileBytes;
    closeQuietly(segment.channel);
    try {
      Files.deleteIfExists(segment.path);
    } catch (IOException e) {
      logger.warn("Could not delete the spent spool segment {}: {}", segment.path, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading back

  /**
   * Moves backlog messages into the window while it has room, on the flusher thread. Backlog
   * records that cannot be read back (a damaged or deleted file) are counted as dropped.
   */
  void refill(MessageQueue queue, Reporter reporter) {
    boolean interrupted = Thread.interrupted();
    try {
      refillUninterrupted(queue, reporter);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void refillUninterrupted(MessageQueue queue, Reporter reporter) {
    synchronized (readLock) {
      while (true) {
        EncodedMessage message = peeked;
        if (message == null) {
          if (queue.backlog() == 0) return;
          message = next();
          if (message == null) {
            dropUnreadable(queue, reporter);
            return;
          }
          if (message.isRecovered()) reporter.recoveredRead(message);
        }
        if (!queue.admit(message)) {
          peeked = message;
          return;
        }
        peeked = null;
      }
    }
  }

  /**
   * Reads back up to {@code count} backlog messages for close to report as left in the spool; the
   * records stay.
   */
  List<EncodedMessage> readForReport(long count) {
    List<EncodedMessage> messages = new ArrayList<>();
    boolean interrupted = Thread.interrupted();
    try {
      synchronized (readLock) {
        while (messages.size() < count) {
          EncodedMessage message = peeked;
          peeked = null;
          if (message == null) message = next();
          if (message == null) break;
          messages.add(message);
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
    return messages;
  }

  /** The reader is at the end of what was written while the queue counts a backlog: those are lost. */
  private void dropUnreadable(MessageQueue queue, Reporter reporter) {
    long lost;
    synchronized (this) {
      if (cursor != writing || writing == null || cursorPos != writing.size) return;
      lost = queue.backlog();
    }
    if (lost <= 0) return;
    logger.error("Spool {}: {} messages could not be read back (a damaged or deleted segment file); "
        + "counted as dropped (SPOOL_ERROR)", realDirectory, lost);
    List<FlushEpoch.Run> runs = queue.dropBacklog(lost);
    long counted = 0;
    for (FlushEpoch.Run run : runs) counted += run.count;
    reporter.droppedUnread(counted, DropReason.SPOOL_ERROR);
    queue.settle(runs, MessageQueue.Outcome.DROPPED);
  }

  /** The next unacknowledged record after the cursor, or null at the end of what is written. */
  private @Nullable EncodedMessage next() {
    while (true) {
      Segment segment;
      long pos;
      long limit;
      synchronized (this) {
        if (closed) return null;
        segment = cursor;
        if (segment == null) {
          if (writing == null) return null;
          cursor = segment = writing;
          cursorPos = 0;
        }
        pos = cursorPos;
        Map.Entry<Long, Long> hole = segment.holes.floorEntry(pos);
        if (hole != null && pos < hole.getValue()) {
          cursorPos = hole.getValue();
          continue;
        }
        limit = segment.size;
        if (pos >= limit) {
          if (segment == writing) return null;
          Map.Entry<Long, Segment> following = segments.higherEntry(segment.base);
          cursor = following == null ? writing : following.getValue();
          cursorPos = 0;
          if (segment.live == 0) delete(segment);
          continue;
        }
      }
      EncodedMessage message;
      long seq;
      int recordBytes;
      try {
        ByteBuffer data = readAt(segment, pos, limit);
        int length = data.remaining() >= HEADER_BYTES + FIXED_BYTES
            ? recordLengthAt(data, data.position(), data.limit(), segment.base, new CRC32C()) : -1;
        if (length < 0) {
          skipDamaged(segment, pos, limit);
          continue;
        }
        int at = data.position();
        seq = data.getLong(at + HEADER_BYTES);
        Message.Type type = TYPES[data.get(at + HEADER_BYTES + 8)];
        int idLength = data.getShort(at + HEADER_BYTES + 9) & 0xffff;
        int idAt = at + HEADER_BYTES + FIXED_BYTES;
        String id = new String(data.array(), data.arrayOffset() + idAt, idLength, StandardCharsets.UTF_8);
        byte[] json = new byte[length - FIXED_BYTES - idLength];
        System.arraycopy(data.array(), data.arrayOffset() + idAt + idLength, json, 0, json.length);
        message = new EncodedMessage(type, id, json, segment.recovered);
        message.spoolSeq = seq;
        recordBytes = HEADER_BYTES + length;
      } catch (IOException | RuntimeException e) {
        logger.error("Could not read spool segment {} back: {}; its remaining messages are dropped "
            + "(SPOOL_ERROR)", segment.path.getFileName(), e.toString());
        synchronized (this) {
          if (cursor == segment) cursorPos = segment.size;
          if (segment != writing) segment.sealed = true;
        }
        if (segment == writing) return null;
        continue;
      }
      synchronized (this) {
        if (cursor == segment && cursorPos == pos) cursorPos = pos + recordBytes;
        if (segment.acked.get((int) (seq - segment.base))) continue;
      }
      return message;
    }
  }

  /** At least one whole record at {@code pos}, when there is one, from a buffered read. */
  private ByteBuffer readAt(Segment segment, long pos, long limit) throws IOException {
    int wanted = (int) Math.min(HEADER_BYTES + MAX_LENGTH, limit - pos);
    if (bufferSegment != segment || pos < bufferStart || pos + wanted > bufferStart + readBuffer.limit()) {
      readBuffer.clear();
      int toRead = (int) Math.min(readBuffer.capacity(), limit - pos);
      readBuffer.limit(toRead);
      FileChannel channel = open(segment);
      while (readBuffer.hasRemaining()) {
        int n = channel.read(readBuffer, pos + readBuffer.position());
        if (n < 0) throw new IOException("segment " + segment.path.getFileName() + " ends before its records do");
      }
      readBuffer.flip();
      bufferSegment = segment;
      bufferStart = pos;
    }
    ByteBuffer view = readBuffer.duplicate();
    view.position((int) (pos - bufferStart));
    view.limit((int) Math.min(readBuffer.limit(), pos - bufferStart + (limit - pos)));
    return view;
  }

  /** A record written in this run that does not check out: skip to the next one that does. */
  private void skipDamaged(Segment segment, long pos, long limit) throws IOException {
    long resume = limit;
    CRC32C crc = new CRC32C();
    for (long at = pos + 1; at < limit; at++) {
      ByteBuffer data = readAt(segment, at, limit);
      if (recordLengthAt(data, data.position(), data.limit(), segment.base, crc) >= 0) {
        resume = at;
        break;
      }
    }
    logger.error("Spool segment {}: bytes {}..{} are damaged and skipped; their messages are dropped "
        + "(SPOOL_ERROR)", segment.path.getFileName(), pos, resume);
    synchronized (this) {
      if (cursor == segment && cursorPos == pos) cursorPos = resume;
    }
  }

  // ---------------------------------------------------------------------------------------------

  synchronized long bytes() {
    return totalBytes;
  }

  Path directory() {
    return directory;
  }

  /**
   * Forces what was written (with a sync policy), closes the files and releases the lock. What is
   * not acknowledged stays for the next client; acknowledgements arriving later are not recorded, so
   * those messages are sent again by the next client.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      if (!sync.isNone() && writing != null) {
        try {
          writing.channel.force(false);
        } catch (IOException e) {
          logger.warn("Could not force the spool to disk at close: {}", e.toString());
        }
      }
      closed = true;
      notifyAll();
      boolean empty = true;
      for (Segment segment : segments.values()) if (segment.live > 0) empty = false;
      for (Segment segment : new ArrayList<>(segments.values())) {
        if (empty) {
          delete(segment);
        } else {
          closeQuietly(segment.channel);
        }
      }
      if (empty) {
        try {
          acks.truncate(0);
        } catch (IOException e) {
          // Stale acks are dropped by the next client's compaction.
        }
      }
      closeQuietly(acks);
    }
    if (syncThread != null) syncThread.interrupt();
    try {
      fileLock.release();
    } catch (IOException e) {
      // Closing the channel releases it too.
    }
    closeQuietly(lockChannel);
    OWNED.remove(realDirectory);
  }

  private static void closeQuietly(@Nullable Closeable closeable) {
    if (closeable == null) return;
    try {
      closeable.close();
    } catch (IOException e) {
      // Nothing left to do with it.
    }
  }

  @Override
  public String toString() {
    return "Spool{directory=" + directory + ", maxBytes=" + maxBytes + ", sync=" + sync + "}";
  }
}
