package dev.analytics4j.examples;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import okio.Buffer;

/**
 * The README's main job: starts a collector on 127.0.0.1, sends a visitor's little journey through
 * the library (page views, sign-up, identify, purchase, a group, an alias), flushes, and prints
 * what the collector received.
 */
public final class Demo {
  private static final String WRITE_KEY = "demo-write-key-not-secret";

  public static void main(String[] args) throws Exception {
    boolean delivered;
    try (LocalCollector collector = LocalCollector.start()) {
      delivered = run(collector);
    }
    if (!delivered) System.exit(1);
  }

  /** Sends the journey to {@code collector} and prints the summary; returns whether all of it arrived. */
  static boolean run(LocalCollector collector) throws Exception {
    AtomicInteger failed = new AtomicInteger();
    Analytics analytics = Analytics.builder(WRITE_KEY)
        .endpoint(collector.endpoint())
        .flushAt(10)
        .callback(new Callback() {
          @Override
          public void onFailure(EncodedMessage message, Failure failure) {
            failed.incrementAndGet();
            System.out.println("failed: " + message + " " + failure);
          }

          @Override
          public void onDropped(EncodedMessage message, DropReason reason) {
            failed.incrementAndGet();
            System.out.println("dropped: " + message + " " + reason);
          }
        })
        .build();

    String anonymousId = UUID.randomUUID().toString();
    String userId = "usr_8f41c2";
    Map<String, Object> context = map("ip", "203.0.113.7", "userAgent", "Mozilla/5.0 (demo)", "locale", "en-GB");

    analytics.enqueue(PageMessage.builder("Home").category("Marketing").anonymousId(anonymousId)
        .context(context).properties(map("path", "/", "referrer", "https://search.example")));
    analytics.enqueue(PageMessage.builder("Pricing").category("Marketing").anonymousId(anonymousId)
        .context(context).properties(map("path", "/pricing")));
    analytics.enqueue(TrackMessage.builder("Signed Up").anonymousId(anonymousId).userId(userId)
        .context(context).properties(map("plan", "team", "trial_days", 14)));
    analytics.enqueue(AliasMessage.builder(anonymousId).userId(userId));
    analytics.enqueue(IdentifyMessage.builder().userId(userId).context(context)
        .traits(map("email", "ada@example.org", "name", "Ada Lovelace", "plan", "team")));
    analytics.enqueue(GroupMessage.builder("acct_553").userId(userId)
        .traits(map("name", "Example Ltd", "employees", 120, "industry", "Software")));
    analytics.enqueue(PageMessage.builder("Checkout").userId(userId).properties(map("path", "/checkout")));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId(userId)
        .properties(map("order_id", "ord_1029", "revenue", 42.5, "currency", "EUR",
            "products", List.of(map("sku", "T-100", "price", 30.0, "quantity", 1),
                map("sku", "M-200", "price", 12.5, "quantity", 1))))
        .enableIntegration("Salesforce", false));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    Metrics metrics = analytics.metrics();
    analytics.close();

    printSummary(collector, result, metrics);
    return result.isSuccess() && failed.get() == 0;
  }

  private static void printSummary(LocalCollector collector, FlushResult result, Metrics metrics) {
    List<LocalCollector.Received> requests = collector.received();
    System.out.println();
    System.out.println("analytics4j " + Analytics.VERSION + " demo: the collector at "
        + collector.endpoint() + "/v1/batch received " + requests.size() + " request(s)");
    System.out.println();
    System.out.println("Messages by type:");
    collector.countsByType().forEach((type, count) -> System.out.printf("  %-9s %d%n", type, count));
    System.out.println();
    System.out.println("Flush: " + result);
    System.out.println("Metrics: " + metrics);
    if (requests.isEmpty()) return;

    LocalCollector.Received first = requests.get(0);
    System.out.println();
    System.out.println("Headers of the first request (write key redacted):");
    first.headers.forEach((name, value) -> System.out.println("  " + name + ": " + redact(name, value)));
    System.out.println();
    System.out.println("Body of the first request:");
    System.out.println(prettyPrint(first.body.replace(WRITE_KEY, "<redacted>")));
  }

  private static String redact(String name, String value) {
    if (name.equalsIgnoreCase("Authorization")) return "Basic <redacted>";
    return value;
  }

  /** Re-indents JSON token by token, so numbers print exactly as they were sent. */
  private static String prettyPrint(String json) {
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(json))) {
      Buffer out = new Buffer();
      JsonWriter writer = JsonWriter.of(out);
      writer.setIndent("  ");
      copy(reader, writer);
      writer.close();
      return out.readUtf8();
    } catch (IOException e) {
      return json;
    }
  }

  private static void copy(JsonReader reader, JsonWriter writer) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT:
        reader.beginObject();
        writer.beginObject();
        while (reader.hasNext()) {
          writer.name(reader.nextName());
          copy(reader, writer);
        }
        reader.endObject();
        writer.endObject();
        break;
      case BEGIN_ARRAY:
        reader.beginArray();
        writer.beginArray();
        while (reader.hasNext()) copy(reader, writer);
        reader.endArray();
        writer.endArray();
        break;
      case NUMBER:
        writer.value(new BigDecimal(reader.nextString()));
        break;
      case BOOLEAN:
        writer.value(reader.nextBoolean());
        break;
      case NULL:
        writer.nullValue();
        reader.nextNull();
        break;
      default:
        writer.value(reader.nextString());
    }
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }
}
