package dev.analytics4j.testing;

import dev.analytics4j.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The recording client's transport: answers each request in memory, as the API would (the shared
 * {@link WireContract}), and keeps the messages of every accepted one. Never opens a socket.
 */
final class MemoryTransport implements Transport {
  private final WireContract contract;
  private final List<SentMessage> sent = new ArrayList<>();

  MemoryTransport(String writeKey) {
    this.contract = new WireContract(writeKey);
  }

  @Override
  public Response send(Request request) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(request.headers());
    WireContract.Verdict verdict = contract.check("POST", null, headers, request.body());
    synchronized (sent) {
      sent.addAll(verdict.messages);
    }
    return new Response(verdict.status, null, verdict.body());
  }

  List<SentMessage> sent() {
    synchronized (sent) {
      return new ArrayList<>(sent);
    }
  }
}
