package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.DropReason;
import dev.analytics4j.messages.TrackMessage;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The recording client runs the application's scopes and hooks as the production client does. */
class RecordingAnalyticsHooksTest {
  @Test
  void runsTheConfiguredHooksInOrderWithTheScopeAndReportsTheirDrops() {
    try (RecordingAnalytics recorder = RecordingAnalytics.builder()
        .configure(client -> client
            .beforeSend(BeforeSend.redactKeys(Pattern.compile("(?i)email")))
            .beforeSend(m -> m.properties().put("redacted", !m.properties().containsKey("email")))
            .beforeSend(m -> {
              if ("Internal".equals(m.name())) m.drop("internal");
              if ("Broken".equals(m.name())) throw new IllegalStateException("broken hook");
            }))
        .build()) {
      try (AnalyticsContext.Scope scope = recorder.analytics().context().userId("u1").property("tenant", "acme").open()) {
        recorder.analytics().enqueue(TrackMessage.builder("Signed Up").properties(Map.of("email", "ada@example.org")));
        recorder.analytics().enqueue(TrackMessage.builder("Internal"));
        recorder.analytics().enqueue(TrackMessage.builder("Broken"));
      }
      recorder.sent().assertSentOnce(track("Signed Up").user("u1").property("tenant", "acme")
          .property("redacted", true).noProperty("email"));
      assertEquals(1, recorder.sent().size());
      assertEquals(1, recorder.analytics().metrics().dropped(DropReason.BEFORE_SEND));
      assertEquals(1, recorder.analytics().metrics().dropped(DropReason.BEFORE_SEND_FAILED));
      AssertionError undelivered = assertThrows(AssertionError.class, recorder::assertAllDelivered);
      assertTrue(undelivered.getMessage().contains("dropped (BEFORE_SEND)"), undelivered.getMessage());
      assertTrue(undelivered.getMessage().contains("dropped (BEFORE_SEND_FAILED)"), undelivered.getMessage());
    }
  }
}
