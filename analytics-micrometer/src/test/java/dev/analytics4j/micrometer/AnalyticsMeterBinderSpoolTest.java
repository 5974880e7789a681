package dev.analytics4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.TrackMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's drop reasons are meters once they happen, and never for a client without a spool. */
class AnalyticsMeterBinderSpoolTest {
  @TempDir Path temp;

  @Test
  void spooledMessagesAppearAsTheirOwnDropReasonOnceTheyHappen() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnalyticsMeterBinder binder = new AnalyticsMeterBinder();
    binder.bindTo(registry);
    assertNull(registry.find("analytics4j.messages").tag("reason", "spooled").counter());

    Transport down = request -> {
      throw new ConnectException("collector down");
    };
    Analytics analytics = Analytics.builder("key").transport(down).listener(binder).spool(temp.resolve("spool"))
        .shutdownHook(false).build();
    for (int i = 0; i < 3; i++) analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("m" + i));
    analytics.close(Duration.ZERO);

    assertEquals(3.0, registry.get("analytics4j.messages").tag("reason", "spooled").functionCounter().count());
    assertNull(registry.find("analytics4j.messages").tag("reason", "spool_full").functionCounter());
  }
}
