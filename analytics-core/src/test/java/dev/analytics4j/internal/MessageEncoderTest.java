package dev.analytics4j.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.Moshi;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

final class MessageEncoderTest {
  private static final String WRITE_KEY = "YOUR_WRITE_KEY";
  private static final Instant T = Instant.parse("2025-03-14T09:26:53.589Z");
  private static final String LIBRARY = "\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}";

  private final MessageEncoder encoder = new MessageEncoder(WRITE_KEY, "analytics4j", "0.1.0");

  /** A map that keeps insertion order and accepts null values. */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }

  private static TrackMessage.Builder track() {
    return TrackMessage.builder("E").userId("u").messageId("m1").timestamp(T);
  }

  private String encodeProperties(Map<String, ?> properties) {
    return encoder.encode(track().properties(properties).build()).json();
  }

  /** The JSON of a track with {@code properties}, given as their JSON. */
  private static String trackJson(String properties) {
    return "{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"u\","
        + "\"event\":\"E\",\"properties\":" + properties + ",\"context\":{" + LIBRARY + "}}";
  }

  private void assertRejected(String expectedMessage, Message message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.encode(message));
    assertEquals(expectedMessage, e.getMessage());
  }

  private void assertPropertiesRejected(String expectedMessage, Map<String, ?> properties) {
    assertRejected(expectedMessage, track().properties(properties).build());
  }

  private static Object decodeUnchecked(String json) {
    try {
      return decode(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Object decode(String json) throws IOException {
    return new Moshi.Builder().build().adapter(Object.class).fromJson(json);
  }

  // Golden output, one test per type.

  @Test
  void refusesABigNumberNoDoubleCanHoldAndTakesTheLargestThatOneCan() {
    // Sent, 1E+400 would be infinity to a collector, which refuses the whole batch for it.
    assertPropertiesRejected("properties.total must be a finite number: 1E+400", map("total", new BigDecimal("1e400")));
    assertPropertiesRejected("properties.n[0] must be a finite number: -" + BigInteger.TEN.pow(400),
        map("n", Arrays.asList(BigInteger.TEN.pow(400).negate())));
    BigDecimal largest = new BigDecimal(Double.MAX_VALUE);
    assertEquals(trackJson("{\"total\":" + largest + ",\"tiny\":1E-400}"),
        encodeProperties(map("total", largest, "tiny", new BigDecimal("1e-400"))));
  }

  @Test
  void aRefusedMessageLeavesNothingBehindForTheNextOneOnTheSameThread() {
    String good = encodeProperties(map("a", 1));
    Map<String, Object> bad = map("deep", map("list", Arrays.asList(1, Double.NaN)));
    assertPropertiesRejected("properties.deep.list[1] must be a finite number: NaN", bad);
    assertThrows(IllegalArgumentException.class,
        () -> encoder.encode(track().properties(map("blob", "x".repeat(40_000))).build()));
    assertEquals(good, encodeProperties(map("a", 1)));
    assertEquals(good, encodeProperties(map("a", 1)), "the reused writer starts each message clean");
  }

  @Test
  void encodesIdentify() {
    IdentifyMessage identify = IdentifyMessage.builder().userId("usr_8f41c2")
        .messageId("6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10").timestamp(T)
        .traits(map("email", "ada@example.org", "plan", "team"))
        .context(map("ip", "203.0.113.7"))
        .build();
    EncodedMessage encoded = encoder.encode(identify);

    assertEquals("{\"type\":\"identify\",\"messageId\":\"6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10\","
        + "\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"usr_8f41c2\","
        + "\"traits\":{\"email\":\"ada@example.org\",\"plan\":\"team\"},"
        + "\"context\":{\"ip\":\"203.0.113.7\"," + LIBRARY + "}}", encoded.json());
    assertEquals(Message.Type.IDENTIFY, encoded.type());
    assertEquals("6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10", encoded.messageId());
    assertEquals(encoded.json().getBytes(UTF_8).length, encoded.size());
  }

  @Test
  void encodesTrack() {
    TrackMessage track = TrackMessage.builder("Order Completed").userId("usr_8f41c2")
        .messageId("a0d3b8e4-7f21-4c69-b1d5-3e9c2a8f6b02").timestamp(Instant.parse("2025-03-14T09:26:58.004Z"))
        .properties(map("order_id", "ord_1029", "revenue", 42.5, "currency", "EUR"))
        .integrations(map("All", true, "Salesforce", false))
        .build();

    assertEquals("{\"type\":\"track\",\"messageId\":\"a0d3b8e4-7f21-4c69-b1d5-3e9c2a8f6b02\","
        + "\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"usr_8f41c2\",\"event\":\"Order Completed\","
        + "\"properties\":{\"order_id\":\"ord_1029\",\"revenue\":42.5,\"currency\":\"EUR\"},"
        + "\"context\":{" + LIBRARY + "},\"integrations\":{\"All\":true,\"Salesforce\":false}}",
        encoder.encode(track).json());
  }

  @Test
  void encodesPage() {
    PageMessage page = PageMessage.builder("Pricing").category("Marketing")
        .anonymousId("2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4")
        .messageId("c7e2f915-0a4b-4d8e-8c3f-5b1a9e6d2f47").timestamp(Instant.parse("2025-03-14T09:25:41.250Z"))
        .properties(map("path", "/pricing"))
        .build();

    assertEquals("{\"type\":\"page\",\"messageId\":\"c7e2f915-0a4b-4d8e-8c3f-5b1a9e6d2f47\","
        + "\"timestamp\":\"2025-03-14T09:25:41.250Z\",\"anonymousId\":\"2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4\","
        + "\"name\":\"Pricing\",\"category\":\"Marketing\",\"properties\":{\"path\":\"/pricing\"},"
        + "\"context\":{" + LIBRARY + "}}", encoder.encode(page).json());
  }

  @Test
  void encodesPageWithoutNameOrCategory() {
    PageMessage page = PageMessage.builder().userId("u").anonymousId("a").messageId("m1").timestamp(T).build();

    assertEquals("{\"type\":\"page\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"userId\":\"u\",\"anonymousId\":\"a\",\"properties\":{},\"context\":{" + LIBRARY + "}}",
        encoder.encode(page).json());
  }

  @Test
  void encodesScreen() {
    ScreenMessage screen = ScreenMessage.builder("Checkout").userId("usr_8f41c2")
        .messageId("e91b4c28-6d3a-4f70-a2e8-7c05d1b9f3a6").timestamp(Instant.parse("2025-03-14T09:26:10.733Z"))
        .properties(map("variant", "b"))
        .build();

    assertEquals("{\"type\":\"screen\",\"messageId\":\"e91b4c28-6d3a-4f70-a2e8-7c05d1b9f3a6\","
        + "\"timestamp\":\"2025-03-14T09:26:10.733Z\",\"userId\":\"usr_8f41c2\",\"name\":\"Checkout\","
        + "\"properties\":{\"variant\":\"b\"},\"context\":{" + LIBRARY + "}}", encoder.encode(screen).json());
  }

  @Test
  void encodesScreenWithoutName() {
    ScreenMessage screen = ScreenMessage.builder().userId("u").messageId("m1").timestamp(T).build();

    assertEquals("{\"type\":\"screen\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"userId\":\"u\",\"properties\":{},\"context\":{" + LIBRARY + "}}", encoder.encode(screen).json());
  }

  @Test
  void encodesGroup() {
    GroupMessage group = GroupMessage.builder("acct_553").userId("usr_8f41c2")
        .messageId("1f8a6d3c-9b2e-4a57-8d40-e6c3b7a1f925").timestamp(Instant.parse("2025-03-14T09:26:54.100Z"))
        .traits(map("name", "Example Ltd", "employees", 120))
        .build();

    assertEquals("{\"type\":\"group\",\"messageId\":\"1f8a6d3c-9b2e-4a57-8d40-e6c3b7a1f925\","
        + "\"timestamp\":\"2025-03-14T09:26:54.100Z\",\"userId\":\"usr_8f41c2\",\"groupId\":\"acct_553\","
        + "\"traits\":{\"name\":\"Example Ltd\",\"employees\":120},\"context\":{" + LIBRARY + "}}",
        encoder.encode(group).json());
  }

  @Test
  void encodesAlias() {
    AliasMessage alias = AliasMessage.builder("2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4").userId("usr_8f41c2")
        .messageId("5d2c7e90-4f1b-4b83-9e6a-0a7f3c8d1e54").timestamp(Instant.parse("2025-03-14T09:26:53.590Z"))
        .build();

    assertEquals("{\"type\":\"alias\",\"messageId\":\"5d2c7e90-4f1b-4b83-9e6a-0a7f3c8d1e54\","
        + "\"timestamp\":\"2025-03-14T09:26:53.590Z\",\"userId\":\"usr_8f41c2\","
        + "\"previousId\":\"2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4\",\"context\":{" + LIBRARY + "}}",
        encoder.encode(alias).json());
  }

  @Test
  void encodesIdentifyWithoutTraitsAsEmptyObject() {
    IdentifyMessage identify = IdentifyMessage.builder().anonymousId("a").messageId("m1").timestamp(T).build();

    assertEquals("{\"type\":\"identify\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"anonymousId\":\"a\",\"traits\":{},\"context\":{" + LIBRARY + "}}", encoder.encode(identify).json());
  }

  @Test
  void timestampIsTruncatedToMillis() {
    TrackMessage track = track().timestamp(Instant.parse("2025-03-14T09:26:53.589999999Z")).build();
    assertTrue(encoder.encode(track).json().contains("\"timestamp\":\"2025-03-14T09:26:53.589Z\""));
  }

  // Context and integrations.

  @Test
  void contextKeepsCallerKeysInOrderAndReplacesLibrary() {
    TrackMessage track = track()
        .context(map("ip", "203.0.113.7", "library", map("name", "spoofed", "version", "9"), "locale", "fr-FR",
            "app", map("name", "Shop", "build", 42)))
        .build();

    assertEquals(trackJson("{}").replace("\"context\":{" + LIBRARY,
        "\"context\":{\"ip\":\"203.0.113.7\",\"locale\":\"fr-FR\",\"app\":{\"name\":\"Shop\",\"build\":42},"
            + LIBRARY), encoder.encode(track).json());
  }

  @Test
  void contextLibraryIsReplacedWhateverItsValue() {
    TrackMessage track = track().context(map("library", "not a map")).build();
    assertEquals(trackJson("{}"), encoder.encode(track).json());
  }

  @Test
  void integrationsAreWrittenWithOptionsAndOmittedWhenEmpty() {
    TrackMessage withOptions = track()
        .integrations(map("All", false, "Amplitude", map("session_id", 1_710_408_413_000L)))
        .build();
    assertEquals("{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"userId\":\"u\",\"event\":\"E\",\"properties\":{},\"context\":{" + LIBRARY + "},"
        + "\"integrations\":{\"All\":false,\"Amplitude\":{\"session_id\":1710408413000}}}",
        encoder.encode(withOptions).json());

    assertFalse(encoder.encode(track().build()).json().contains("integrations"));
  }

  @Test
  void neverWritesServerSetFields() {
    String json = encoder.encode(track().context(map("ip", "1")).integrations(map("All", true)).build()).json();
    for (String field : List.of("receivedAt", "originalTimestamp", "channel", "sentAt", "writeKey")) {
      assertFalse(json.contains(field), field);
    }
    assertEquals(json.indexOf("\"version\""), json.lastIndexOf("\"version\""), "only library.version");
  }

  // Value types.

  enum Plan {
    FREE,
    TEAM {
      @Override
      public String toString() {
        return "Team plan";
      }
    }
  }

  @Test
  void encodesEverySupportedValueType() {
    java.sql.Timestamp sqlTimestamp = new java.sql.Timestamp(T.toEpochMilli());
    sqlTimestamp.setNanos(589_999_999);
    Map<String, Object> properties = map(
        "null", null,
        "string", "tab\t\"quoted\" back\\slash é",
        "char", 'x',
        "true", true,
        "false", Boolean.FALSE,
        "int", 1,
        "long", -2L,
        "short", (short) 3,
        "byte", (byte) 4,
        "atomicInteger", new AtomicInteger(5),
        "atomicLong", new AtomicLong(6),
        "bigInteger", new BigInteger("123456789012345678901234567890"),
        "bigDecimal", new BigDecimal("12.50"),
        "bigDecimalExponent", new BigDecimal("1E+3"),
        "double", 42.5,
        "doubleLarge", 1e21,
        "doubleNegativeZero", -0.0,
        "float", 0.1f,
        "enum", Plan.FREE,
        "enumWithBody", Plan.TEAM,
        "dayOfWeek", DayOfWeek.MONDAY,
        "uuid", UUID.fromString("6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10"),
        "instant", Instant.parse("2025-03-14T09:26:53.589999Z"),
        "date", new Date(T.toEpochMilli()),
        "sqlDate", new java.sql.Date(T.toEpochMilli()),
        "sqlTime", new java.sql.Time(T.toEpochMilli()),
        "sqlTimestamp", sqlTimestamp,
        "offsetDateTime", OffsetDateTime.parse("2025-03-14T10:26:53.589+01:00"),
        "zonedDateTime", ZonedDateTime.parse("2025-03-14T10:26:53.589+01:00[Europe/Paris]"),
        "localDate", LocalDate.of(2025, 3, 14),
        "list", Arrays.asList(1, "a", null),
        "set", new LinkedHashSet<>(List.of("x", "y")),
        "emptyList", List.of(),
        "objectArray", new Object[] {1, null, "a"},
        "stringArray", new String[] {"a", "b"},
        "nestedArrays", new int[][] {{1, 2}, {3}},
        "ints", new int[] {1, -2},
        "longs", new long[] {Long.MAX_VALUE},
        "shorts", new short[] {7},
        "doubles", new double[] {1.5, -0.25},
        "floats", new float[] {0.1f},
        "booleans", new boolean[] {true, false},
        "map", map("a", map("b", List.of(map("c", 1)))),
        "emptyMap", Map.of());

    assertEquals(trackJson("{\"null\":null,"
        + "\"string\":\"tab\\t\\\"quoted\\\" back\\\\slash é\","
        + "\"char\":\"x\",\"true\":true,\"false\":false,"
        + "\"int\":1,\"long\":-2,\"short\":3,\"byte\":4,\"atomicInteger\":5,\"atomicLong\":6,"
        + "\"bigInteger\":123456789012345678901234567890,\"bigDecimal\":12.50,\"bigDecimalExponent\":1E+3,"
        + "\"double\":42.5,\"doubleLarge\":1.0E21,\"doubleNegativeZero\":-0.0,\"float\":0.1,"
        + "\"enum\":\"FREE\",\"enumWithBody\":\"TEAM\",\"dayOfWeek\":\"MONDAY\","
        + "\"uuid\":\"6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10\","
        + "\"instant\":\"2025-03-14T09:26:53.589Z\",\"date\":\"2025-03-14T09:26:53.589Z\","
        + "\"sqlDate\":\"2025-03-14T09:26:53.589Z\",\"sqlTime\":\"2025-03-14T09:26:53.589Z\","
        + "\"sqlTimestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"offsetDateTime\":\"2025-03-14T09:26:53.589Z\",\"zonedDateTime\":\"2025-03-14T09:26:53.589Z\","
        + "\"localDate\":\"2025-03-14\","
        + "\"list\":[1,\"a\",null],\"set\":[\"x\",\"y\"],\"emptyList\":[],\"objectArray\":[1,null,\"a\"],"
        + "\"stringArray\":[\"a\",\"b\"],\"nestedArrays\":[[1,2],[3]],\"ints\":[1,-2],"
        + "\"longs\":[9223372036854775807],\"shorts\":[7],\"doubles\":[1.5,-0.25],\"floats\":[0.1],"
        + "\"booleans\":[true,false],\"map\":{\"a\":{\"b\":[{\"c\":1}]}},\"emptyMap\":{}}"),
        encodeProperties(properties));
  }

  @Test
  void escapesControlCharactersAndLineSeparators() {
    assertEquals(trackJson("{\"s\":\"\\u0000\\u001f\\n\\r\\u2028\\u2029</script>\"}"),
        encodeProperties(map("s", "\u0000\u001f\n\r\u2028\u2029</script>")));
  }

  @Test
  void writesTheSameValueTwiceWhenSharedWithoutCycle() {
    List<Object> shared = List.of(1, 2);
    Map<String, Object> sharedMap = map("k", "v");
    assertEquals(trackJson("{\"a\":[1,2],\"b\":[[1,2],[1,2]],\"c\":{\"k\":\"v\"},\"d\":{\"k\":\"v\"}}"),
        encodeProperties(map("a", shared, "b", List.of(shared, shared), "c", sharedMap, "d", sharedMap)));
  }

  @Test
  void emojiAndOtherSurrogatePairsRoundTrip() throws IOException {
    String text = "I \u2764\uFE0F \uD83C\uDF55 \uD83D\uDE00 \uD834\uDD1E";
    EncodedMessage encoded = encoder.encode(track().properties(map("text", text, text, "key")).build());

    @SuppressWarnings("unchecked")
    Map<String, Object> decoded = (Map<String, Object>) decode(encoded.json());
    @SuppressWarnings("unchecked")
    Map<String, Object> properties = (Map<String, Object>) decoded.get("properties");
    assertEquals(text, properties.get("text"));
    assertEquals("key", properties.get(text));
    String bytes = new String(Internal.get().bytes(encoded), ISO_8859_1);
    assertTrue(bytes.contains("\u00F0\u009F\u0098\u0080"), "U+1F600 as 4 UTF-8 bytes");
  }

  // Rejected values.

  @Test
  void rejectsNonFiniteNumbersWithTheirPath() {
    assertPropertiesRejected("properties.price must be a finite number: NaN", map("price", Double.NaN));
    assertPropertiesRejected("properties.price must be a finite number: Infinity",
        map("price", Double.POSITIVE_INFINITY));
    assertPropertiesRejected("properties.price must be a finite number: -Infinity",
        map("price", Double.NEGATIVE_INFINITY));
    assertPropertiesRejected("properties.ratio must be a finite number: NaN", map("ratio", Float.NaN));
    assertPropertiesRejected("properties.ratio must be a finite number: -Infinity",
        map("ratio", Float.NEGATIVE_INFINITY));
    assertPropertiesRejected("properties.scores[1] must be a finite number: NaN",
        map("scores", new double[] {1, Double.NaN}));
    assertPropertiesRejected("properties.scores[2] must be a finite number: Infinity",
        map("scores", new float[] {1, 2, Float.POSITIVE_INFINITY}));
  }

  @Test
  void namesThePathOfAValueInAMapInAListInAMap() {
    Map<String, Object> properties = map("products", List.of(
        map("sku", "a", "price", 10),
        map("sku", "b", "price", Double.NaN)));
    assertPropertiesRejected("properties.products[1].price must be a finite number: NaN", properties);

    assertPropertiesRejected("properties.matrix[0][1].x must be a finite number: Infinity",
        map("matrix", new Object[] {List.of(1, map("x", Double.POSITIVE_INFINITY))}));
  }

  @Test
  void namesTheTopLevelFieldInThePath() {
    assertRejected("traits.address.zip must be a finite number: NaN",
        IdentifyMessage.builder().userId("u").traits(map("address", map("zip", Double.NaN))).build());
    assertRejected("traits.size must be a finite number: NaN",
        GroupMessage.builder("g").userId("u").traits(map("size", Double.NaN)).build());
    assertRejected("properties.x must be a finite number: NaN",
        PageMessage.builder().userId("u").properties(map("x", Double.NaN)).build());
    assertRejected("properties.x must be a finite number: NaN",
        ScreenMessage.builder().userId("u").properties(map("x", Double.NaN)).build());
    assertRejected("context.app.build must be a finite number: NaN",
        track().context(map("app", map("build", Double.NaN))).build());
    assertRejected("integrations.Amplitude.session must be a finite number: NaN",
        track().integrations(map("Amplitude", map("session", Double.NaN))).build());
  }

  static final class User {
    @Override
    public String toString() {
      throw new AssertionError("toString must not be called on unsupported values");
    }
  }

  private static final String SUPPORTED = "; supported: null, String, Boolean, Character, a finite Integer, Long,"
      + " Short, Byte, Double, Float, BigInteger, BigDecimal, AtomicInteger or AtomicLong, an Enum, UUID, Instant,"
      + " Date, OffsetDateTime, ZonedDateTime, LocalDate, a Map with String keys, a Collection or an array";

  @Test
  void rejectsUnsupportedTypesWithoutCallingToString() {
    assertPropertiesRejected("properties.user: unsupported value type dev.analytics4j.internal.MessageEncoderTest$User"
        + SUPPORTED, map("user", new User()));
    assertPropertiesRejected("properties.list[0]: unsupported value type java.lang.Object" + SUPPORTED,
        map("list", List.of(new Object())));
  }

  @Test
  void rejectsNumbersWhoseTextIsNotKnownToBeJson() {
    LongAdder adder = new LongAdder();
    adder.add(3);
    assertPropertiesRejected("properties.n: unsupported value type java.util.concurrent.atomic.LongAdder"
        + SUPPORTED, map("n", adder));

    BigDecimal sneaky = new BigDecimal("1") {
      @Override
      public String toString() {
        return "1,\"injected\":true";
      }
    };
    assertPropertiesRejected("properties.n: unsupported value type " + sneaky.getClass().getName() + SUPPORTED,
        map("n", sneaky));
  }

  @Test
  void rejectsOptional() {
    assertPropertiesRejected("properties.maybe: java.util.Optional is not supported: unwrap it"
        + " (orElse(null) writes null)", map("maybe", Optional.of(1)));
  }

  @Test
  void rejectsDateTimesWithoutZoneOrOffset() {
    assertPropertiesRejected("properties.at: java.time.LocalDateTime has no zone or offset: convert it to an"
        + " Instant or OffsetDateTime", map("at", LocalDateTime.of(2025, 3, 14, 9, 26)));
    assertPropertiesRejected("properties.at: java.time.LocalTime is not a point in time: convert it to an"
        + " Instant or OffsetDateTime", map("at", LocalTime.NOON));
    assertPropertiesRejected("properties.at: java.time.OffsetTime is not a point in time: convert it to an"
        + " Instant or OffsetDateTime", map("at", OffsetTime.of(LocalTime.NOON, ZoneOffset.UTC)));
    assertPropertiesRejected("properties.at: java.time.Year is not a point in time: convert it to an"
        + " Instant or OffsetDateTime", map("at", Year.of(2025)));
  }

  @Test
  void rejectsByteAndCharArrays() {
    assertPropertiesRejected("properties.hash: byte[] is not supported: encode binary data as a String"
        + " (Base64 or hex)", map("hash", new byte[] {1, 2}));
    assertPropertiesRejected("properties.password: char[] is not supported: pass a String",
        map("password", new char[] {'s', 'e', 'c', 'r', 'e', 't'}));
  }

  @Test
  @SuppressWarnings("unchecked")
  void rejectsMapKeysThatAreNotStrings() {
    Map<Object, Object> integerKey = new LinkedHashMap<>();
    integerKey.put(42, "x");
    assertPropertiesRejected("properties: map key must be a String but was java.lang.Integer: 42",
        (Map<String, ?>) (Map<?, ?>) integerKey);
    assertPropertiesRejected("properties.nested: map key must be a String but was java.lang.Integer: 42",
        map("nested", integerKey));

    Map<Object, Object> objectKey = new HashMap<>();
    objectKey.put(new User(), "x");
    assertPropertiesRejected("properties.nested[0]: map key must be a String but was"
        + " dev.analytics4j.internal.MessageEncoderTest$User", map("nested", List.of(objectKey)));
  }

  @Test
  void rejectsANullMapKey() {
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, "x");
    assertPropertiesRejected("properties.nested: map key must be a String but was null", map("nested", nullKey));
    assertRejected("context: map key must be a String but was null", track().context(nullKey).build());
  }

  @Test
  void rejectsAMapThatContainsItself() {
    Map<String, Object> self = new HashMap<>();
    self.put("self", self);
    assertPropertiesRejected("properties.a.self: cycle detected: the value contains itself", map("a", self));
  }

  @Test
  void rejectsAListThatContainsItself() {
    List<Object> self = new ArrayList<>();
    self.add(1);
    self.add(self);
    assertPropertiesRejected("properties.list[1]: cycle detected: the value contains itself", map("list", self));
  }

  @Test
  void rejectsAnArrayThatContainsItselfThroughAMap() {
    Object[] array = new Object[1];
    array[0] = map("back", array);
    assertPropertiesRejected("properties.array[0].back: cycle detected: the value contains itself",
        map("array", array));
  }

  @Test
  void rejectsNestingDeeperThanTheLimit() {
    Map<String, Object> deepest = map();
    Map<String, Object> root = deepest;
    for (int i = 0; i < MessageEncoder.MAX_DEPTH - 1; i++) root = map("a", root);
    encodeProperties(root); // The properties map itself is the first level.

    assertPropertiesRejected("properties" + ".a".repeat(MessageEncoder.MAX_DEPTH) + ": nested deeper than 64 levels",
        map("a", root));
  }

  @Test
  void rejectsUnpairedSurrogatesWithPathAndIndex() {
    assertPropertiesRejected("properties.name: unpaired UTF-16 surrogate U+D83D at index 2",
        map("name", "ab\uD83D"));
    assertPropertiesRejected("properties.name: unpaired UTF-16 surrogate U+DE00 at index 0",
        map("name", "\uDE00\uD83D"));
    assertPropertiesRejected("properties.name: unpaired UTF-16 surrogate U+D83D at index 1",
        map("name", "a\uD83Dz\uDE00"));
    assertPropertiesRejected("properties.list[0]: unpaired UTF-16 surrogate U+D83D at index 0",
        map("list", List.of('\uD83D')));
    assertPropertiesRejected("properties.nested: map key has an unpaired UTF-16 surrogate U+D800 at index 1",
        map("nested", map("k\uD800", 1)));
    assertRejected("event: unpaired UTF-16 surrogate U+D83D at index 5",
        TrackMessage.builder("Event\uD83D").userId("u").build());
    assertRejected("userId: unpaired UTF-16 surrogate U+DC00 at index 1", track().userId("u\uDC00").build());
  }

  // Size limits.

  @Test
  void refusesAMessageOverTheLimitNamingItsSizeTypeAndId() {
    int emptySize = encoder.encode(track().properties(map("blob", "")).build()).size();
    TrackMessage tooBig = track().properties(map("blob", "x".repeat(MessageEncoder.MAX_MESSAGE_BYTES + 1 - emptySize)))
        .build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.encode(tooBig));
    assertEquals("message is 32001 bytes, over the 32000-byte limit of the API (track messageId=m1)", e.getMessage());
    assertFalse(e.getMessage().contains(WRITE_KEY));
  }

  @Test
  void acceptsAMessageJustUnderOrAtTheLimit() {
    int emptySize = encoder.encode(track().properties(map("blob", "")).build()).size();
    for (int size : new int[] {31_990, MessageEncoder.MAX_MESSAGE_BYTES}) {
      TrackMessage message = track().properties(map("blob", "x".repeat(size - emptySize))).build();
      assertEquals(size, encoder.encode(message).size());
    }
  }

  @Test
  void stopsEncodingAValueThatExpandsWithoutBound() {
    List<Object> list = List.of("x".repeat(100));
    for (int i = 0; i < 60; i++) list = List.of(list, list); // 2^60 leaves, no cycle.

    assertPropertiesRejected("message is over 500000 bytes (encoding stopped), over the 32000-byte limit of the API"
        + " (track messageId=m1)", map("list", list));
  }

  @Test
  void stopsAtAMapOfMoreEntriesThanAMessageCanHoldBeforeCopyingThemAll() {
    // HashMaps are read into the writer's stack of entries before their walk (EntriesTest: it stops
    // at its bound); either way the message stops, and the thread's next one is whole.
    Map<String, Object> big = new HashMap<>();
    for (int i = 0; i < 150_000; i++) big.put("k" + i, i);
    assertPropertiesRejected("message is over 500000 bytes (encoding stopped), over the 32000-byte limit of the API"
        + " (track messageId=m1)", map("nested", List.of(map("big", big))));

    EncodedMessage next = encoder.encode(track().properties(map("after", 1)).build());
    assertEquals(Map.of("after", 1.0), ((Map<?, ?>) decodeUnchecked(next.json())).get("properties"));
  }

  // Batch bodies.

  @Test
  void batchBodyWrapsMessagesUnchanged() throws IOException {
    EncodedMessage first = encoder.encode(track().build());
    EncodedMessage second = encoder.encode(AliasMessage.builder("a").userId("u").messageId("m2").timestamp(T).build());

    byte[] body = encoder.batchBody(List.of(first, second), Instant.parse("2025-03-14T09:27:03.112Z"));

    assertEquals("{\"batch\":[" + first.json() + "," + second.json() + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\","
        + "\"context\":{" + LIBRARY + "},\"writeKey\":\"YOUR_WRITE_KEY\"}", new String(body, UTF_8));
    assertTrue(decode(new String(body, UTF_8)) instanceof Map);
  }

  @Test
  void textEqualToTheSinksStandInsIsWrittenAsItself() {
    // Utf8Sink tells its stand-ins apart by identity: equal text from a caller is just text.
    Map<String, Object> properties = map("k", "v", "v", "k", "d", "r", "r", "d");
    properties.put("list", Arrays.asList("k", "v", "d", "r", new String(new char[] {'v'})));
    assertEquals(trackJson("{\"k\":\"v\",\"v\":\"k\",\"d\":\"r\",\"r\":\"d\",\"list\":[\"k\",\"v\",\"d\",\"r\",\"v\"]}"),
        encodeProperties(properties));
  }

  @Test
  void theLibraryWrittenOnceIsEscapedAsMoshiEscapesIt() {
    MessageEncoder escaping = new MessageEncoder(WRITE_KEY, "lib\"\u2028\u00e9", "1.0\\x");
    String json = escaping.encode(track().build()).json();
    assertTrue(json.endsWith("\"context\":{\"library\":{\"name\":\"lib\\\"\\u2028\u00e9\",\"version\":\"1.0\\\\x\"}}}"), json);
  }

  @Test
  void batchBodyEscapesTheWriteKey() throws IOException {
    MessageEncoder escaping = new MessageEncoder("k\"e\\y", "analytics4j", "0.1.0");
    String body = new String(escaping.batchBody(List.of(), T), UTF_8);

    assertEquals("{\"batch\":[],\"sentAt\":\"2025-03-14T09:26:53.589Z\",\"context\":{" + LIBRARY + "},"
        + "\"writeKey\":\"k\\\"e\\\\y\"}", body);
    @SuppressWarnings("unchecked")
    Map<String, Object> decoded = (Map<String, Object>) decode(body);
    assertEquals("k\"e\\y", decoded.get("writeKey"));
  }

  @Test
  void envelopeSizeIsExact() {
    MessageEncoder escaping = new MessageEncoder("k\"e\\y\u00e9", "analytics4j", "0.1.0-SNAPSHOT");
    List<EncodedMessage> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Instant sentAt = Instant.parse("2025-03-14T09:27:03.112Z").plusMillis(i * 1_000_003L);
      for (MessageEncoder e : List.of(encoder, escaping)) {
        int sum = messages.stream().mapToInt(EncodedMessage::size).sum();
        int commas = Math.max(0, messages.size() - 1);
        assertEquals(e.envelopeSize() + sum + commas, e.batchBody(messages, sentAt).length);
      }
      messages.add(encoder.encode(track().properties(map("i", "x".repeat(i * 7))).build()));
    }
    assertEquals(encoder.batchBody(List.of(), T).length, encoder.envelopeSize());
  }

  @Test
  void batchBodyOfMessagesCopiesTheirBytes() {
    EncodedMessage message = encoder.encode(track().build());
    byte[] body = encoder.batchBody(List.of(message), T);
    byte[] slice = Arrays.copyOfRange(body, "{\"batch\":[".length(), "{\"batch\":[".length() + message.size());
    assertArrayEquals(Internal.get().bytes(message), slice);
  }

  @Test
  void constructorRejectsNullsWithoutShowingTheKey() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> new MessageEncoder(null, "a", "1"));
    assertEquals("writeKey == null", e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new MessageEncoder("secret\uD800", "a", "1"));
    assertEquals("writeKey contains an unpaired UTF-16 surrogate", bad.getMessage());
  }

  // Timestamps.

  @Test
  void formatsTimestampsWithExactlyThreeFractionDigits() {
    assertEquals("1970-01-01T00:00:00.000Z", MessageEncoder.formatTimestamp(Instant.EPOCH));
    assertEquals("2025-03-14T09:26:53.589Z", MessageEncoder.formatTimestamp(T));
    assertEquals("2025-03-14T09:26:53.000Z", MessageEncoder.formatTimestamp(Instant.parse("2025-03-14T09:26:53Z")));
    assertEquals("2025-03-14T09:26:53.050Z",
        MessageEncoder.formatTimestamp(Instant.parse("2025-03-14T09:26:53.05Z")));
  }

  @Test
  void formatTimestampTruncatesInsteadOfRounding() {
    assertEquals("2025-03-14T09:26:53.589Z",
        MessageEncoder.formatTimestamp(Instant.parse("2025-03-14T09:26:53.589999999Z")));
    assertEquals("2025-12-31T23:59:59.999Z",
        MessageEncoder.formatTimestamp(Instant.parse("2025-12-31T23:59:59.9999999Z")));
  }

  @Test
  void formatsLeapDaysAndTheEndsOfTheFixedWidthRange() {
    assertEquals("2024-02-29T12:00:00.000Z", MessageEncoder.formatTimestamp(Instant.parse("2024-02-29T12:00:00Z")));
    assertEquals("2000-02-29T00:00:00.000Z", MessageEncoder.formatTimestamp(Instant.parse("2000-02-29T00:00:00Z")));
    assertEquals("0000-01-01T00:00:00.000Z",
        MessageEncoder.formatTimestamp(LocalDateTime.of(0, 1, 1, 0, 0).toInstant(ZoneOffset.UTC)));
    assertEquals("9999-12-31T23:59:59.999Z",
        MessageEncoder.formatTimestamp(Instant.parse("9999-12-31T23:59:59.999999999Z")));
  }

  @Test
  void formatsTimestampsBefore1970() {
    assertEquals("1969-12-31T23:59:59.999Z", MessageEncoder.formatTimestamp(Instant.ofEpochMilli(-1)));
    assertEquals("1969-12-31T23:59:59.999Z", MessageEncoder.formatTimestamp(Instant.ofEpochSecond(0, -1)));
    assertEquals("1900-02-28T12:34:56.789Z",
        MessageEncoder.formatTimestamp(Instant.parse("1900-02-28T12:34:56.789Z")));
    assertEquals("1066-10-14T09:00:00.000Z",
        MessageEncoder.formatTimestamp(Instant.parse("1066-10-14T09:00:00Z")));
  }

  @Test
  void refusesToFormatYearsOutsideZeroTo9999() {
    // RFC 3339 has four-digit years; a signed, wider one makes a strict collector refuse the request.
    assertEquals("0000-01-01T00:00:00.000Z", MessageEncoder.formatTimestamp(Instant.parse("0000-01-01T00:00:00Z")));
    IllegalArgumentException after = assertThrows(IllegalArgumentException.class,
        () -> MessageEncoder.formatTimestamp(Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1)));
    assertEquals("timestamp is outside the years 0000 to 9999 (RFC 3339): +10000-01-01T00:00:00Z", after.getMessage());
    IllegalArgumentException before = assertThrows(IllegalArgumentException.class,
        () -> MessageEncoder.formatTimestamp(Instant.parse("0000-01-01T00:00:00Z").minusNanos(1)));
    assertEquals("timestamp is outside the years 0000 to 9999 (RFC 3339): -0001-12-31T23:59:59.999999999Z",
        before.getMessage());
    for (Instant extreme : List.of(Instant.MIN, Instant.MAX)) {
      assertThrows(IllegalArgumentException.class, () -> MessageEncoder.formatTimestamp(extreme));
    }
  }

  @Test
  void rejectsDateValuesOutsideZeroTo9999NamingTheirKeyPath() {
    Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
    Instant first = Instant.parse("0000-01-01T00:00:00Z");
    assertEquals(trackJson("{\"a\":\"9999-12-31T23:59:59.999Z\",\"b\":\"0000-01-01T00:00:00.000Z\","
        + "\"c\":\"9999-12-31\",\"d\":\"0000-01-01\"}"),
        encodeProperties(map("a", last, "b", first, "c", LocalDate.of(9999, 12, 31), "d", LocalDate.of(0, 1, 1))));
    assertPropertiesRejected("properties.order.at[1]: date +10000-01-01T00:00:00Z is outside the years 0000 to 9999"
        + " (RFC 3339)", map("order", map("at", List.of(last, last.plusNanos(1)))));
    assertPropertiesRejected("properties.at: date -0001-12-31T23:59:59.999999999Z is outside the years 0000 to 9999"
        + " (RFC 3339)", map("at", first.minusNanos(1)));
    // Shown as the instant it is, whatever type held it.
    String year12023 = "properties.at: date +12023-01-01T00:00:00Z is outside the years 0000 to 9999 (RFC 3339)";
    assertPropertiesRejected(year12023, map("at", OffsetDateTime.of(12023, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    assertPropertiesRejected(year12023, map("at", ZonedDateTime.of(12023, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    assertPropertiesRejected(year12023, map("at", new Date(Instant.parse("+12023-01-01T00:00:00Z").toEpochMilli())));
    assertPropertiesRejected("properties.at: date +10000-01-01 is outside the years 0000 to 9999 (RFC 3339)",
        map("at", LocalDate.of(10000, 1, 1)));
    assertPropertiesRejected("properties.at: date -0001-12-31 is outside the years 0000 to 9999 (RFC 3339)",
        map("at", LocalDate.of(-1, 12, 31)));
    // The context and traits are checked the same way.
    assertRejected("context.at: date +10000-01-01 is outside the years 0000 to 9999 (RFC 3339)",
        track().context(map("at", LocalDate.of(10000, 1, 1))).build());
  }

  @Test
  void formatTimestampAgreesWithDateTimeFormatter() {
    DateTimeFormatter reference =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    long min = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    long max = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
    Random random = new Random(20250314);
    for (int i = 0; i < 100_000; i++) {
      Instant instant = Instant.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)),
          random.nextInt(1_000_000_000));
      assertEquals(reference.format(instant), MessageEncoder.formatTimestamp(instant), instant::toString);
    }
  }

  @Test
  void formatTimestampRoundTripsThroughInstantParse() {
    long min = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    long max = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      Instant instant = Instant.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)),
          random.nextInt(1_000_000_000));
      assertEquals(instant.truncatedTo(ChronoUnit.MILLIS),
          Instant.parse(MessageEncoder.formatTimestamp(instant)), instant::toString);
    }
  }

  @Test
  void encodedMessageReportsItsTypeAndId() {
    EncodedMessage encoded = encoder.encode(GroupMessage.builder("g").userId("u").messageId("m9").build());
    assertEquals(Message.Type.GROUP, encoded.type());
    assertEquals("m9", encoded.messageId());
  }
}
