package dev.analytics4j.okhttp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class OkHttpTransportTest {
  private static final String AUTHORIZATION = "Basic YWJjMTIzOg==";
  private static final byte[] BATCH =
      "{\"batch\":[{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"usr_1\"}],\"writeKey\":\"abc123\"}"
          .getBytes(UTF_8);

  @StartStop private final MockWebServer server = new MockWebServer();

  private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "OkHttpTransportTest-sender");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Transport> transports = new ArrayList<>();
  private final List<OkHttpClient> callerClients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    transports.forEach(Transport::close);
    for (OkHttpClient client : callerClients) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    executor.shutdownNow();
  }

  @Test
  void postsBodyWithExactlyTheGivenHeaders() throws Exception {
    server.enqueue(new MockResponse.Builder().body("{\"success\":true}").build());
    Transport transport = owned();

    Map<String, String> headers = batchHeaders();
    headers.put("X-Retry-Count", "2");
    Transport.Response response = transport.send(new Transport.Request(url(), headers, BATCH));

    assertEquals(200, response.code());
    assertNull(response.retryAfter());
    assertEquals("{\"success\":true}", response.body());

    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertNotNull(recorded);
    assertEquals("POST", recorded.getMethod());
    assertEquals("/v1/batch", recorded.getTarget());
    assertEquals(List.of("application/json"), recorded.getHeaders().values("Content-Type"));
    assertEquals(List.of(AUTHORIZATION), recorded.getHeaders().values("Authorization"));
    assertEquals(List.of("analytics4j/0.1.0"), recorded.getHeaders().values("User-Agent"));
    assertEquals(List.of("2"), recorded.getHeaders().values("X-Retry-Count"));
    assertNull(recorded.getHeaders().get("Content-Encoding"));
    assertEquals(String.valueOf(BATCH.length), recorded.getHeaders().get("Content-Length"));
    assertArrayEquals(BATCH, recordedBody(recorded));
  }

  @Test
  void passesGzippedBodyAndContentEncodingThroughUnchanged() throws Exception {
    server.enqueue(new MockResponse.Builder().body("OK").build());
    Transport transport = owned();
    byte[] gzipped = gzip(BATCH);

    Map<String, String> headers = batchHeaders();
    headers.put("Content-Encoding", "gzip");
    Transport.Response response = transport.send(new Transport.Request(url(), headers, gzipped));

    assertEquals(200, response.code());
    assertEquals("OK", response.body());
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertNotNull(recorded);
    assertEquals(List.of("gzip"), recorded.getHeaders().values("Content-Encoding"));
    assertEquals(List.of("application/json"), recorded.getHeaders().values("Content-Type"));
    assertArrayEquals(gzipped, recordedBody(recorded));
  }

  @Test
  void returnsRetryAfterSecondsVerbatim() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .code(429)
        .addHeader("Retry-After", "7")
        .body("{\"error\":\"rate limited\"}")
        .build());
    Transport transport = owned();

    Transport.Response response = transport.send(batchRequest());

    assertEquals(429, response.code());
    assertEquals("7", response.retryAfter());
    assertEquals("{\"error\":\"rate limited\"}", response.body());
  }

  @Test
  void returnsRetryAfterHttpDateVerbatim() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .code(503)
        .addHeader("Retry-After", "Fri, 14 Mar 2025 09:30:00 GMT")
        .build());
    Transport transport = owned();

    Transport.Response response = transport.send(batchRequest());

    assertEquals(503, response.code());
    assertEquals("Fri, 14 Mar 2025 09:30:00 GMT", response.retryAfter());
    assertEquals("", response.body());
  }

  @Test
  void returnsRedirectStatusInsteadOfFollowingIt() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .code(301)
        .addHeader("Location", server.url("/elsewhere"))
        .build());
    Transport transport = owned();

    Transport.Response response = transport.send(batchRequest());

    assertEquals(301, response.code());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void truncatesLargeResponseBodyToOneKibibyte() throws Exception {
    char[] chars = new char[2 * 1024 * 1024];
    Arrays.fill(chars, 'x');
    server.enqueue(new MockResponse.Builder().code(500).body(new String(chars)).build());
    Transport transport = owned();

    Transport.Response response = transport.send(batchRequest());

    assertEquals(500, response.code());
    assertEquals(new String(chars, 0, 1024), response.body());
  }

  @Test
  void connectionRefusedThrowsIOException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Transport transport = owned();
    Transport.Request request =
        new Transport.Request("http://127.0.0.1:" + port + "/v1/batch", batchHeaders(), BATCH);

    assertThrows(IOException.class, () -> transport.send(request));
  }

  @Test
  void serverDisconnectOnFreshConnectionThrowsIOExceptionWithoutReplay() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());
    Transport transport = owned();

    assertThrows(IOException.class, () -> transport.send(batchRequest()));
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void replaysOnFreshConnectionWhenPooledConnectionWasClosedByServer() throws Exception {
    // The server closes the connection after the first response, as a collector with a short
    // keep-alive does; the pooled connection is stale when the second batch is sent.
    server.enqueue(new MockResponse.Builder()
        .body("first")
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
        .build());
    server.enqueue(new MockResponse.Builder().body("second").build());
    Transport transport = owned();

    assertEquals("first", transport.send(batchRequest()).body());
    assertEquals("second", transport.send(batchRequest()).body());

    RecordedRequest first = server.takeRequest(5, SECONDS);
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertNotNull(first);
    assertNotNull(second);
    assertEquals(0, first.getConnectionIndex());
    assertEquals(1, second.getConnectionIndex());
    assertArrayEquals(BATCH, recordedBody(second));
  }

  @Test
  void invalidUrlThrowsIllegalArgumentExceptionNamingIt() {
    Transport transport = owned();
    Transport.Request request = new Transport.Request("ftp://example.com/v1/batch", batchHeaders(), BATCH);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> transport.send(request));
    assertEquals("url must be an http or https URL: ftp://example.com/v1/batch", e.getMessage());
  }

  @Test
  void invalidHeaderValueMessageLeavesOutAuthorization() {
    Transport transport = owned();
    Map<String, String> headers = batchHeaders();
    headers.put("Authorization", "Basic sec\u0001ret");
    Transport.Request request = new Transport.Request(url(), headers, BATCH);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> transport.send(request));
    assertEquals("Unexpected char 0x01 at 9 in Authorization value", e.getMessage());
  }

  @Test
  void usesCallersClientAndLeavesItUsableAfterClose() throws Exception {
    AtomicInteger intercepted = new AtomicInteger();
    OkHttpClient client = callerClient(new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          intercepted.incrementAndGet();
          return chain.proceed(chain.request().newBuilder().header("X-Intercepted", "yes").build());
        }));
    server.enqueue(new MockResponse.Builder().body("OK").build());
    server.enqueue(new MockResponse.Builder().body("still open").build());
    Transport transport = OkHttpTransport.create(client);

    assertEquals(200, transport.send(batchRequest()).code());
    transport.close();

    okhttp3.Request after = new okhttp3.Request.Builder().url(server.url("/after")).build();
    try (okhttp3.Response response = client.newCall(after).execute()) {
      assertEquals("still open", response.body().string());
    }
    assertEquals(2, intercepted.get());
    assertFalse(client.dispatcher().executorService().isShutdown());
    RecordedRequest recorded = server.takeRequest(5, SECONDS);
    assertNotNull(recorded);
    assertEquals("yes", recorded.getHeaders().get("X-Intercepted"));
  }

  @Test
  void closeCancelsInFlightCall() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    Transport transport = owned();
    Future<Transport.Response> sending = executor.submit(() -> transport.send(batchRequest()));
    assertNotNull(server.takeRequest(5, SECONDS));

    transport.close();

    // Well inside the 20 s read timeout: only the cancellation can end the call this soon.
    ExecutionException e = assertThrows(ExecutionException.class, () -> sending.get(5, SECONDS));
    IOException cause = assertInstanceOf(IOException.class, e.getCause());
    assertEquals("transport closed while sending to " + url(), cause.getMessage());
  }

  @Test
  void closeCancelsOnlyItsOwnCallsOnCallersClient() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    OkHttpClient client = callerClient(new OkHttpClient.Builder());
    Call theirs = client.newCall(new okhttp3.Request.Builder().url(server.url("/theirs")).build());
    CompletableFuture<String> theirOutcome = new CompletableFuture<>();
    theirs.enqueue(new Callback() {
      @Override public void onFailure(Call call, IOException e) {
        theirOutcome.complete("failed: " + e);
      }

      @Override public void onResponse(Call call, okhttp3.Response response) {
        response.close();
        theirOutcome.complete("response " + response.code());
      }
    });
    Transport transport = OkHttpTransport.create(client);
    Future<Transport.Response> sending = executor.submit(() -> transport.send(batchRequest()));
    assertNotNull(server.takeRequest(5, SECONDS));
    assertNotNull(server.takeRequest(5, SECONDS));

    transport.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> sending.get(5, SECONDS));
    assertInstanceOf(IOException.class, e.getCause());
    assertFalse(theirs.isCanceled());
    assertFalse(theirOutcome.isDone());
    assertFalse(client.dispatcher().executorService().isShutdown());
    theirs.cancel();
    assertTrue(theirOutcome.get(5, SECONDS).startsWith("failed: "));
  }

  @Test
  void sendAfterCloseThrowsIllegalStateException() {
    Transport transport = owned();
    transport.close();
    transport.close();

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> transport.send(batchRequest()));
    assertEquals("transport closed", e.getMessage());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void toStringShowsOwnershipAndTimeoutsButNoHeaders() throws Exception {
    server.enqueue(new MockResponse.Builder().build());
    Transport owned = owned();
    owned.send(batchRequest());
    Transport callers = OkHttpTransport.create(callerClient(new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(3))
        .readTimeout(Duration.ofSeconds(4))));

    assertEquals("OkHttpTransport{client=owned, connectTimeout=10000ms, readTimeout=20000ms}",
        owned.toString());
    assertEquals("OkHttpTransport{client=caller's, connectTimeout=3000ms, readTimeout=4000ms}",
        callers.toString());
    callers.close();
    assertEquals(
        "OkHttpTransport{client=caller's, connectTimeout=3000ms, readTimeout=4000ms, closed}",
        callers.toString());
  }

  @Test
  void serviceLoaderFindsFactory() throws Exception {
    List<Transport.Factory> factories = new ArrayList<>();
    ServiceLoader.load(Transport.Factory.class).forEach(factories::add);

    assertEquals(1, factories.size());
    assertInstanceOf(OkHttpTransportFactory.class, factories.get(0));
    Transport transport = factories.get(0).create(Duration.ofSeconds(1), Duration.ofSeconds(2));
    transports.add(transport);
    assertEquals("OkHttpTransport{client=owned, connectTimeout=1000ms, readTimeout=2000ms}",
        transport.toString());
    server.enqueue(new MockResponse.Builder().body("OK").build());
    assertEquals(200, transport.send(batchRequest()).code());
  }

  @Test
  void factoryRejectsNegativeTimeouts() {
    OkHttpTransportFactory factory = new OkHttpTransportFactory();

    IllegalArgumentException connect = assertThrows(IllegalArgumentException.class,
        () -> factory.create(Duration.ofSeconds(-1), Duration.ofSeconds(1)));
    assertEquals("connectTimeout must not be negative: PT-1S", connect.getMessage());
    IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
        () -> factory.create(Duration.ofSeconds(1), Duration.ofMillis(-5)));
    assertEquals("readTimeout must not be negative: PT-0.005S", read.getMessage());
  }

  @Test
  void rejectsNulls() {
    NullPointerException client =
        assertThrows(NullPointerException.class, () -> OkHttpTransport.create(null));
    assertEquals("client == null", client.getMessage());
    Transport transport = owned();
    NullPointerException request = assertThrows(NullPointerException.class, () -> transport.send(null));
    assertEquals("request == null", request.getMessage());
  }

  private Transport owned() {
    Transport transport = OkHttpTransport.create();
    transports.add(transport);
    return transport;
  }

  /** A client standing in for the caller's; the test releases it, the transport must not. */
  private OkHttpClient callerClient(OkHttpClient.Builder builder) {
    OkHttpClient client = builder.build();
    callerClients.add(client);
    return client;
  }

  private String url() {
    return server.url("/v1/batch").toString();
  }

  private Transport.Request batchRequest() {
    return new Transport.Request(url(), batchHeaders(), BATCH);
  }

  private static Map<String, String> batchHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", AUTHORIZATION);
    headers.put("User-Agent", "analytics4j/0.1.0");
    return headers;
  }

  private static byte[] recordedBody(RecordedRequest recorded) {
    assertNotNull(recorded.getBody());
    return recorded.getBody().toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }
}
