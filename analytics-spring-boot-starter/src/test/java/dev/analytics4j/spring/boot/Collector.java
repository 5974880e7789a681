package dev.analytics4j.spring.boot;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;

/** Test helpers around a MockWebServer standing in for the Tracking API. */
final class Collector {
  private Collector() {}

  static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{\"success\":true}").build();
  }

  static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("{\"error\":\"" + code + "\"}").build();
  }

  /** Answers 200 to whatever was not scripted. */
  static void answerOkByDefault(MockWebServer server) {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(ok());
  }

  /** The next request, waiting up to 10 s; fails the test when none comes. */
  static RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
    if (request == null) throw new AssertionError("no request reached the collector within 10 s");
    return request;
  }

  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  /**
   * The next {@code count} messages, from as many requests as they came in, by messageId; fails
   * the test when a messageId comes twice or they do not all come within 10 s of each other.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> messages(MockWebServer server, int count) throws Exception {
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    while (byId.size() < count) {
      for (Map<String, Object> message : (List<Map<String, Object>>) JSON.fromJson(body(take(server))).get("batch")) {
        Object previous = byId.put((String) message.get("messageId"), message);
        if (previous != null) throw new AssertionError("messageId " + message.get("messageId") + " came twice");
      }
    }
    if (byId.size() != count) throw new AssertionError("expected " + count + " messages, got " + byId.size());
    return byId;
  }

  static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : request.getBody().utf8();
  }
}
