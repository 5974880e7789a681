import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * A collector on 127.0.0.1 that only counts: requests, and messages by their "messageId" keys
 * (a JSON parser here would take the CPU the importer needs on a shared 2-core machine). Answers
 * 200 to every POST. Prints the counts on stdout when it gets GET /counts. JDK only, so it runs as
 * a single source file: java analytics-cli/src/test/scripts/CountingCollector.java PORT [DELAY_MS]
 *
 * <p>DELAY_MS holds each answer back that long, as a distant collector's round trip would.
 */
public class CountingCollector {
  private static final byte[] KEY = "\"messageId\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "{\"success\":true}".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    long delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    // The JDK's server writes an answer's headers and body in two writes without TCP_NODELAY, so the
    // body waits for the client's delayed ACK: 40 ms per answer on Linux, which bounded every run
    // at 4 requests in flight. Servers people run (nginx, Go, Netty) set it; so does this one.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    AtomicLong requests = new AtomicLong();
    AtomicLong messages = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    server.setExecutor(Executors.newFixedThreadPool(16)); // answers held back must not hold up others
    server.createContext("/", exchange -> {
      if (exchange.getRequestMethod().equals("GET")) {
        byte[] counts = (requests.get() + " requests, " + messages.get() + " messages\n").getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, counts.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(counts);
        }
        return;
      }
      InputStream body = exchange.getRequestBody();
      if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) body = new GZIPInputStream(body);
      long found = 0;
      int matched = 0;
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = body.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          matched = b == KEY[matched] ? matched + 1 : b == KEY[0] ? 1 : 0;
          if (matched == KEY.length) {
            found++;
            matched = 0;
          }
        }
      }
      requests.incrementAndGet();
      messages.addAndGet(found);
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.sendResponseHeaders(200, OK.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(OK);
      }
    });
    server.start();
    System.out.println("counting on http://127.0.0.1:" + port);
  }
}
