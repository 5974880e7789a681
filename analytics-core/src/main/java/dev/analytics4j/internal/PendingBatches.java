package dev.analytics4j.internal;

import dev.analytics4j.EncodedMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The waiting messages of {@link MessageQueue}, already grouped into the batches they will be sent
 * in: a message joins the last group unless that group holds {@code flushAt} messages or the message
 * would take its request past {@code maxBatchBytes} (a message too big for any request still makes
 * a group of its own, which the server then refuses). Grouping as messages arrive, instead of when a
 * batch is cut, makes a cut O(1) under the queue's lock: cutting 250 messages one by one held it for
 * microseconds while every enqueuing thread that came by had to park. Not thread-safe: guarded by
 * the queue's lock.
 */
final class PendingBatches {
  /** One future batch: its messages, their bytes, and the request's bytes with the envelope. */
  static final class Group {
    final ArrayList<EncodedMessage> messages;
    long messageBytes;
    long requestBytes;

    Group(int capacity) {
      messages = new ArrayList<>(capacity);
    }
  }

  private final int flushAt;
  private final int envelopeSize;
  private final int maxBatchBytes;
  /** Full groups, oldest first; the group being filled is {@link #open}. */
  private final ArrayDeque<Group> sealed = new ArrayDeque<>();
  private @Nullable Group open;

  PendingBatches(int flushAt, int envelopeSize, int maxBatchBytes) {
    this.flushAt = flushAt;
    this.envelopeSize = envelopeSize;
    this.maxBatchBytes = maxBatchBytes;
  }

  void add(EncodedMessage message) {
    int size = message.size();
    Group group = open;
    if (group != null && (group.messages.size() >= flushAt || group.requestBytes + 1 + size > maxBatchBytes)) {
      sealed.addLast(group);
      group = null;
    }
    if (group == null) {
      // Most batches fill; a small initial table would be copied a few times on the way there.
      group = new Group(Math.min(flushAt, 256));
      group.requestBytes = envelopeSize + size;
      open = group;
    } else {
      group.requestBytes += 1 + size;
    }
    group.messages.add(message);
    group.messageBytes += size;
  }

  /** The oldest group, removed: a full one if any, else the one being filled; null when none waits. */
  @Nullable Group takeFirst() {
    Group first = sealed.pollFirst();
    if (first != null) return first;
    first = open;
    open = null;
    return first;
  }

  /** Every waiting message, oldest first, removed. */
  List<EncodedMessage> takeAll() {
    List<EncodedMessage> all = new ArrayList<>();
    for (Group group : sealed) all.addAll(group.messages);
    if (open != null) all.addAll(open.messages);
    sealed.clear();
    open = null;
    return all;
  }
}
