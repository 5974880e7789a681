package dev.analytics4j.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The spool's files on the real file system. Where the platform offers a {@link
 * SecureDirectoryStream} (Linux), every operation is made relative to the directory as it was when
 * opened ({@code openat} and friends): a directory removed and made again under the same path is
 * never written, and a link planted in it is never followed. Elsewhere the same is done by path,
 * with {@link LinkOption#NOFOLLOW_LINKS} and an identity check before each create or rename.
 */
public final class DirectoryFileSystem implements SpoolFileSystem {
  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private final Path path;
  private final @Nullable SecureDirectoryStream<Path> secure;
  private final Object identity;
  private final FileAttribute<?>[] ownerOnly;

  private DirectoryFileSystem(Path path, @Nullable SecureDirectoryStream<Path> secure, Object identity,
      boolean posix) {
    this.path = path;
    this.secure = secure;
    this.identity = identity;
    this.ownerOnly = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /** Opens the existing directory {@code directory}, which must be its real path (no links in it). */
  public static DirectoryFileSystem open(Path directory) throws IOException {
    boolean posix = Files.getFileStore(directory).supportsFileAttributeView("posix");
    DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
    if (stream instanceof SecureDirectoryStream) {
      SecureDirectoryStream<Path> secure = (SecureDirectoryStream<Path>) stream;
      try {
        BasicFileAttributes attributes = secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        return new DirectoryFileSystem(directory, secure, identityOf(directory, attributes), posix);
      } catch (IOException | RuntimeException e) {
        stream.close();
        throw e;
      }
    }
    stream.close();
    BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class, NO_FOLLOW);
    return new DirectoryFileSystem(directory, null, identityOf(directory, attributes), posix);
  }

  /** The file key where there is one (device and inode); else the creation time, the best there is. */
  private static Object identityOf(Path path, BasicFileAttributes attributes) {
    Object key = attributes.fileKey();
    return key != null ? key : path + "@" + attributes.creationTime();
  }

  public Path path() {
    return path;
  }

  private Path name(String name) {
    Path relative = path.getFileSystem().getPath(name);
    if (relative.getNameCount() != 1 || relative.isAbsolute() || name.equals("..") || name.equals(".")) {
      throw new IllegalArgumentException("not a file name: " + name);
    }
    return relative;
  }

  @Override
  public SpoolFile create(String name) throws IOException {
    return openFile(name, options(StandardOpenOption.CREATE_NEW), true);
  }

  @Override
  public SpoolFile open(String name) throws IOException {
    Entry entry = entry(name);
    if (entry == null) throw new NoSuchFileException(path.resolve(name).toString());
    if (!entry.regularFile()) throw new IOException(path.resolve(name) + " is not a regular file (a link?)");
    return openFile(name, options(), false);
  }

  /** Read, write, never through a link; and {@code more}. */
  private static Set<OpenOption> options(OpenOption... more) {
    Set<OpenOption> options = new HashSet<>();
    options.add(StandardOpenOption.READ);
    options.add(StandardOpenOption.WRITE);
    options.add(LinkOption.NOFOLLOW_LINKS);
    Collections.addAll(options, more);
    return options;
  }

  private SpoolFile openFile(String name, Set<OpenOption> options, boolean creating) throws IOException {
    FileChannel channel = channel(name, options, creating);
    Entry entry = entry(name);
    Object fileIdentity = entry != null ? entry.identity() : name;
    return new ChannelFile(this, name, channel, fileIdentity);
  }

  private FileChannel channel(String name, Set<OpenOption> options, boolean creating) throws IOException {
    Path file = name(name);
    if (secure != null) {
      SeekableByteChannel channel = secure.newByteChannel(file, options, creating ? ownerOnly : new FileAttribute<?>[0]);
      if (channel instanceof FileChannel) return (FileChannel) channel;
      channel.close();
    }
    if (creating) checkStillNamed();
    return FileChannel.open(path.resolve(file), options, creating ? ownerOnly : new FileAttribute<?>[0]);
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    if (secure != null) {
      try (DirectoryStream<Path> entries = secure.newDirectoryStream(path.getFileSystem().getPath("."), NO_FOLLOW)) {
        for (Path entry : entries) names.add(entry.getFileName().toString());
      }
    } else {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path entry : entries) names.add(entry.getFileName().toString());
      }
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public void rename(String from, String to) throws IOException {
    if (secure != null) {
      secure.move(name(from), secure, name(to));
      return;
    }
    checkStillNamed();
    Files.move(path.resolve(name(from)), path.resolve(name(to)), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public boolean delete(String name) throws IOException {
    try {
      if (secure != null) {
        secure.deleteFile(name(name));
      } else {
        Files.delete(path.resolve(name(name)));
      }
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public void forceDirectory() throws IOException {
    checkStillNamed();
    try (FileChannel directory = FileChannel.open(path, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException | RuntimeException e) {
      // Windows cannot open a directory; its file system keeps names without being asked.
      if (secure != null) throw e;
    }
  }

  @Override
  public @Nullable Entry entry(String name) throws IOException {
    BasicFileAttributes attributes;
    try {
      if (secure != null) {
        attributes = secure.getFileAttributeView(name(name), BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
      } else {
        attributes = Files.readAttributes(path.resolve(name(name)), BasicFileAttributes.class, NO_FOLLOW);
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    return new Entry(identityOf(path.resolve(name), attributes), attributes.isRegularFile(), attributes.size());
  }

  @Override
  public boolean stillNamed() throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, NO_FOLLOW);
      return attributes.isDirectory() && Objects.equals(identityOf(path, attributes), identity);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private void checkStillNamed() throws IOException {
    if (!stillNamed()) throw new NoSuchFileException(path.toString(), null, "the spool directory was removed or replaced");
  }

  @Override
  public void close() throws IOException {
    if (secure != null) secure.close();
  }

  @Override
  public String toString() {
    return path.toString();
  }

  /**
   * A file of the directory. A {@link FileChannel} closes itself when a thread using it is
   * interrupted; then it is opened again, by name, only if the name still leads to this very file.
   */
  private static final class ChannelFile implements SpoolFile {
    private final DirectoryFileSystem fileSystem;
    private final String name;
    private final Object identity;
    private volatile FileChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private volatile @Nullable FileLock fileLock;

    ChannelFile(DirectoryFileSystem fileSystem, String name, FileChannel channel, Object identity) {
      this.fileSystem = fileSystem;
      this.name = name;
      this.channel = channel;
      this.identity = identity;
    }

    private FileChannel channel() throws IOException {
      FileChannel current = channel;
      if (current.isOpen()) return current;
      // A java.util.concurrent lock: opening a file under a monitor would pin a virtual thread.
      lock.lock();
      try {
        if (closed) throw new ClosedChannelException();
        if (!channel.isOpen()) {
          if (fileLock != null) throw new ClosedChannelException();
          Entry entry = fileSystem.entry(name);
          if (entry == null || !entry.identity().equals(identity)) {
            throw new NoSuchFileException(name, null, "was deleted or replaced while open, and an interrupt closed it");
          }
          channel = fileSystem.channel(name, options(), false);
        }
        return channel;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel().read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return channel().write(src, position);
    }

    @Override
    public long size() throws IOException {
      return channel().size();
    }

    @Override
    public void truncate(long size) throws IOException {
      channel().truncate(size);
    }

    @Override
    public void force() throws IOException {
      channel().force(false);
    }

    @Override
    public boolean tryLock() throws IOException {
      lock.lock();
      try {
        fileLock = channel().tryLock();
      } catch (OverlappingFileLockException e) {
        return false;
      } finally {
        lock.unlock();
      }
      return fileLock != null;
    }

    @Override
    public void close() throws IOException {
      lock.lock();
      try {
        closed = true;
      } finally {
        lock.unlock();
      }
      channel.close();
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
