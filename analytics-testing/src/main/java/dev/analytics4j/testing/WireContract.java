package dev.analytics4j.testing;

import dev.analytics4j.messages.Message;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The Tracking API's side of the wire contract: checks one {@code POST /v1/batch} the way the API
 * would, and decodes the messages of an accepted one. Shared by the recording client's transport and
 * the fake collector, so both refuse exactly the same requests with exactly the same words.
 *
 * <p>Where the real API is lenient the contract's rule is enforced instead, and each such choice is
 * a test aid: a write key other than the expected one gets 401 (the real edge answers 200 and drops
 * the events silently); {@code messageId}, {@code timestamp}, {@code sentAt} and the body's
 * {@code writeKey} are required, timestamps as ISO-8601 UTC with milliseconds.
 */
final class WireContract {
  static final String PATH = "/v1/batch";
  static final int MAX_MESSAGE_BYTES = 32_000;
  static final int MAX_REQUEST_BYTES = 500_000;
  static final int MAX_BATCH_MESSAGES = 2_500;
  static final int MAX_MESSAGE_ID_LENGTH = 100;
  private static final Pattern TIMESTAMP =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z");
  private static final String OK_BODY = "{\"success\":true}";

  /** The API's answer to one request, and the messages it kept. */
  static final class Verdict {
    final int status;
    /** Why the request was refused, or its messages dropped; null when everything was accepted. */
    final @Nullable String problem;
    final List<SentMessage> messages;

    private Verdict(int status, @Nullable String problem, List<SentMessage> messages) {
      this.status = status;
      this.problem = problem;
      this.messages = messages;
    }

    boolean accepted() {
      return problem == null;
    }

    /** The response body: {@code {"success":true}}, or the problem for a person to read. */
    String body() {
      if (status >= 200 && status < 300) return OK_BODY;
      return errorBody(problem != null ? problem : "HTTP " + status);
    }
  }

  private final String writeKey;

  WireContract(String writeKey) {
    this.writeKey = writeKey;
  }

  static String errorBody(String error) {
    return "{\"success\":false,\"error\":" + Json.quote(error) + "}";
  }

  /**
   * Checks one request. {@code path} is null when the caller does not route by path (the recording
   * client's transport, whose URL the test configured); {@code headers} must look names up ignoring case.
   */
  Verdict check(String method, @Nullable String path, Map<String, String> headers, byte[] body) {
    try {
      return new Verdict(200, null, Collections.unmodifiableList(checkRequest(method, path, headers, body)));
    } catch (Refusal refusal) {
      return new Verdict(refusal.status, refusal.getMessage(), Collections.emptyList());
    }
  }

  private List<SentMessage> checkRequest(String method, @Nullable String path,
      Map<String, String> headers, byte[] body) throws Refusal {
    if (path != null && !PATH.equals(path)) throw new Refusal(404, "no route " + path + "; batches go to " + PATH);
    if (!"POST".equals(method)) throw new Refusal(405, method + " " + PATH + " is not allowed; use POST");
    checkAuthorization(headers.get("Authorization"));
    String contentType = headers.get("Content-Type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).split(";", -1)[0].trim().equals("application/json")) {
      throw new Refusal(400, "Content-Type must be application/json but was " + contentType);
    }
    byte[] json = decode(headers.get("Content-Encoding"), body);
    return checkBody(json);
  }

  private void checkAuthorization(@Nullable String authorization) throws Refusal {
    if (authorization == null) {
      throw new Refusal(401, "no Authorization header; send Basic base64(writeKey + \":\")");
    }
    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new Refusal(401, "Authorization is not Basic; send Basic base64(writeKey + \":\")");
    }
    String credentials;
    try {
      credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Refusal(401, "Authorization is not valid base64");
    }
    int colon = credentials.indexOf(':');
    if (colon < 0) throw new Refusal(401, "Authorization must encode writeKey + \":\" (the colon is missing)");
    String key = credentials.substring(0, colon);
    if (key.isEmpty()) throw new Refusal(400, "the write key in Authorization is empty");
    if (!key.equals(writeKey)) {
      throw new Refusal(401, "Authorization carries another write key than the expected one "
          + "(the real API would answer 200 and drop the events)");
    }
  }

  private static byte[] decode(@Nullable String contentEncoding, byte[] body) throws Refusal {
    if (contentEncoding == null || contentEncoding.trim().equalsIgnoreCase("identity")) {
      if (body.length > MAX_REQUEST_BYTES) {
        throw new Refusal(400, "request body of " + body.length + " bytes is over the "
            + MAX_REQUEST_BYTES + "-byte limit");
      }
      return body;
    }
    if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
      throw new Refusal(400, "unsupported Content-Encoding " + contentEncoding + "; use gzip or none");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      // Read one byte past the limit, no more: a gzip bomb must not fill the test's heap.
      byte[] chunk = new byte[8192];
      for (int n; (n = in.read(chunk)) > 0; ) {
        out.write(chunk, 0, n);
        if (out.size() > MAX_REQUEST_BYTES) {
          throw new Refusal(400, "request body is over the " + MAX_REQUEST_BYTES
              + "-byte limit uncompressed");
        }
      }
    } catch (IOException e) {
      throw new Refusal(400, "body is not valid gzip: " + e.getMessage());
    }
    return out.toByteArray();
  }

  private List<SentMessage> checkBody(byte[] bytes) throws Refusal {
    Json.Body body;
    try {
      String text = Json.utf8(bytes);
      body = Json.parseBody(text);
      if (body == null) throw new Refusal(400, "body must be a JSON object but was " + describe(Json.parse(text)));
    } catch (Json.Malformed e) {
      throw new Refusal(400, "body is not valid JSON: " + e.getMessage());
    }
    Map<String, @Nullable Object> fields = body.fields;
    List<String> rawMessages = body.rawBatch;
    if (fields.containsKey("batch") && rawMessages == null) {
      throw new Refusal(400, "batch must be an array but was " + describe(fields.get("batch")));
    }
    if (rawMessages == null) throw new Refusal(400, "body has no batch array");
    Object context = fields.get("context");
    if (context != null && !(context instanceof Map)) {
      throw new Refusal(400, "context must be an object but was " + describe(context));
    }
    Object bodyWriteKey = fields.get("writeKey");
    if (bodyWriteKey == null) {
      throw new Refusal(400, "body has no writeKey (the contract sends it in the body as well as in Authorization)");
    }
    if (!(bodyWriteKey instanceof String)) throw new Refusal(400, "writeKey must be a string but was " + describe(bodyWriteKey));
    if (!bodyWriteKey.equals(writeKey)) {
      throw new Refusal(401, "the body's writeKey is another than the expected one "
          + "(the real API would answer 200 and drop the events)");
    }
    Object sentAt = fields.get("sentAt");
    if (sentAt == null) throw new Refusal(400, "body has no sentAt");
    if (!(sentAt instanceof String)) throw new Refusal(400, "sentAt must be a string but was " + describe(sentAt));
    checkTimestamp((String) sentAt, "sentAt");
    checkLibrary(context, "body");

    if (rawMessages.size() > MAX_BATCH_MESSAGES) {
      throw new Refusal(200, "batch of " + rawMessages.size() + " messages is over the "
          + MAX_BATCH_MESSAGES + "-message limit; the API answers 200 and drops them all");
    }
    List<?> values = (List<?>) fields.get("batch");
    List<SentMessage> messages = new ArrayList<>(rawMessages.size());
    for (int i = 0; i < rawMessages.size(); i++) {
      int size = rawMessages.get(i).getBytes(StandardCharsets.UTF_8).length;
      if (size > MAX_MESSAGE_BYTES) {
        throw new Refusal(400, "batch[" + i + "] is " + size + " bytes, over the "
            + MAX_MESSAGE_BYTES + "-byte limit of one message");
      }
      messages.add(checkMessage(values.get(i), "batch[" + i + "]"));
    }
    return messages;
  }

  /** The contract puts {@code context.library} {name, version} in each message and in the body. */
  private static void checkLibrary(@Nullable Object context, String at) throws Refusal {
    Object library = context instanceof Map ? ((Map<?, ?>) context).get("library") : null;
    if (!(library instanceof Map)) {
      throw new Refusal(400, at + " has no context.library (the client names itself in each message and in the body)");
    }
    for (String name : new String[] {"name", "version"}) {
      Object value = ((Map<?, ?>) library).get(name);
      if (!(value instanceof String) || ((String) value).trim().isEmpty()) {
        throw new Refusal(400, at + " context.library has no " + name);
      }
    }
  }

  private static String describe(@Nullable Object value) {
    if (value instanceof Map) return "an object";
    if (value instanceof List) return "an array";
    if (value instanceof String) return "a string";
    if (value instanceof Number) return "a number";
    if (value instanceof Boolean) return "a boolean";
    return value == null ? "null" : "nothing";
  }

  private static Instant checkTimestamp(String value, String where) throws Refusal {
    if (TIMESTAMP.matcher(value).matches()) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        // Falls through to the refusal: digits in the right places, but no such date.
      }
    }
    throw new Refusal(400, where + " must be ISO-8601 UTC with milliseconds, like "
        + "2025-03-14T09:26:53.589Z, but was " + abbreviate(value));
  }

  /** Fields the API sets itself: a client never sends them. */
  private static final String[] SERVER_SET = {"receivedAt", "originalTimestamp", "version", "channel"};

  /** Decodes and checks one message; {@code where} names it in refusals. */
  static SentMessage checkMessage(byte[] raw, String where) throws Refusal {
    Object value;
    try {
      value = Json.parse(Json.utf8(raw));
    } catch (Json.Malformed e) {
      throw new Refusal(400, where + " is not valid JSON: " + e.getMessage());
    }
    return checkMessage(value, where);
  }

  private static SentMessage checkMessage(@Nullable Object value, String where) throws Refusal {
    if (!(value instanceof Map)) throw new Refusal(400, where + " must be an object");
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> fields = (Map<String, @Nullable Object>) value;

    Object typeValue = fields.get("type");
    Message.Type type = null;
    for (Message.Type candidate : Message.Type.values()) {
      if (candidate.wireName().equals(typeValue)) type = candidate;
    }
    if (type == null) {
      throw new Refusal(400, where + " has type " + (typeValue instanceof String ? "\"" + abbreviate((String) typeValue) + "\"" : String.valueOf(typeValue))
          + "; expected identify, track, page, screen, group or alias");
    }
    String at = where + " (" + type.wireName() + ")";

    String messageId = optionalString(fields, "messageId", at);
    if (messageId == null || messageId.trim().isEmpty()) throw new Refusal(400, at + " has no messageId");
    if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      throw new Refusal(400, at + " messageId is " + messageId.length() + " characters, over the limit of "
          + MAX_MESSAGE_ID_LENGTH);
    }
    String timestamp = optionalString(fields, "timestamp", at);
    if (timestamp == null) throw new Refusal(400, at + " has no timestamp");
    Instant instant = checkTimestamp(timestamp, at + " timestamp");

    String userId = optionalString(fields, "userId", at);
    String anonymousId = optionalString(fields, "anonymousId", at);
    if (type == Message.Type.ALIAS) {
      requireNonBlank(fields, "previousId", at);
      requireNonBlank(fields, "userId", at);
    } else if (isBlank(userId) && isBlank(anonymousId)) {
      throw new Refusal(400, at + " has neither userId nor anonymousId");
    }
    switch (type) {
      case TRACK:
        requireNonBlank(fields, "event", at);
        break;
      case GROUP:
        requireNonBlank(fields, "groupId", at);
        break;
      case PAGE:
        optionalString(fields, "category", at);
        optionalString(fields, "name", at);
        break;
      case SCREEN:
        optionalString(fields, "name", at);
        break;
      default:
        break;
    }
    for (String name : new String[] {"traits", "properties", "context", "integrations"}) {
      if (fields.containsKey(name) && !(fields.get(name) instanceof Map)) {
        throw new Refusal(400, at + " " + name + " must be an object");
      }
    }
    for (String name : SERVER_SET) {
      if (fields.containsKey(name)) {
        throw new Refusal(400, at + " has " + name + ", which the API sets; a client never sends it");
      }
    }
    checkLibrary(fields.get("context"), at);
    Object integrations = fields.get("integrations");
    if (integrations instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) integrations).entrySet()) {
        if (!(e.getValue() instanceof Boolean) && !(e.getValue() instanceof Map)) {
          throw new Refusal(400, at + " integrations." + e.getKey() + " must be a boolean or an object");
        }
      }
    }
    return new SentMessage(fields, type, instant);
  }

  private static @Nullable String optionalString(Map<String, @Nullable Object> fields, String name, String at)
      throws Refusal {
    Object value = fields.get(name);
    if (value == null) return null;
    if (!(value instanceof String)) throw new Refusal(400, at + " " + name + " must be a string");
    return (String) value;
  }

  private static void requireNonBlank(Map<String, @Nullable Object> fields, String name, String at) throws Refusal {
    if (isBlank(optionalString(fields, name, at))) throw new Refusal(400, at + " has no " + name);
  }

  private static boolean isBlank(@Nullable String s) {
    return s == null || s.trim().isEmpty();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Decodes one message the way a collector reads it, for a report about an undelivered message; null if it breaks a rule. */
  static @Nullable SentMessage decodeOrNull(String json) {
    try {
      return checkMessage(json.getBytes(StandardCharsets.UTF_8), "message");
    } catch (Refusal e) {
      return null;
    }
  }

  /**
   * A request the API would refuse, with its status; 200 for the one it answers with success while
   * dropping its messages (a batch over the message limit).
   */
  static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
