package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The caps of the request context, on values no server would pass on, and on random ones. */
class RequestContextTest {
  private static final com.squareup.moshi.JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  private static final RequestContext DEFAULT = context(false);
  private static final RequestContext WITH_QUERIES = context(true);

  private static RequestContext context(boolean queryStrings) {
    return new RequestContext(queryStrings) {};
  }

  private static int bytes(Map<String, ?> context) {
    @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) context;
    return JSON.toJson(map).getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void everyValueIsCutToItsCapAndAllTogetherToTheTotal() {
    String huge = "a".repeat(1_000_000);
    Map<String, Object> context = WITH_QUERIES.of(huge, huge, Locale.forLanguageTag("en-GB"),
        "https://shop.example/" + huge, "/" + huge, huge, "https://ref.example/" + huge);

    assertEquals(64, ((String) context.get("ip")).length());
    assertEquals(512, ((String) context.get("userAgent")).length());
    @SuppressWarnings("unchecked") Map<String, Object> page = (Map<String, Object>) context.get("page");
    assertEquals(1_024, ((String) page.get("path")).length());
    assertEquals(null, page.get("search"), "a query that does not fit whole is left out");
    assertTrue(bytes(context) <= RequestContext.TOTAL_BYTES + 20, bytes(context) + " bytes");
    assertTrue(((String) page.get("url")).startsWith("https://shop.example/aaa"));
  }

  @Test
  void queryStringsAreLeftOutUnlessAllowed() {
    Map<String, Object> context = DEFAULT.of("203.0.113.7", "UA", null, "https://shop.example/cart", "/cart",
        "token=s3cr3t&plan=team", "https://mail.example/inbox?token=other#frag");
    assertEquals(Map.of("ip", "203.0.113.7", "userAgent", "UA",
        "page", Map.of("path", "/cart", "referrer", "https://mail.example/inbox", "url", "https://shop.example/cart")),
        context);

    Map<String, Object> allowed = WITH_QUERIES.of("203.0.113.7", "UA", null, "https://shop.example/cart", "/cart",
        "token=s3cr3t", "https://mail.example/inbox?token=other");
    assertEquals(Map.of("path", "/cart", "referrer", "https://mail.example/inbox?token=other", "search", "?token=s3cr3t",
        "url", "https://shop.example/cart?token=s3cr3t"), allowed.get("page"));
  }

  @Test
  void cutsNeverSplitASurrogatePairAndMendUnpairedOnes() {
    String emoji = "\uD83D\uDE00"; // two chars, four bytes
    String agent = "x".repeat(511) + emoji;
    assertEquals("x".repeat(511), DEFAULT.of(null, agent, null, "u", "/", null, null).get("userAgent"));
    assertEquals("a\uFFFDb", DEFAULT.of(null, "a\uD800b", null, "u", "/", null, null).get("userAgent"));
    assertEquals("a\uFFFD", DEFAULT.of(null, "a\uDC00", null, "u", "/", null, null).get("userAgent"));
  }

  @Test
  void theBudgetCountsBytesAsSerializedNotCharacters() {
    Random random = new Random(18);
    for (int run = 0; run < 2_000; run++) {
      Map<String, Object> context = WITH_QUERIES.of(text(random), text(random), null, text(random), text(random),
          text(random), text(random));
      int size = bytes(context);
      // The total, plus the keys of an empty page object and the braces the budget does not count.
      assertTrue(size <= RequestContext.TOTAL_BYTES + 20, "run " + run + ": " + size + " bytes");
    }
  }

  /** Up to 5,000 chars mixing ASCII, quotes, controls, 2- and 3-byte chars and surrogate pairs. */
  private static String text(Random random) {
    int length = random.nextInt(5_000);
    StringBuilder out = new StringBuilder(length);
    String[] pieces = {"a", "\"", "\\", "\u0001", "\n", "é", "€", "\u2028", "\uD83D\uDE00", "\uD800"};
    while (out.length() < length) out.append(pieces[random.nextInt(pieces.length)]);
    return out.toString();
  }
}
