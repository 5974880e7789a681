package dev.analytics4j.spring.boot;

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

  static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : request.getBody().utf8();
  }
}
