package dev.analytics4j.internal.spool;

import dev.analytics4j.internal.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a client finds in its directory at start: the segments an earlier client left, which of their
 * records are valid and not yet acknowledged, and what cannot be used. Memory and time stay bounded
 * whatever the files hold: records are read through a bounded buffer, and a file larger than the
 * format allows (a sparse or planted file) is set aside by renaming it, never read.
 *
 * <p>Nothing found here is fatal to the good records: a damaged region, an oversized or unreadable
 * segment, a link where a segment should be, or an oversized acks file is quarantined (renamed to
 * {@code quarantine-...}) and logged, and the rest is sent. Quarantined files do not count against
 * {@code spoolMaxBytes}; nothing removes them but the operator, whom a WARN at each start reminds.
 */
public final class Recovery {
  private static final Log logger = Log.get(Recovery.class);
  static final String QUARANTINE_PREFIX = "quarantine-";

  public final TreeMap<Long, Segment> segments = new TreeMap<>();
  /** The seq the next record gets: past every seq used in the directory. */
  public long nextSeq;
  /** Valid records not acknowledged: the messages to send. */
  public long pending;
  public int tornRecords;
  public int damagedRegions;
  /** Files this recovery set aside. */
  public int quarantinedFiles;

  private final SpoolFileSystem fileSystem;

  private Recovery(SpoolFileSystem fileSystem) {
    this.fileSystem = fileSystem;
  }

  /** Reads the directory; deletes the segments with nothing left to send. */
  public static Recovery run(SpoolFileSystem fileSystem, RecordReader reader) throws IOException {
    Recovery recovery = new Recovery(fileSystem);
    recovery.scanAll(reader);
    return recovery;
  }

  private void scanAll(RecordReader reader) throws IOException {
    List<String> names = fileSystem.list();
    long records = 0;
    int earlierQuarantined = 0;
    long earlierQuarantinedBytes = 0;
    for (String name : names) {
      if (name.startsWith(QUARANTINE_PREFIX)) {
        SpoolFileSystem.Entry entry = fileSystem.entry(name);
        earlierQuarantined++;
        if (entry != null) earlierQuarantinedBytes += entry.size();
        continue;
      }
      long base = Segment.baseOf(name);
      if (base < 0) continue;
      nextSeq = Math.max(nextSeq, base + 1);
      Segment segment = open(name, base);
      if (segment == null) continue;
      scan(segment, reader);
      nextSeq = Math.max(nextSeq, segment.endSeq);
      records += segment.present.cardinality();
      segments.put(base, segment);
    }
    applyAcks(records);
    for (Segment segment : new ArrayList<>(segments.values())) {
      pending += segment.live;
      if (segment.live == 0) {
        segments.remove(segment.base);
        segment.file.close();
        fileSystem.delete(segment.name);
      }
    }
    if (earlierQuarantined > 0) {
      logger.warn("Spool {}: {} quarantined files ({} bytes) set aside by earlier runs are never sent; "
          + "inspect them (docs/spool-format.md) and delete them", fileSystem, earlierQuarantined,
          earlierQuarantinedBytes);
    }
  }

  /** The segment file {@code name}, open; null when it is set aside or gone. */
  private @Nullable Segment open(String name, long base) throws IOException {
    SpoolFileSystem.Entry entry = fileSystem.entry(name);
    if (entry == null) return null;
    if (!entry.regularFile()) {
      quarantine(name, "it is not a regular file (a link or a directory was put there)");
      return null;
    }
    if (entry.size() > RecordCodec.MAX_SEGMENT_BYTES) {
      quarantine(name, "it has " + entry.size() + " bytes, more than a segment of the format can ("
          + RecordCodec.MAX_SEGMENT_BYTES + ")");
      return null;
    }
    try {
      Segment segment = new Segment(base, fileSystem.open(name), true);
      segment.sealed = true;
      return segment;
    } catch (IOException e) {
      quarantine(name, "it cannot be opened: " + e);
      return null;
    }
  }

  /** Reads a recovered segment's records, skipping a torn tail and copying damaged regions out. */
  private void scan(Segment segment, RecordReader reader) throws IOException {
    long size = segment.file.size();
    segment.fileBytes = size;
    long pos = 0;
    long validEnd = 0;
    reader.reset();
    while (true) {
      RecordReader.Found found = reader.read(segment.file, segment.base, pos, size, false);
      if (found == RecordReader.Found.END) break;
      if (found == RecordReader.Found.RECORD) {
        int index = (int) (reader.seq - segment.base);
        if (!segment.present.get(index)) {
          segment.present.set(index);
          segment.live++;
        }
        segment.endSeq = Math.max(segment.endSeq, reader.seq + 1);
        pos = reader.end;
        validEnd = pos;
        continue;
      }
      if (reader.end >= size || found == RecordReader.Found.CUT) {
        tornRecords++;
        logger.warn("Spool segment {}: skipped a torn record of {} bytes at its end (a crash during a "
            + "write)", segment.name, size - pos);
        break;
      }
      copyOut(segment, pos, reader.end);
      segment.holes.put(pos, reader.end);
      pos = reader.end;
    }
    segment.size = validEnd;
    // Holes past the last valid record are the torn tail, which size already leaves out.
    segment.holes.tailMap(validEnd, true).clear();
  }

  /** Copies a damaged region to a new quarantine file, a chunk at a time, for inspection. */
  private void copyOut(Segment segment, long from, long to) {
    damagedRegions++;
    String name = QUARANTINE_PREFIX + String.format("%016d", segment.base) + "-" + from + ".bin";
    try (SpoolFile out = createFresh(name)) {
      ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(64 * 1024, to - from));
      for (long at = from; at < to; ) {
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), to - at));
        int n = segment.file.readFully(chunk, at);
        if (n == 0) break;
        chunk.flip();
        out.writeFully(chunk, at - from);
        at += n;
      }
      logger.warn("Spool segment {}: bytes {}..{} are damaged; copied to {} and skipped, the records "
          + "around them are sent", segment.name, from, to, name);
    } catch (IOException e) {
      logger.warn("Spool segment {}: bytes {}..{} are damaged and skipped, the records around them "
          + "are sent; could not copy them out: {}", segment.name, from, to, e.toString());
    }
  }

  /** Creates {@code name}, or the first free {@code name.N}: never opens what is already there. */
  private SpoolFile createFresh(String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return fileSystem.create(attempt == 0 ? name : name + "." + attempt);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 20) throw e;
      }
    }
  }

  /** Sets the file {@code name} aside under a new name, and says why. */
  private void quarantine(String name, String why) throws IOException {
    quarantinedFiles++;
    String target = null;
    for (int attempt = 0; attempt < 20 && target == null; attempt++) {
      String candidate = QUARANTINE_PREFIX + name + (attempt == 0 ? "" : "." + attempt);
      if (fileSystem.entry(candidate) == null) target = candidate;
    }
    if (target == null) throw new IOException("no free quarantine name for " + name);
    fileSystem.rename(name, target);
    logger.warn("Spool {}: set {} aside as {} and sent nothing of it: {}", fileSystem, name, target, why);
  }

  /**
   * Marks the records the {@code acks} file acknowledges. A file larger than the acknowledgements of
   * {@code records} records could make (plus what accrues between two rewrites) is not read but set
   * aside: its records are then sent again, which the API deduplicates.
   */
  private void applyAcks(long records) throws IOException {
    SpoolFileSystem.Entry entry = fileSystem.entry(AckLog.NAME);
    if (entry == null) return;
    long limit = records * RecordCodec.ACK_BYTES + 2 * AckLog.COMPACT_BYTES;
    if (!entry.regularFile() || entry.size() > limit) {
      quarantine(AckLog.NAME, entry.regularFile()
          ? "it has " + entry.size() + " bytes, more than acknowledgements of the " + records
              + " records on disk can take (" + limit + "); their messages may be sent again"
          : "it is not a regular file (a link or a directory was put there)");
      return;
    }
    AckLog.Read read = AckLog.read(fileSystem, seq -> {
      Map.Entry<Long, Segment> floor = segments.floorEntry(seq);
      if (floor != null) floor.getValue().acknowledge(seq);
    });
    if (read.damaged > 0 || read.trailingBytes > 0) {
      logger.warn("Spool acks file: {} damaged entries and {} trailing bytes ignored; their messages may "
          + "be sent again", read.damaged, read.trailingBytes);
    }
  }
}
