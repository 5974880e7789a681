package dev.analytics4j.it.kotlin16;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.it.Collector;
import dev.analytics4j.messages.TrackMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import kotlin.KotlinVersion;

/**
 * Sends through analytics4j with Kotlin 1.6.21 on the classpath. Argument 1 is what must happen:
 * {@code delivered} (the bundle) or {@code kotlin-class-missing} (the plain modules, whose OkHttp 5
 * needs {@code kotlin.enums.EnumEntriesKt}, new in Kotlin 1.8.20).
 */
public final class Kotlin16App {
  private static final String WRITE_KEY = "consumer-write-key";

  public static void main(String[] args) throws Exception {
    String expected = args[0];
    Path buildDir = Path.of(args[1]);

    check("1.6.21".equals(KotlinVersion.CURRENT.toString()),
        "the app's Kotlin is 1.6.21, but it is " + KotlinVersion.CURRENT);

    switch (expected) {
      case "delivered":
        try (Collector http = Collector.start()) {
          sendAndCheck(http);
        }
        // The JDK's TLS with the bundle's (minimized, relocated) OkHttp: handshake, ALPN, IP SAN.
        try (Collector https = Collector.startHttps(buildDir.resolve("tls"))) {
          sendAndCheck(https);
        }
        System.out.println("kotlin16-app: delivered over HTTP and HTTPS next to Kotlin "
            + KotlinVersion.CURRENT);
        break;
      case "kotlin-class-missing":
        try (Collector http = Collector.start()) {
          sendAndCheck(http);
          throw new AssertionError("expected NoClassDefFoundError kotlin/enums/EnumEntriesKt, "
              + "but the plain modules delivered next to Kotlin 1.6");
        } catch (NoClassDefFoundError e) {
          check(String.valueOf(e.getMessage()).contains("kotlin/enums/EnumEntriesKt"),
              "expected kotlin/enums/EnumEntriesKt to be missing, but: " + e);
          System.out.println("kotlin16-app: the plain modules fail next to Kotlin 1.6 as expected: " + e);
        }
        break;
      default:
        throw new IllegalArgumentException("unknown expectation: " + expected);
    }
  }

  private static void sendAndCheck(Collector collector) throws InterruptedException {
    Analytics analytics = Analytics.builder(WRITE_KEY)
        .endpoint(collector.url())
        .shutdownHook(false)
        .build();
    try {
      List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      analytics.enqueue(TrackMessage.builder("Kotlin 1.6 App Started").userId("u1").messageId(ids.get(0)));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").messageId(ids.get(1)));
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      check(result.isSuccess(), "flush to " + collector.url() + " did not deliver everything: " + result);
      collector.awaitMessageIds(ids, Duration.ofSeconds(10));
      String basic = "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":").getBytes());
      check(collector.authorizations().contains(basic),
          "no batch carried the write key as Basic auth: " + collector.authorizations());
    } finally {
      analytics.close();
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) throw new AssertionError(message);
  }
}
