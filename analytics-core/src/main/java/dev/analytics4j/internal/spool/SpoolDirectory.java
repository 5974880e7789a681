package dev.analytics4j.internal.spool;

import dev.analytics4j.internal.Log;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Who owns a spool directory, and whose messages it holds. Opening one creates it {@code rwx------},
 * tightens or refuses one that others can read or write, takes the lock that makes this client its
 * only owner, and checks the {@code meta} file's write-key fingerprint, writing it atomically for a
 * new directory. {@link #lost()} tells when the directory or its lock file is no longer the one
 * opened: from then on the owner must create, write and delete nothing in it.
 */
public final class SpoolDirectory implements Closeable {
  private static final Log logger = Log.get(SpoolDirectory.class);
  static final String LOCK = "lock";
  static final String META = "meta";
  static final String META_TEMP = "meta.tmp";
  private static final String FINGERPRINT_PREFIX = "analytics4j spool write key fingerprint v1\n";
  private static final int MAX_META_BYTES = 4096;
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  /**
   * Directories owned by a client of this JVM, each with its owner (or a token while it opens): a
   * second lock on the same file here would throw. An owner that finds it no longer owns its
   * directory gives the path up.
   */
  private static final ConcurrentHashMap<Path, Object> OWNED = new ConcurrentHashMap<>();

  private final Path path;
  private final SpoolFileSystem fileSystem;
  private final SpoolFile lockFile;
  private final Object lockIdentity;
  private volatile @Nullable String lostReason;

  private SpoolDirectory(Path path, SpoolFileSystem fileSystem, SpoolFile lockFile, Object lockIdentity) {
    this.path = path;
    this.fileSystem = fileSystem;
    this.lockFile = lockFile;
    this.lockIdentity = lockIdentity;
  }

  /**
   * Opens (creating it if needed) the spool directory {@code directory} for {@code writeKey}.
   *
   * @throws IllegalStateException when another client owns it, it holds messages of another write
   *     key or of a key it cannot tell, or others can write to it and it is not this user's.
   * @throws UncheckedIOException when it cannot be created, read or locked.
   */
  public static SpoolDirectory open(Path directory, String writeKey, SpoolFileSystem.Factory factory) {
    Path real;
    try {
      if (!Files.isDirectory(directory)) {
        Path parent = directory.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) parent = parent.getParent();
        if (parent != null && Files.getFileStore(parent).supportsFileAttributeView("posix")) {
          Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(directory);
        }
      }
      real = directory.toRealPath();
      checkPermissions(real);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the spool directory " + directory + ": " + e, e);
    }
    Object token = new Object();
    Object owner = OWNED.putIfAbsent(real, token);
    // An owner in this JVM whose directory was removed, or its lock deleted, gives the path up.
    if (owner instanceof SpoolDirectory && !((SpoolDirectory) owner).checkOwned()) owner = OWNED.putIfAbsent(real, token);
    if (owner != null) {
      throw new IllegalStateException("spool directory " + real + " is in use by another client in "
          + "this JVM: one client per directory (close it first, or give each client its own directory)");
    }
    SpoolFileSystem fileSystem = null;
    SpoolFile lockFile = null;
    try {
      fileSystem = factory.open(real);
      lockFile = openLock(fileSystem);
      if (!lockFile.tryLock()) {
        throw new IllegalStateException("spool directory " + real + " is in use by another process "
            + "(its lock file is locked): one client per directory");
      }
      SpoolFileSystem.Entry lock = fileSystem.entry(LOCK);
      if (lock == null) throw new IOException("its lock file disappeared as it was being locked");
      checkMeta(fileSystem, real, writeKey);
      SpoolDirectory opened = new SpoolDirectory(real, fileSystem, lockFile, lock.identity());
      OWNED.replace(real, token, opened);
      return opened;
    } catch (IOException e) {
      release(real, fileSystem, lockFile, token);
      throw new UncheckedIOException("cannot open the spool in " + real + ": " + e, e);
    } catch (RuntimeException | Error e) {
      release(real, fileSystem, lockFile, token);
      throw e;
    }
  }

  private static SpoolFile openLock(SpoolFileSystem fileSystem) throws IOException {
    if (fileSystem.entry(LOCK) == null) {
      try {
        return fileSystem.create(LOCK);
      } catch (FileAlreadyExistsException e) {
        // Another process made it just now; its lock decides.
      }
    }
    return fileSystem.open(LOCK);
  }

  /**
   * The directory holds people's messages as sent. One that others may read or write (where they
   * could plant a link) is tightened to {@code rwx------} when it is this user's, and refused when
   * it is not; both are logged.
   */
  private static void checkPermissions(Path real) throws IOException {
    if (!Files.isDirectory(real)) throw new IllegalStateException("spool directory " + real + " is not a directory");
    if (!Files.getFileStore(real).supportsFileAttributeView("posix")) return;
    PosixFileAttributes attributes = Files.readAttributes(real, PosixFileAttributes.class);
    Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
    open.addAll(attributes.permissions());
    open.retainAll(OTHERS);
    if (open.isEmpty()) return;
    String was = PosixFilePermissions.toString(attributes.permissions());
    UserPrincipal me = null;
    try {
      me = real.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    } catch (IOException | RuntimeException e) {
      // Unknown: treated as not ours.
    }
    if (me != null && me.equals(attributes.owner())) {
      Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
      logger.warn("Spool directory {} was {}; tightened to rwx------: it holds messages as sent "
          + "(personal data), and others could read them or plant files in it", real, was);
      return;
    }
    logger.error("Spool directory {} is {} and owned by {}, not by this user; refused", real, was, attributes.owner());
    throw new IllegalStateException("spool directory " + real + " is " + was + " and owned by "
        + attributes.owner() + ", not by this process's user: others could read its messages or plant "
        + "files in it. Give the client a directory of its own (one it creates is rwx------), or make "
        + "this one rwx------");
  }

  public static String fingerprint(String writeKey) {
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
   * Refuses a directory whose messages belong to another write key (sent under this key they would
   * land in another source), or to a key it cannot tell; writes {@code meta} for a directory that
   * holds no messages yet.
   */
  private static void checkMeta(SpoolFileSystem fileSystem, Path real, String writeKey) throws IOException {
    // Left by a crash during a write of meta: never read, as only the rename makes meta whole.
    fileSystem.delete(META_TEMP);
    String expected = fingerprint(writeKey);
    String[] problem = new String[1];
    String found = readKeyLine(fileSystem, real, problem);
    if (found != null) {
      if (!found.equals(expected)) {
        throw new IllegalStateException("spool directory " + real + " holds messages of another "
            + "write key (its meta file has another key fingerprint); they must not be sent under this "
            + "key. Give this key its own directory; to deliver the old messages, start a client with "
            + "the old key on this directory; to discard them, delete the directory");
      }
      return;
    }
    String foreign = foreignFile(fileSystem);
    if (foreign != null) {
      throw new IllegalStateException("spool directory " + real + " holds a file named " + foreign + " that no "
          + "spool wrote, which the client would overwrite: give the client a directory of its own");
    }
    boolean holdsRecords = false;
    for (String name : fileSystem.list()) {
      if (Segment.baseOf(name) < 0) continue;
      SpoolFileSystem.Entry segment = fileSystem.entry(name);
      if (segment != null && segment.size() > 0) holdsRecords = true;
    }
    if (holdsRecords) {
      throw new IllegalStateException("spool directory " + real + " holds messages, but its meta file "
          + problem[0] + ", so whose write key they belong to cannot be told, and they are not sent "
          + "(under another key they would land in another source). If they are this key's: start a "
          + "client with this key on a new, empty directory, close it, move the segment-* files into "
          + "that directory and start the client there. To discard them, delete this directory");
    }
    writeMeta(fileSystem, "analytics4j spool\nformat " + RecordCodec.FORMAT_VERSION + "\nkey-sha256 " + expected + "\n");
  }

  /**
   * In a directory without a key fingerprint, which the client would take as new: a {@code meta} or
   * {@code acks} file that no spool wrote, not even one damaged by a crash or an operator (a meta
   * that is not empty, zeroed or a cut copy of ours; acks entries whose checksums fail), and that
   * taking the directory would overwrite; null when there is none.
   */
  private static @Nullable String foreignFile(SpoolFileSystem fileSystem) throws IOException {
    String header = "analytics4j spool\n";
    SpoolFileSystem.Entry meta = fileSystem.entry(META);
    if (meta != null && meta.regularFile() && meta.size() > 0) {
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(meta.size(), header.length()));
      try (SpoolFile file = fileSystem.open(META)) {
        file.readFully(head, 0);
      }
      String text = new String(head.array(), 0, head.position(), StandardCharsets.UTF_8);
      if (!header.startsWith(text) && text.chars().anyMatch(c -> c != 0)) return META;
    }
    SpoolFileSystem.Entry acks = fileSystem.entry(AckLog.NAME);
    if (acks != null && acks.regularFile() && acks.size() > 0 && acks.size() <= 2 * AckLog.COMPACT_BYTES) {
      AckLog.Read read = AckLog.read(fileSystem, seq -> { });
      if (read.damaged > 0 || read.trailingBytes > 0) return AckLog.NAME;
    }
    return null;
  }

  /**
   * The key fingerprint of the {@code meta} file; null, with the reason in {@code problem[0]}, when
   * it is missing or holds none.
   *
   * @throws IllegalStateException when it is of another format version.
   */
  private static @Nullable String readKeyLine(SpoolFileSystem fileSystem, Path real, String[] problem) throws IOException {
    SpoolFileSystem.Entry entry = fileSystem.entry(META);
    if (entry == null) {
      problem[0] = "is missing";
      return null;
    }
    if (!entry.regularFile() || entry.size() > MAX_META_BYTES) {
      problem[0] = entry.regularFile() ? "has " + entry.size() + " bytes, more than a meta file can" : "is not a regular file";
      return null;
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) entry.size());
    try (SpoolFile file = fileSystem.open(META)) {
      file.readFully(bytes, 0);
    }
    String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
    String version = null;
    String key = null;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("format ")) version = line.substring("format ".length()).trim();
      if (line.startsWith("key-sha256 ")) key = line.substring("key-sha256 ".length()).trim();
    }
    if (version != null && !version.equals(Integer.toString(RecordCodec.FORMAT_VERSION))) {
      throw new IllegalStateException("spool directory " + real + " has format " + version
          + "; this client reads format " + RecordCodec.FORMAT_VERSION);
    }
    if (key == null || !key.matches("[0-9a-f]{64}")) {
      problem[0] = "has no key fingerprint (it is empty, zeroed, or was cut short by a crash during its first write)";
      return null;
    }
    return key;
  }

  /** Writes {@code meta} whole or not at all: a new file, forced, renamed over, the directory forced. */
  private static void writeMeta(SpoolFileSystem fileSystem, String content) throws IOException {
    try (SpoolFile file = fileSystem.create(META_TEMP)) {
      file.writeFully(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
      file.force();
    }
    fileSystem.rename(META_TEMP, META);
    fileSystem.forceDirectory();
  }

  public Path path() {
    return path;
  }

  public SpoolFileSystem fileSystem() {
    return fileSystem;
  }

  /**
   * False, from now on, once the directory is found to be no longer this client's ({@link #lost()});
   * the first time, one WARN says what happens next.
   */
  public boolean checkOwned() {
    if (lostReason != null) return false;
    String lost = lost();
    if (lost == null) return true;
    lostReason = lost;
    // Another client of this JVM may now take the path.
    OWNED.remove(path, this);
    logger.warn("Spool {}: {}. This client no longer owns it and writes nothing more there: new messages "
        + "are kept in memory only, as without a spool; what it had written is still sent from its open "
        + "files, and what is unsent at close is reported SPOOLED only if its record is still in this directory "
        + "for the next client, else CLOSE_TIMEOUT", path, lost);
    return false;
  }

  /** Whether {@link #checkOwned()} has found the directory no longer this client's. */
  public boolean detached() {
    return lostReason != null;
  }

  /**
   * Why this client no longer owns the directory (its path now names another directory or none, or
   * its lock file was deleted or replaced, so another client may own it); null while it does.
   */
  public @Nullable String lost() {
    try {
      if (!fileSystem.stillNamed()) return "the directory was removed or replaced";
      SpoolFileSystem.Entry lock = fileSystem.entry(LOCK);
      if (lock == null) return "its lock file was deleted";
      if (!Objects.equals(lock.identity(), lockIdentity)) return "its lock file was replaced";
      return null;
    } catch (IOException | RuntimeException e) {
      return "it cannot be checked: " + e;
    }
  }

  /**
   * Whether the path still names the directory this client opened, whatever became of its lock
   * file: then the records written in it are where the next client on the path finds them.
   */
  public boolean stillNamed() {
    try {
      return fileSystem.stillNamed();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Releases the lock and the directory. */
  @Override
  public void close() {
    release(path, fileSystem, lockFile, this);
  }

  /** Closes the lock file and the file system, and gives the path up if {@code owner} still holds it. */
  private static void release(Path real, @Nullable SpoolFileSystem fileSystem, @Nullable SpoolFile lockFile,
      Object owner) {
    try {
      if (lockFile != null) lockFile.close();
    } catch (IOException e) {
      // Closing the file releases its lock whatever else fails.
    }
    try {
      if (fileSystem != null) fileSystem.close();
    } catch (IOException e) {
      // Nothing left to do with it.
    }
    OWNED.remove(real, owner);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
