package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingTransport;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A callback that fails must not cost the other messages their reports. */
class ReporterTest {

  /** Throws an Error (an assertion in the user's code, a missing class) for one messageId. */
  private static final class BrokenCallback implements Callback {
    final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private final String brokenFor;

    BrokenCallback(String brokenFor) {
      this.brokenFor = brokenFor;
    }

    private void record(EncodedMessage message, String outcome) {
      outcomes.put(message.messageId(), outcome);
      if (message.messageId().equals(brokenFor)) throw new AssertionError("callback bug for " + brokenFor);
    }

    @Override
    public void onSuccess(EncodedMessage message) {
      record(message, "sent");
    }

    @Override
    public void onFailure(EncodedMessage message, Failure failure) {
      record(message, "failed " + failure.statusCode());
    }
  }

  private static void sendBatchOfFive(RecordingTransport transport, BrokenCallback callback) throws Exception {
    Analytics analytics = Analytics.builder("k").transport(transport).callback(callback)
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();
    try {
      for (int i = 0; i < 5; i++) analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("m" + i));
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      assertTrue(result.isComplete(), result.toString());
      analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("later"));
      assertTrue(analytics.flush(Duration.ofSeconds(10)).isComplete(), "the client still sends");
      Metrics metrics = analytics.metrics();
      assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped(), metrics.toString());
    } finally {
      analytics.close();
    }
  }

  @Test
  void aCallbackThatThrowsAnErrorOnSuccessStillLetsEveryOtherMessageBeReported() throws Exception {
    BrokenCallback callback = new BrokenCallback("m1");
    sendBatchOfFive(new RecordingTransport(), callback);

    assertEquals(Map.of("m0", "sent", "m1", "sent", "m2", "sent", "m3", "sent", "m4", "sent", "later", "sent"),
        callback.outcomes);
  }

  @Test
  void aCallbackThatThrowsAnErrorOnFailureStillLetsEveryOtherMessageBeReported() throws Exception {
    BrokenCallback callback = new BrokenCallback("m1");
    sendBatchOfFive(new RecordingTransport().enqueue(RecordingTransport.status(400)), callback);

    assertEquals(Map.of("m0", "failed 400", "m1", "failed 400", "m2", "failed 400", "m3", "failed 400",
        "m4", "failed 400", "later", "sent"), callback.outcomes);
  }
}
