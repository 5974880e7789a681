package dev.analytics4j;

import dev.analytics4j.messages.Message;
import java.nio.charset.StandardCharsets;

/**
 * A message as it was serialized at enqueue time: the bytes that go on the wire, unchanged. This is
 * what {@link Callback} reports on; {@link #json()} lets a caller keep a failed message (a
 * dead-letter file, say) and send it again later with the same {@code messageId}.
 */
public final class EncodedMessage {
  private final Message.Type type;
  private final String messageId;
  private final byte[] bytes;
  private final boolean recovered;
  /**
   * The sequence number of its record in the spool, or -1 when it has none; set by the spool under
   * its lock before the message is handed to the queue, which publishes it to the other threads.
   */
  long spoolSeq = -1;
  /**
   * When this client accepted it ({@link System#nanoTime()}), from which a spooled message's age is
   * measured against {@code spoolMaxAge}: set by the queue as it takes a spooled message, and for a
   * message read back from the spool to when it was backlogged or recovered; the queue's lock
   * publishes it to the upload threads. Until then, when it was made.
   */
  long enqueuedNanos = System.nanoTime();

  EncodedMessage(Message.Type type, String messageId, byte[] bytes) {
    this(type, messageId, bytes, false);
  }

  EncodedMessage(Message.Type type, String messageId, byte[] bytes, boolean recovered) {
    this.type = type;
    this.messageId = messageId;
    this.bytes = bytes;
    this.recovered = recovered;
  }

  /**
   * True for a message an earlier client (an earlier run of the process) accepted and left in the
   * spool, which this client read back and is sending; always false without a spool.
   */
  public boolean isRecovered() {
    return recovered;
  }

  public Message.Type type() {
    return type;
  }

  public String messageId() {
    return messageId;
  }

  /** The size of the serialized message in bytes (UTF-8). */
  public int size() {
    return bytes.length;
  }

  /** The message as sent: one JSON object. */
  public String json() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The serialized message, shared, never to be modified. */
  byte[] bytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return "EncodedMessage{type=" + type.wireName() + ", messageId=" + messageId + ", bytes=" + bytes.length
        + (recovered ? ", recovered" : "") + "}";
  }
}
