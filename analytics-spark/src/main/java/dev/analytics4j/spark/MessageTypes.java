package dev.analytics4j.spark;

import dev.analytics4j.messages.Message;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The {@code type} column's values. */
final class MessageTypes {
  static final String NAMES = "identify, track, page, screen, group, alias";

  private MessageTypes() {}

  static Message.@Nullable Type parse(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "identify": return Message.Type.IDENTIFY;
      case "track": return Message.Type.TRACK;
      case "page": return Message.Type.PAGE;
      case "screen": return Message.Type.SCREEN;
      case "group": return Message.Type.GROUP;
      case "alias": return Message.Type.ALIAS;
      default: return null;
    }
  }
}
