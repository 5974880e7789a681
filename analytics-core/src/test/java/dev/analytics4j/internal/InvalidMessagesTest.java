package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.RecordingTransport;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.TrackMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Messages the contract forbids are refused at the call site, through the client, with the exact
 * error; they are neither counted nor sent, and the valid messages around them go out. (The
 * builders' own checks are in MessagesTest and MessageEncoderTest; this is what a caller of the
 * client sees.)
 */
class InvalidMessagesTest {
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]*)\"");
  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final Analytics analytics = Analytics.builder("k").transport(transport).callback(callback)
      .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();

  @AfterEach
  void tearDown() {
    analytics.close();
  }

  private void assertRefused(Class<? extends RuntimeException> type, String message, Executable call) throws Exception {
    analytics.enqueue(TrackMessage.builder("Before").userId("u1").messageId("before"));
    RuntimeException e = assertThrows(type, call);
    assertEquals(message, e.getMessage());
    analytics.enqueue(TrackMessage.builder("After").userId("u1").messageId("after"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    assertEquals(2, analytics.metrics().enqueued());
    assertEquals(2, callback.count("sent"));
    assertEquals(List.of("before", "after"), sentIds());
  }

  private List<String> sentIds() throws InterruptedException {
    String body = new String(transport.takeRequest().body(), StandardCharsets.UTF_8);
    return MESSAGE_ID.matcher(body).results().map(m -> m.group(1)).collect(Collectors.toList());
  }

  @Test
  void aMessageWithoutUserIdOrAnonymousIdIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "either userId or anonymousId must be set",
        () -> analytics.enqueue(PageMessage.builder("Home")));
  }

  @Test
  void aBlankEventIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "event must not be blank",
        () -> analytics.enqueue(TrackMessage.builder(" \n").userId("u1")));
  }

  @Test
  void aBlankGroupIdIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "groupId must not be blank",
        () -> analytics.offer(GroupMessage.builder("\t").userId("u1")));
  }

  @Test
  void anAliasWithoutPreviousIdIsRefused() throws Exception {
    assertRefused(NullPointerException.class, "previousId == null",
        () -> analytics.enqueue(AliasMessage.builder(null).userId("u1")));
  }

  @Test
  void anAliasWithoutUserIdIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "userId must be set on an alias",
        () -> analytics.enqueue(AliasMessage.builder("anon-1").anonymousId("anon-1")));
  }

  @Test
  void aMessageIdOver100CharactersIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "messageId must be at most 100 characters: 101",
        () -> analytics.enqueue(IdentifyMessage.builder().userId("u1").messageId("m".repeat(101))));
  }

  @Test
  void aMessageIdWithAnUnpairedSurrogateIsRefused() throws Exception {
    assertRefused(IllegalArgumentException.class, "messageId: unpaired UTF-16 surrogate U+D800 at index 1",
        () -> analytics.enqueue(IdentifyMessage.builder().userId("u1").messageId("m\uD800")));
  }

  @Test
  void aMessageOneByteOver32000IsRefusedAndOneAtTheLimitIsSent() throws Exception {
    MessageEncoder encoder = new MessageEncoder("k", Analytics.LIBRARY_NAME, Analytics.VERSION);
    TrackMessage.Builder empty = TrackMessage.builder("Big").userId("u1").messageId("big")
        .properties(Map.of("pad", ""));
    int room = MessageEncoder.MAX_MESSAGE_BYTES - encoder.encode(empty.build()).size();
    AtomicInteger attempts = new AtomicInteger();

    assertRefused(IllegalArgumentException.class,
        "message is 32001 bytes, over the 32000-byte limit of the API (track messageId=big)",
        () -> {
          attempts.incrementAndGet();
          analytics.enqueue(empty.properties(Map.of("pad", "p".repeat(room + 1))));
        });
    analytics.enqueue(empty.properties(Map.of("pad", "p".repeat(room))));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    assertEquals(3, analytics.metrics().sent());
    assertEquals(1, attempts.get());
  }
}
