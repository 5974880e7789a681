package dev.analytics4j.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The messages that went on the wire, in the order they were sent, with assertions that read like
 * the spec. Each assertion throws an {@link AssertionError} (any test framework reports it) whose
 * message says what was expected and lists every message sent, one line each, those that matched
 * marked with {@code >}:
 *
 * <pre>
 * Expected a track "Order Completed" for user u1 with property revenue=42.5, but none of the 2 messages sent matches:
 *   1. identify userId=u1 traits={plan="team"}
 *   2. track "Order Completed" userId=u1 properties={revenue=40.0, currency="EUR"}
 * </pre>
 *
 * <p>A snapshot: it does not change when more messages are sent. Get a fresh one from
 * {@link RecordingAnalytics#sent()} or {@link FakeCollector#received()}.
 */
public final class SentMessages implements Iterable<SentMessage> {
  private final List<SentMessage> messages;

  SentMessages(List<SentMessage> messages) {
    this.messages = Collections.unmodifiableList(new ArrayList<>(messages));
  }

  /** Every message, in the order sent. */
  public List<SentMessage> all() {
    return messages;
  }

  /** How many messages were sent. */
  public int size() {
    return messages.size();
  }

  /** Iterates over the messages in the order sent. */
  @Override
  public Iterator<SentMessage> iterator() {
    return messages.iterator();
  }

  /** The messages that match {@code pattern}, in the order sent. */
  public List<SentMessage> matching(MessagePattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    List<SentMessage> matching = new ArrayList<>();
    for (SentMessage message : messages) {
      if (pattern.matches(message)) matching.add(message);
    }
    return Collections.unmodifiableList(matching);
  }

  /**
   * The one message that matches {@code pattern}, for assertions of your own on it.
   *
   * @throws AssertionError unless exactly one message matches.
   */
  public SentMessage single(MessagePattern pattern) {
    assertSentTimes(1, pattern);
    return matching(pattern).get(0);
  }

  /** Asserts that at least one message matches {@code pattern}. */
  public SentMessages assertSent(MessagePattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    if (matching(pattern).isEmpty()) {
      throw new AssertionError("Expected " + pattern + ", but " + none(pattern));
    }
    return this;
  }

  /** Asserts that exactly one message matches {@code pattern}. */
  public SentMessages assertSentOnce(MessagePattern pattern) {
    return assertSentTimes(1, pattern);
  }

  /** Asserts that exactly {@code times} messages match {@code pattern}; for 0, as {@link #assertNotSent} does. */
  public SentMessages assertSentTimes(int times, MessagePattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    if (times < 0) throw new IllegalArgumentException("times must not be negative: " + times);
    if (times == 0) return assertNotSent(pattern);
    int matches = matching(pattern).size();
    if (matches != times) {
      String expected = "Expected " + pattern + (times == 1 ? " exactly once" : " exactly " + times + " times");
      throw new AssertionError(expected + ", but " + (matches == 0 ? none(pattern) : some(pattern, matches)));
    }
    return this;
  }

  /** Asserts that no message matches {@code pattern}. */
  public SentMessages assertNotSent(MessagePattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    int matches = matching(pattern).size();
    if (matches > 0) {
      throw new AssertionError("Expected " + pattern.negated() + ", but " + some(pattern, matches));
    }
    return this;
  }

  /** Asserts that no message at all was sent. */
  public SentMessages assertNothingSent() {
    if (!messages.isEmpty()) {
      throw new AssertionError("Expected nothing to be sent, but " + Describe.messages(messages.size())
          + (messages.size() == 1 ? " was" : " were") + " sent:" + Describe.list(messages, m -> false));
    }
    return this;
  }

  /** Asserts that no message has {@code id} as its {@code userId} or {@code anonymousId}. */
  public SentMessages assertNothingSentFor(String id) {
    Objects.requireNonNull(id, "id == null");
    return assertNotSent(MessagePattern.anyMessage().user(id));
  }

  private String none(MessagePattern pattern) {
    if (messages.isEmpty()) return "nothing was sent";
    String none = messages.size() == 1 ? "the 1 message sent does not match:" : "none of the " + Describe.messages(messages.size()) + " sent matches:";
    return none + Describe.list(messages, m -> false, pattern.timestamped());
  }

  private String some(MessagePattern pattern, int matches) {
    return matches + " of the " + Describe.messages(messages.size()) + " sent " + (matches == 1 ? "matches" : "match")
        + ":" + Describe.list(messages, pattern::matches, pattern.timestamped());
  }

  /** The numbered list of the messages, one per line. */
  @Override
  public String toString() {
    return messages.isEmpty() ? "nothing sent" : Describe.messages(messages.size()) + " sent:" + Describe.list(messages, m -> false);
  }
}
