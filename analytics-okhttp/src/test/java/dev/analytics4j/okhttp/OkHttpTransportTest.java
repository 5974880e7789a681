package dev.analytics4j.okhttp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.MINUTES;
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
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class OkHttpTransportTest {
  private static final String AUTHORIZATION = "Basic YWJjMTIzOg==";
  private static final byte[] BATCH =
      "{\"batch\":[{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"usr_1\"}],\"writeKey\":\"abc123\"}"
          .getBytes(UTF_8);

  /** Beyond a deadline, how late an attempt may end on a loaded 2-core machine. */
  private static final Duration SLACK = Duration.ofSeconds(4);
  private static final long TRICKLE_PERIOD_MILLIS = 50;

  @StartStop private final MockWebServer server = new MockWebServer();
  /** Where redirects point: nothing may ever reach it. */
  @StartStop private final MockWebServer elsewhere = new MockWebServer();

  private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "OkHttpTransportTest-sender");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Transport> transports = new ArrayList<>();
  private final List<OkHttpClient> callerClients = new ArrayList<>();
  private final List<RawServer> rawServers = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    transports.forEach(Transport::close);
    for (RawServer raw : rawServers) {
      raw.close();
    }
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
    assertNull(response.location());
    assertEquals("", response.body());

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
    assertEquals("", response.body());
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

  /**
   * Some collectors take a token in the upload URL's query (the client keeps a query), and a URL
   * given to the transport directly may carry credentials: neither belongs in an exception, which
   * ends up in logs. The host and path still say where it went.
   */
  @Test
  void exceptionsNameTheUrlWithoutItsCredentialsOrQuery() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    Transport transport = owned();
    String secretUrl = server.url("/v1/batch").newBuilder().username("user").password("s3cret")
        .addQueryParameter("api_key", "s3cret").fragment("s3cret").build().toString();
    Future<Transport.Response> sending =
        executor.submit(() -> transport.send(new Transport.Request(secretUrl, batchHeaders(), BATCH)));
    assertNotNull(server.takeRequest(5, SECONDS));
    transport.close();
    ExecutionException closed = assertThrows(ExecutionException.class, () -> sending.get(5, SECONDS));
    assertEquals("transport closed while sending to " + url(), closed.getCause().getMessage());

    RawServer raw = raw((in, out) -> {
      out.write("HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n".getBytes(UTF_8));
      out.flush();
      RawServer.awaitClientClose(in);
    });
    ProtocolException odd = assertThrows(ProtocolException.class,
        () -> owned().send(new Transport.Request(raw.url() + "?api_key=s3cret", batchHeaders(), BATCH)));
    assertEquals("Unexpected status code 99 from " + raw.url(), odd.getMessage());

    IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class, () -> owned().send(
        new Transport.Request("ftp://user:s3cret@example.com/v1/batch?api_key=s3cret#s3cret", batchHeaders(), BATCH)));
    assertEquals("url must be an http or https URL: ftp://example.com/v1/batch", invalid.getMessage());
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

  // One attempt per send: no redirect followed, nothing replayed, whoever built the OkHttpClient.

  static Stream<Arguments> redirects() {
    return Stream.of(301, 302, 303, 307, 308)
        .flatMap(code -> Stream.of(Client.values()).map(client -> Arguments.of(code, client)));
  }

  @ParameterizedTest(name = "{0} on the {1} client")
  @MethodSource("redirects")
  void returnsRedirectWithItsLocationAndNeverFollowsIt(int code, Client client) throws Exception {
    String location = elsewhere.url("/v1/batch").toString();
    server.enqueue(new MockResponse.Builder().code(code).addHeader("Location", location).body("moved").build());
    Transport transport = transport(client);

    Transport.Response response = transport.send(batchRequest());

    assertEquals(code, response.code());
    assertEquals(location, response.location());
    assertEquals("moved", response.body());
    assertEquals(1, server.getRequestCount());
    assertEquals(0, elsewhere.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void returnsRequestTimeoutWithoutReplayingIt(Client client) throws Exception {
    server.enqueue(new MockResponse.Builder().code(408).body("too slow").build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());
    Transport transport = transport(client);

    Transport.Response response = transport.send(batchRequest());

    assertEquals(408, response.code());
    assertEquals("too slow", response.body());
    assertEquals(1, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void returnsServiceUnavailableWithRetryAfterZeroWithoutReplayingIt(Client client) throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());
    Transport transport = transport(client);

    Transport.Response response = transport.send(batchRequest());

    assertEquals(503, response.code());
    assertEquals("0", response.retryAfter());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void returnsUnauthorizedEvenWhenTheCallersAuthenticatorAnswersIt() throws Exception {
    AtomicInteger challenges = new AtomicInteger();
    Transport transport = callers(new OkHttpClient.Builder().authenticator((route, response) -> {
      challenges.incrementAndGet();
      return response.request().newBuilder().header("Authorization", "Basic b3RoZXI6").build();
    }));
    server.enqueue(new MockResponse.Builder().code(401).body("bad key").build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());

    Transport.Response response = transport.send(batchRequest());

    assertEquals(401, response.code());
    assertEquals("bad key", response.body());
    assertEquals(1, challenges.get());
    assertEquals(1, server.getRequestCount());
  }

  @ParameterizedTest
  @EnumSource(Client.class)
  void connectionDroppedAfterTheRequestThrowsWithoutReplay(Client client) throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());
    Transport transport = transport(client);

    assertThrows(IOException.class, () -> transport.send(batchRequest()));
    assertEquals(1, server.getRequestCount());
  }

  /** The case OkHttp's retryOnConnectionFailure exists for: a failure on a reused connection. */
  @ParameterizedTest
  @EnumSource(Client.class)
  void connectionDroppedOnAReusedConnectionThrowsWithoutReplay(Client client) throws Exception {
    // No body: the 2xx is complete with its headers, so the connection goes back to the pool
    // without waiting on the close's discard.
    server.enqueue(new MockResponse.Builder().build());
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().body("must not be requested").build());
    Transport transport = transport(client);

    assertEquals(200, transport.send(batchRequest()).code());
    assertThrows(IOException.class, () -> transport.send(batchRequest()));

    assertEquals(2, server.getRequestCount());
    RecordedRequest first = server.takeRequest(5, SECONDS);
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertNotNull(first);
    assertNotNull(second);
    assertEquals(first.getConnectionIndex(), second.getConnectionIndex());
    assertEquals(1, second.getExchangeIndex());
  }

  /**
   * The price of one attempt per send: a kept-alive connection the server has closed fails the
   * attempt (the client retries it, counted), where OkHttp used to replay it on its own.
   */
  @Test
  void staleKeptAliveConnectionFailsTheAttemptAndTheNextSendConnectsAfresh() throws Exception {
    server.enqueue(new MockResponse.Builder() // no body, as above
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
        .build());
    server.enqueue(new MockResponse.Builder().build());
    Transport transport = owned();

    assertEquals(200, transport.send(batchRequest()).code());
    assertThrows(IOException.class, () -> transport.send(batchRequest()));
    assertEquals(1, server.getRequestCount());
    assertEquals(200, transport.send(batchRequest()).code());

    RecordedRequest first = server.takeRequest(5, SECONDS);
    RecordedRequest second = server.takeRequest(5, SECONDS);
    assertNotNull(first);
    assertNotNull(second);
    assertEquals(0, first.getConnectionIndex());
    assertEquals(1, second.getConnectionIndex());
    assertArrayEquals(BATCH, recordedBody(second));
  }

  // A whole-call deadline per attempt, and timeouts that never round to "none".

  @Test
  void tricklingStatusLineAndHeadersEndTheAttemptAtItsDeadline() throws Exception {
    RawServer raw = raw((in, out) -> trickle(out, "", "HTTP/1.1 200 OK\r\nX-Trickle: "));
    Transport transport = owned(); // each byte arrives well inside the 20 s read timeout
    Duration deadline = Duration.ofSeconds(1);

    long start = System.nanoTime();
    IOException e = sendFails(transport, new Transport.Request(raw.url(), batchHeaders(), BATCH, deadline));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertInstanceOf(InterruptedIOException.class, e);
    assertEquals("timeout", e.getMessage());
    assertTrue(elapsed.compareTo(deadline) >= 0, "ended after " + elapsed);
    assertTrue(elapsed.compareTo(deadline.plus(SLACK)) < 0, "ended after " + elapsed);
    assertEquals(1, raw.requestCount());
  }

  @Test
  void tricklingErrorBodyIsCutShortAndItsStatusReturned() throws Exception {
    RawServer raw = raw((in, out) -> trickle(out, "HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\n", ""));
    Transport transport = owned();

    long start = System.nanoTime();
    Transport.Response response =
        sendWithin(transport, new Transport.Request(raw.url(), batchHeaders(), BATCH, Duration.ofMinutes(1)));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(500, response.code());
    assertTrue(response.body().matches("x{0,1023}"), response.body());
    Duration bound = Duration.ofMillis(OkHttpTransport.MAX_BODY_READ_MILLIS).plus(SLACK);
    assertTrue(elapsed.compareTo(bound) < 0, "ended after " + elapsed);
  }

  /** A proxy that closes the connection partway through its error page: the status still decides. */
  @Test
  void errorBodyCutOffByAClosedConnectionKeepsItsStatusAndWhatArrived() throws Exception {
    RawServer raw = raw((in, out) -> {
      out.write("HTTP/1.1 429 Slow Down\r\nRetry-After: 7\r\nContent-Length: 5000\r\n\r\nrate lim"
          .getBytes(UTF_8));
      out.flush();
    }); // the server closes the connection here, 4,992 bytes short

    Transport.Response response = owned().send(new Transport.Request(raw.url(), batchHeaders(), BATCH));

    assertEquals(429, response.code());
    assertEquals("7", response.retryAfter());
    assertEquals("rate lim", response.body());
  }

  @Test
  void attemptsEndAtTheCallersCallTimeoutWhenItIsShorter() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    Transport transport = callers(new OkHttpClient.Builder().callTimeout(Duration.ofMillis(500)));

    long start = System.nanoTime();
    IOException e = sendFails(transport, batchRequest(Duration.ofMinutes(1)));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertInstanceOf(InterruptedIOException.class, e);
    assertTrue(elapsed.compareTo(Duration.ofMillis(500).plus(SLACK)) < 0, "ended after " + elapsed);
  }

  @Test
  void subMillisecondReadTimeoutTimesOutInsteadOfMeaningNone() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    Transport transport = fromFactory(Duration.ofSeconds(10), Duration.ofNanos(999_000));

    assertEquals("OkHttpTransport{client=owned, connectTimeout=10000ms, readTimeout=1ms}", transport.toString());
    IOException e = sendFails(transport, batchRequest()); // a request with no deadline of its own
    assertInstanceOf(SocketTimeoutException.class, e);
  }

  @Test
  void subMillisecondDeadlineTimesOut() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    Transport transport = owned();

    long start = System.nanoTime();
    IOException e = sendFails(transport, batchRequest(Duration.ofNanos(999_000)));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertInstanceOf(InterruptedIOException.class, e);
    assertEquals("timeout", e.getMessage());
    assertTrue(elapsed.compareTo(SLACK) < 0, "ended after " + elapsed + ", not at its deadline");
  }

  @Test
  void timeoutsBeyondWhatOkHttpTakesSaturate() throws Exception {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    Transport transport = fromFactory(forever, forever);
    server.enqueue(new MockResponse.Builder().build());

    assertEquals("OkHttpTransport{client=owned, connectTimeout=2147483647ms, readTimeout=2147483647ms}",
        transport.toString());
    assertEquals(200, transport.send(batchRequest(forever)).code());
  }

  @Test
  void zeroTimeoutsMeanNone() throws Exception {
    Transport transport = fromFactory(Duration.ZERO, Duration.ZERO);
    server.enqueue(new MockResponse.Builder().build());

    assertEquals("OkHttpTransport{client=owned, connectTimeout=0ms, readTimeout=0ms}", transport.toString());
    assertEquals(200, transport.send(batchRequest()).code());
  }

  @Test
  void attemptDeadlineIsTheRequestsTimeoutOrTheClientsShorterCallTimeout() {
    assertEquals(1, OkHttpTransport.deadlineNanos(Duration.ofNanos(1), 0));
    assertEquals(999_000, OkHttpTransport.deadlineNanos(Duration.ofNanos(999_000), 0));
    assertEquals(30_000_000_000L, OkHttpTransport.deadlineNanos(Duration.ofSeconds(30), 0));
    assertEquals(5_000_000_000L, OkHttpTransport.deadlineNanos(Duration.ofSeconds(30), 5_000));
    assertEquals(30_000_000_000L, OkHttpTransport.deadlineNanos(Duration.ofSeconds(30), 60_000));
    assertEquals(Integer.MAX_VALUE * 1_000_000L,
        OkHttpTransport.deadlineNanos(ChronoUnit.FOREVER.getDuration(), 0));
  }

  // The status line decides: a 2xx is a 2xx whatever its body does.

  @ParameterizedTest
  @ValueSource(strings = {"Content-Length: 1000000000000", "Transfer-Encoding: chunked", "Connection: close"})
  void endlessSuccessBodyIsNotAwaited(String framing) throws Exception {
    boolean chunked = framing.startsWith("Transfer-Encoding");
    RawServer raw = raw((in, out) -> {
      out.write(("HTTP/1.1 200 OK\r\n" + framing + "\r\n\r\n").getBytes(UTF_8));
      byte[] block = new byte[8192];
      Arrays.fill(block, (byte) 'x');
      while (true) {
        if (chunked) out.write("2000\r\n".getBytes(UTF_8));
        out.write(block);
        if (chunked) out.write("\r\n".getBytes(UTF_8));
      }
    });

    assertPromptSuccess(owned(), raw.url(), 200);
  }

  @Test
  void stalledChunkedSuccessBodyIsNotAwaited() throws Exception {
    RawServer raw = raw((in, out) -> {
      out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".getBytes(UTF_8));
      out.flush();
      RawServer.awaitClientClose(in);
    });

    assertPromptSuccess(owned(), raw.url(), 200);
  }

  @Test
  void tricklingSuccessBodyIsNotAwaited() throws Exception {
    RawServer raw = raw((in, out) -> trickle(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", ""));

    assertPromptSuccess(owned(), raw.url(), 200);
  }

  @Test
  void garbageGzipSuccessBodyIsNotRead() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .addHeader("Content-Encoding", "gzip")
        .body("this is not gzip")
        .build());

    assertPromptSuccess(owned(), url(), 200);
  }

  @Test
  void garbageGzipErrorBodyGivesTheStatusWithAnEmptyBody() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .code(502)
        .addHeader("Content-Encoding", "gzip")
        .body("this is not gzip")
        .build());

    Transport.Response response = owned().send(batchRequest());

    assertEquals(502, response.code());
    assertEquals("", response.body());
  }

  /** OkHttp fails these calls with "HTTP 204 had non-zero Content-Length: 5" once the status is in. */
  @ParameterizedTest
  @ValueSource(ints = {204, 205})
  void noContentWithABodyIsStillItsStatus(int code) throws Exception {
    RawServer raw = raw((in, out) -> {
      out.write(("HTTP/1.1 " + code + " No Content\r\nContent-Length: 5\r\n\r\nhello").getBytes(UTF_8));
      out.flush();
      RawServer.awaitClientClose(in);
    });

    assertPromptSuccess(owned(), raw.url(), code);
    assertEquals(1, raw.requestCount());
  }

  @Test
  void statusCodeUnder100IsAProtocolError() throws Exception {
    RawServer raw = raw((in, out) -> {
      out.write("HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n".getBytes(UTF_8));
      out.flush();
      RawServer.awaitClientClose(in);
    });

    ProtocolException e = assertThrows(ProtocolException.class,
        () -> owned().send(new Transport.Request(raw.url(), batchHeaders(), BATCH)));
    assertEquals("Unexpected status code 99 from " + raw.url(), e.getMessage());
  }

  @Test
  void overHttp2TooNothingIsReplayedAndTheStatusDecides() throws Exception {
    try (MockWebServer h2 = new MockWebServer()) {
      h2.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
      h2.start();
      h2.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").build());
      h2.enqueue(new MockResponse.Builder()
          .body("x".repeat(100_000))
          .onResponseBody(SocketEffect.Stall.INSTANCE)
          .build());
      h2.enqueue(new MockResponse.Builder().body("must not be requested").build());
      Transport transport = callers(new OkHttpClient.Builder()
          .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
          .retryOnConnectionFailure(true));
      String url = h2.url("/v1/batch").toString();

      assertEquals(503, transport.send(new Transport.Request(url, batchHeaders(), BATCH)).code());
      assertEquals(1, h2.getRequestCount());
      assertPromptSuccess(transport, url, 200);
      assertEquals(2, h2.getRequestCount());
    }
  }

  // The caller's client: still theirs.

  @Test
  void callersEventListenerStillReceivesEveryEvent() throws Exception {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    Transport transport = callers(new OkHttpClient.Builder().eventListener(new EventListener() {
      @Override public void callStart(Call call) {
        events.add("callStart");
      }

      @Override public void responseHeadersEnd(Call call, okhttp3.Response response) {
        events.add("responseHeadersEnd " + response.code());
      }

      @Override public void callEnd(Call call) {
        events.add("callEnd");
      }

      @Override public void callFailed(Call call, IOException e) {
        events.add("callFailed " + e.getMessage());
      }
    }));
    server.enqueue(new MockResponse.Builder().build());
    RawServer raw = raw((in, out) -> {
      out.write("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello".getBytes(UTF_8));
      out.flush();
      RawServer.awaitClientClose(in);
    });

    assertEquals(200, transport.send(batchRequest()).code());
    assertEquals(204, transport.send(new Transport.Request(raw.url(), batchHeaders(), BATCH)).code());

    assertEquals(List.of(
        "callStart", "responseHeadersEnd 200", "callEnd",
        "callStart", "responseHeadersEnd 204", "callFailed HTTP 204 had non-zero Content-Length: 5"),
        events);
  }

  @Test
  void leavesCallersClientSettingsUnchangedAndSharesItsConnectionPool() throws Exception {
    OkHttpClient client = callerClient(new OkHttpClient.Builder()
        .followRedirects(true)
        .followSslRedirects(true)
        .retryOnConnectionFailure(true)
        .connectTimeout(Duration.ofSeconds(3))
        .readTimeout(Duration.ofSeconds(4))
        .writeTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(60)));
    Transport transport = OkHttpTransport.create(client);
    transports.add(transport);
    server.enqueue(new MockResponse.Builder().build());

    assertEquals(200, transport.send(batchRequest()).code());
    transport.close();

    assertTrue(client.followRedirects());
    assertTrue(client.followSslRedirects());
    assertTrue(client.retryOnConnectionFailure());
    assertEquals(3_000, client.connectTimeoutMillis());
    assertEquals(4_000, client.readTimeoutMillis());
    assertEquals(5_000, client.writeTimeoutMillis());
    assertEquals(60_000, client.callTimeoutMillis());
    assertEquals(1, client.connectionPool().connectionCount(), "the batch's connection is in the caller's pool");
    assertFalse(client.dispatcher().executorService().isShutdown());
  }

  /** The two clients every one-attempt guarantee is checked on. */
  enum Client {
    /** The transport's own, from {@link OkHttpTransport#create()}. */
    OWNED,
    /** A caller's with OkHttp's defaults: follows redirects, retries on connection failure. */
    CALLERS
  }

  private Transport transport(Client client) {
    return client == Client.OWNED ? owned() : callers(new OkHttpClient.Builder()
        .followRedirects(true)
        .followSslRedirects(true)
        .retryOnConnectionFailure(true));
  }

  private Transport callers(OkHttpClient.Builder builder) {
    Transport transport = OkHttpTransport.create(callerClient(builder));
    transports.add(transport);
    return transport;
  }

  private Transport fromFactory(Duration connectTimeout, Duration readTimeout) {
    Transport transport = new OkHttpTransportFactory().create(connectTimeout, readTimeout);
    transports.add(transport);
    return transport;
  }

  private RawServer raw(RawServer.Answer answer) throws IOException {
    RawServer raw = new RawServer(answer);
    rawServers.add(raw);
    return raw;
  }

  /**
   * Writes {@code atOnce}, then {@code trickled} and 'x' forever, one byte per period, until the
   * client goes away.
   */
  private static void trickle(OutputStream out, String atOnce, String trickled)
      throws IOException, InterruptedException {
    out.write(atOnce.getBytes(UTF_8));
    byte[] bytes = trickled.getBytes(UTF_8);
    for (int i = 0; ; i++) {
      out.write(i < bytes.length ? bytes[i] : 'x');
      out.flush();
      MILLISECONDS.sleep(TRICKLE_PERIOD_MILLIS); // the fault's pace, not a wait for an outcome
    }
  }

  /**
   * Sends with a one-minute deadline and a 20 s read timeout and asserts the answer came well
   * before either could have ended it.
   */
  private void assertPromptSuccess(Transport transport, String url, int code) throws Exception {
    long start = System.nanoTime();
    Transport.Response response =
        sendWithin(transport, new Transport.Request(url, batchHeaders(), BATCH, Duration.ofMinutes(1)));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(code, response.code());
    assertEquals("", response.body());
    assertTrue(elapsed.compareTo(SLACK) < 0, "answered after " + elapsed);
  }

  /** Sends on another thread, so that a hang fails the test instead of stalling the build. */
  private Transport.Response sendWithin(Transport transport, Transport.Request request) throws Exception {
    return executor.submit(() -> transport.send(request)).get(1, MINUTES);
  }

  private IOException sendFails(Transport transport, Transport.Request request) {
    Future<Transport.Response> sending = executor.submit(() -> transport.send(request));
    ExecutionException e = assertThrows(ExecutionException.class, () -> sending.get(1, MINUTES));
    return assertInstanceOf(IOException.class, e.getCause());
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

  private Transport.Request batchRequest(Duration timeout) {
    return new Transport.Request(url(), batchHeaders(), BATCH, timeout);
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
