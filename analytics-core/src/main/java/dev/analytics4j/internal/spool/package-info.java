/**
 * Not API: may change in any release. The spool's storage: its directory and who owns it
 * ({@link dev.analytics4j.internal.spool.SpoolDirectory}), the record layout of
 * {@code docs/spool-format.md} ({@link dev.analytics4j.internal.spool.RecordCodec}), one segment file
 * ({@link dev.analytics4j.internal.spool.Segment}), the acknowledgement file
 * ({@link dev.analytics4j.internal.spool.AckLog}), what a client finds at start
 * ({@link dev.analytics4j.internal.spool.Recovery}), and the file-system seam every file operation
 * goes through ({@link dev.analytics4j.internal.spool.SpoolFileSystem}), which tests replace to
 * inject faults and power losses. The coordinator that the queue calls is {@code dev.analytics4j.Spool}.
 *
 * <p>Words: a <em>record</em> is one message on disk; <em>acknowledged</em> means its outcome is
 * final and reported, so the record may go; <em>live</em> records are those not acknowledged; the
 * <em>backlog</em> is the live records not yet read back into memory; <em>quarantined</em> files were
 * set aside by renaming and are never read again.
 */
@NullMarked
package dev.analytics4j.internal.spool;

import org.jspecify.annotations.NullMarked;
