package dev.analytics4j.examples;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.analytics4j.BeforeSend;
import dev.analytics4j.DropReason;
import dev.analytics4j.testing.RecordingAnalytics;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CheckoutHooksTest {
  /** The hooks the application registers on its client: the test runs the very same ones. */
  static final BeforeSend NO_CURRENCY = BeforeSend.redactKeys(Pattern.compile("currency"));
  static final BeforeSend NO_TEST_USERS = message -> {
    String userId = message.userId();
    if (userId != null && userId.startsWith("test-")) message.drop("test user");
  };

  @Test
  void theHooksRedactAndDropAsInProduction() {
    try (RecordingAnalytics recorder = RecordingAnalytics.builder()
        .configure(client -> client.beforeSend(NO_CURRENCY).beforeSend(NO_TEST_USERS))
        .build()) {
      new Checkout(recorder.analytics()).complete("u1", 42.5);
      new Checkout(recorder.analytics()).complete("test-7", 1.0);

      recorder.sent()
          .assertSentOnce(track("Order Completed").user("u1").property("revenue", 42.5).noProperty("currency"))
          .assertNothingSentFor("test-7");
      assertEquals(2, recorder.analytics().metrics().dropped(DropReason.BEFORE_SEND));
    }
  }
}
