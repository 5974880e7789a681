package dev.analytics4j;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Answers 200 and keeps every message it receives, parsed, by messageId. Gzip must be off. */
public final class CollectingTransport implements Transport {
  private static final Type BATCH = Types.newParameterizedType(Map.class, String.class, Object.class);
  private static final JsonAdapter<Map<String, Object>> ADAPTER = new Moshi.Builder().build().adapter(BATCH);

  public final Map<String, Map<String, Object>> messages = new ConcurrentHashMap<>();
  public final List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  @SuppressWarnings("unchecked")
  public Response send(Request request) throws IOException {
    Map<String, Object> body = ADAPTER.fromJson(new String(request.body(), StandardCharsets.UTF_8));
    for (Object message : (List<Object>) body.get("batch")) {
      Map<String, Object> map = (Map<String, Object>) message;
      if (messages.put((String) map.get("messageId"), map) != null) duplicates.add((String) map.get("messageId"));
    }
    return new Response(200, null, "{\"success\":true}");
  }

  public Map<String, Object> get(String messageId) {
    Map<String, Object> message = messages.get(messageId);
    if (message == null) throw new AssertionError("no message " + messageId + " among " + messages.keySet());
    return message;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Map<String, Object> message, String key) {
    return (Map<String, Object>) message.get(key);
  }
}
