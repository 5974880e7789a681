package dev.analytics4j.okhttp;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on 127.0.0.1 for the answers MockWebServer cannot give: a status line or
 * headers trickled byte by byte, a 204 with a body, an endless body, a status code under 100. Each
 * connection carries one request; once its body is read, the {@link Answer} writes whatever it
 * likes, and the connection is closed when it returns.
 */
final class RawServer implements Closeable {
  /** Writes the answer to one request. */
  interface Answer {
    void write(InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  private final ServerSocket serverSocket;
  private final Answer answer;
  private final AtomicInteger requestCount = new AtomicInteger();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  RawServer(Answer answer) throws IOException {
    this.answer = answer;
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "RawServer-accept-" + serverSocket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + serverSocket.getLocalPort() + "/v1/batch";
  }

  /** Requests whose headers and body were read in full. */
  int requestCount() {
    return requestCount.get();
  }

  private void accept() {
    while (!serverSocket.isClosed()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(socket);
      Thread handler = new Thread(() -> handle(socket), "RawServer-" + socket.getPort());
      handler.setDaemon(true);
      handler.start();
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      readRequest(in);
      requestCount.incrementAndGet();
      answer.write(in, socket.getOutputStream());
    } catch (IOException e) {
      // The client went away, as most of these answers intend.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sockets.remove(socket);
    }
  }

  private static void readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b == -1) throw new IOException("request ended in its headers");
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    long contentLength = 0;
    for (String line : head.toString(US_ASCII).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        contentLength = Long.parseLong(line.substring("content-length:".length()).trim());
      }
    }
    for (long i = 0; i < contentLength; i++) {
      if (in.read() == -1) throw new IOException("request ended in its body");
    }
  }

  /** Blocks until the client closes the connection (or the server is closed). */
  static void awaitClientClose(InputStream in) throws IOException {
    while (in.read() != -1) {
      // discard
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
