package dev.analytics4j.spring.boot;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 GETs to a server on 127.0.0.1 from any loopback address (127.0.0.2, 127.0.0.3...), so
 * that concurrent requests of a test come from different client ips, as a server's do.
 */
final class LoopbackClient {
  private LoopbackClient() {}

  /** The address of client {@code n}: 127.0.0.2 up to 127.0.0.201. */
  static String ip(int n) {
    return "127.0.0." + (2 + n % 200);
  }

  /** The response's status code, a line break and its body, after {@code Connection: close}. */
  static String get(int port, String fromIp, String path, String userAgent) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: " + userAgent
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int headersEnd = response.indexOf("\r\n\r\n");
      if (headersEnd < 0) throw new IOException("no complete response: " + response);
      String body = response.substring(headersEnd + 4);
      if (response.contains("Transfer-Encoding: chunked") || response.contains("transfer-encoding: chunked")) {
        body = unchunk(body);
      }
      String statusLine = response.substring(0, response.indexOf("\r\n"));
      return statusLine.split(" ")[1] + "\n" + body;
    }
  }

  private static String unchunk(String chunked) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
      if (size == 0) return body.toString();
      body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
}
