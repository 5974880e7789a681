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

  EncodedMessage(Message.Type type, String messageId, byte[] bytes) {
    this.type = type;
    this.messageId = messageId;
    this.bytes = bytes;
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
    return "EncodedMessage{type=" + type.wireName() + ", messageId=" + messageId + ", bytes=" + bytes.length + "}";
  }
}
