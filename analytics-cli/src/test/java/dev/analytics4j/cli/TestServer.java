package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Reads back what a finished import sent to a {@link MockWebServer}. */
final class TestServer {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  private TestServer() {}

  static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{\"success\":true}").build();
  }

  static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("{}").build();
  }

  /**
   * Every batch request the server has received, without the importer's endpoint check (an empty
   * batch); call once the import has returned.
   */
  static List<RecordedRequest> requests(MockWebServer server) throws InterruptedException {
    return requests(server, 0);
  }

  /** Like {@link #requests(MockWebServer)}, when {@code taken} requests were taken before. */
  static List<RecordedRequest> requests(MockWebServer server, int taken) throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (RecordedRequest request : all(server, taken)) {
      if (!isCheck(request)) requests.add(request);
    }
    return requests;
  }

  /** Every request, endpoint checks included. */
  static List<RecordedRequest> all(MockWebServer server, int taken) throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (int i = server.getRequestCount() - taken; i > 0; i--) {
      RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
      assertNotNull(request, "request " + requests.size());
      requests.add(request);
    }
    return requests;
  }

  /** The importer's endpoint check: a batch body with no messages. */
  static boolean isCheck(RecordedRequest request) {
    return request.getBody() != null && request.getBody().utf8().startsWith("{\"batch\":[]");
  }

  /** The messages of the requests that succeeded (the last attempt of each batch, when all got 200). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> messages(List<RecordedRequest> requests) throws IOException {
    List<Map<String, Object>> messages = new ArrayList<>();
    for (RecordedRequest request : requests) {
      Map<String, Object> body = JSON.fromJson(request.getBody().utf8());
      messages.addAll((List<Map<String, Object>>) body.get("batch"));
    }
    return messages;
  }
}
