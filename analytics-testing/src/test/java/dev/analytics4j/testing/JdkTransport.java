package dev.analytics4j.testing;

import dev.analytics4j.Transport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * A transport on the JDK's HTTP client, for the kit's tests of the production client against the
 * fake collector: the OkHttp transport's own tests use the kit, so the kit's tests cannot use it.
 * Releases a permit of {@link #attempts} after each answer or network error.
 */
final class JdkTransport implements Transport {
  final Semaphore attempts = new Semaphore(0);
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Override
  public Response send(Request request) throws IOException {
    HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(request.url()))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach(http::header);
    try {
      HttpResponse<String> response = client.send(http.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
          response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      attempts.release();
    }
  }
}
