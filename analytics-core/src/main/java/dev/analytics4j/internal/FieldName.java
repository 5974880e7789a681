package dev.analytics4j.internal;

import dev.analytics4j.messages.Message;
import java.nio.charset.StandardCharsets;

/**
 * A name the encoder writes into every message (the envelope's fields, {@code library}), with its
 * UTF-8 made once: the sink copies those bytes where Moshi asks for the name's stand-in
 * ({@link Utf8Sink#RAW_NAME}), instead of Moshi scanning its chars for escapes and the sink walking
 * them again, for each of the ~10 names of each message. None needs escaping.
 */
final class FieldName {
  static final FieldName TYPE = new FieldName("type");
  static final FieldName MESSAGE_ID = new FieldName("messageId");
  static final FieldName TIMESTAMP = new FieldName("timestamp");
  static final FieldName USER_ID = new FieldName("userId");
  static final FieldName ANONYMOUS_ID = new FieldName("anonymousId");
  static final FieldName EVENT = new FieldName("event");
  static final FieldName PROPERTIES = new FieldName("properties");
  static final FieldName TRAITS = new FieldName("traits");
  static final FieldName NAME = new FieldName("name");
  static final FieldName CATEGORY = new FieldName("category");
  static final FieldName GROUP_ID = new FieldName("groupId");
  static final FieldName PREVIOUS_ID = new FieldName("previousId");
  static final FieldName CONTEXT = new FieldName("context");
  static final FieldName INTEGRATIONS = new FieldName("integrations");
  static final FieldName LIBRARY = new FieldName("library");

  /** Each type's wire name as a JSON string value, quotes included, by {@link Message.Type#ordinal()}. */
  private static final byte[][] TYPE_VALUES = new byte[Message.Type.values().length][];

  static {
    for (Message.Type type : Message.Type.values()) {
      TYPE_VALUES[type.ordinal()] = ('"' + type.wireName() + '"').getBytes(StandardCharsets.UTF_8);
    }
  }

  final String text;
  final byte[] utf8;

  private FieldName(String text) {
    this.text = text;
    this.utf8 = text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] typeValue(Message.Type type) {
    return TYPE_VALUES[type.ordinal()];
  }

  @Override
  public String toString() {
    return text;
  }
}
