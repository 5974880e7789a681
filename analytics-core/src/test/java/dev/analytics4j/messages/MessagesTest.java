package dev.analytics4j.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

final class MessagesTest {

  private static void assertIllegalArgument(String expectedMessage, Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertEquals(expectedMessage, e.getMessage());
  }

  private static void assertNullPointer(String expectedMessage, Executable executable) {
    NullPointerException e = assertThrows(NullPointerException.class, executable);
    assertEquals(expectedMessage, e.getMessage());
  }

  @Test
  void identifyRequiresUserIdOrAnonymousId() {
    assertIllegalArgument("either userId or anonymousId must be set", () -> IdentifyMessage.builder().build());
  }

  @Test
  void identifyBuildsWithUserIdOrAnonymousIdAlone() {
    IdentifyMessage known = IdentifyMessage.builder().userId("usr_1").build();
    assertEquals("usr_1", known.userId());
    assertNull(known.anonymousId());

    IdentifyMessage anonymous = IdentifyMessage.builder().anonymousId("anon_1").build();
    assertNull(anonymous.userId());
    assertEquals("anon_1", anonymous.anonymousId());
    assertEquals(Message.Type.IDENTIFY, anonymous.type());
  }

  @Test
  void everyTypeRequiresAnId() {
    String expected = "either userId or anonymousId must be set";
    assertIllegalArgument(expected, () -> TrackMessage.builder("Signed Up").build());
    assertIllegalArgument(expected, () -> PageMessage.builder("Home").build());
    assertIllegalArgument(expected, () -> ScreenMessage.builder("Home").build());
    assertIllegalArgument(expected, () -> GroupMessage.builder("acct_1").build());
  }

  @Test
  void idsMustNotBeNullOrBlank() {
    assertNullPointer("userId == null", () -> IdentifyMessage.builder().userId(null));
    assertIllegalArgument("userId must not be blank", () -> IdentifyMessage.builder().userId(" \t"));
    assertNullPointer("anonymousId == null", () -> IdentifyMessage.builder().anonymousId(null));
    assertIllegalArgument("anonymousId must not be blank", () -> IdentifyMessage.builder().anonymousId(""));
  }

  @Test
  void trackRejectsNullOrBlankEvent() {
    assertNullPointer("event == null", () -> TrackMessage.builder(null));
    assertIllegalArgument("event must not be blank", () -> TrackMessage.builder("  "));
  }

  @Test
  void trackKeepsEventAndProperties() {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("revenue", 42.5);
    properties.put("currency", "EUR");
    TrackMessage track = TrackMessage.builder("Order Completed").userId("usr_1").properties(properties).build();

    assertEquals(Message.Type.TRACK, track.type());
    assertEquals("Order Completed", track.event());
    assertEquals(properties, track.properties());
    assertEquals(List.of("revenue", "currency"), List.copyOf(track.properties().keySet()));
  }

  @Test
  void mapsDefaultToEmpty() {
    assertTrue(TrackMessage.builder("E").userId("u").build().properties().isEmpty());
    assertTrue(IdentifyMessage.builder().userId("u").build().traits().isEmpty());
    assertTrue(PageMessage.builder().userId("u").build().properties().isEmpty());
    assertTrue(ScreenMessage.builder().userId("u").build().properties().isEmpty());
    assertTrue(GroupMessage.builder("g").userId("u").build().traits().isEmpty());
    TrackMessage track = TrackMessage.builder("E").userId("u").build();
    assertTrue(track.context().isEmpty());
    assertTrue(track.integrations().isEmpty());
  }

  @Test
  void mapArgumentsMustNotBeNull() {
    assertNullPointer("properties == null", () -> TrackMessage.builder("E").properties(null));
    assertNullPointer("traits == null", () -> IdentifyMessage.builder().traits(null));
    assertNullPointer("properties == null", () -> PageMessage.builder().properties(null));
    assertNullPointer("properties == null", () -> ScreenMessage.builder().properties(null));
    assertNullPointer("traits == null", () -> GroupMessage.builder("g").traits(null));
  }

  @Test
  void builtMapsAreUnmodifiable() {
    TrackMessage track = TrackMessage.builder("E").userId("u").properties(Map.of("a", 1)).build();
    assertThrows(UnsupportedOperationException.class, () -> track.properties().put("b", 2));
    IdentifyMessage identify = IdentifyMessage.builder().userId("u").traits(Map.of("a", 1)).build();
    assertThrows(UnsupportedOperationException.class, () -> identify.traits().clear());
    GroupMessage group = GroupMessage.builder("g").userId("u").build();
    assertThrows(UnsupportedOperationException.class, () -> group.traits().put("b", 2));
  }

  @Test
  void changingTheCallersMapAfterwardsDoesNotChangeTheMessage() {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("a", 1);
    TrackMessage.Builder builder = TrackMessage.builder("E").userId("u").properties(properties);
    properties.put("b", 2);
    TrackMessage track = builder.build();
    properties.put("c", 3);

    assertEquals(Map.of("a", 1), track.properties());
  }

  @Test
  void reusingABuilderDoesNotLeakChangesIntoBuiltMessages() {
    TrackMessage.Builder builder = TrackMessage.builder("E").userId("u1").properties(Map.of("a", 1))
        .context(Map.of("ip", "203.0.113.7"));
    TrackMessage first = builder.build();

    builder.userId("u2").properties(Map.of("b", 2)).context(Map.of("locale", "fr-FR"))
        .enableIntegration("Salesforce", false);
    TrackMessage second = builder.build();

    assertEquals("u1", first.userId());
    assertEquals(Map.of("a", 1), first.properties());
    assertEquals(Map.of("ip", "203.0.113.7"), first.context());
    assertTrue(first.integrations().isEmpty());
    assertEquals("u2", second.userId());
    assertEquals(Map.of("b", 2), second.properties());
    assertEquals(Map.of("Salesforce", false), second.integrations());
    assertNotEquals(first.messageId(), second.messageId());
  }

  @Test
  void reusingAPageBuilderKeepsEarlierNameAndCategory() {
    PageMessage.Builder builder = PageMessage.builder("Pricing").category("Marketing").anonymousId("a");
    PageMessage first = builder.build();
    builder.name("Docs").category("Help");
    PageMessage second = builder.build();

    assertEquals("Pricing", first.name());
    assertEquals("Marketing", first.category());
    assertEquals("Docs", second.name());
    assertEquals("Help", second.category());
  }

  @Test
  void pageWithoutNameIsAllowed() {
    PageMessage page = PageMessage.builder().anonymousId("anon").properties(Map.of("path", "/pricing")).build();
    assertEquals(Message.Type.PAGE, page.type());
    assertNull(page.name());
    assertNull(page.category());
    assertEquals(Map.of("path", "/pricing"), page.properties());
  }

  @Test
  void pageRejectsNullOrBlankNameAndCategory() {
    assertNullPointer("name == null", () -> PageMessage.builder(null));
    assertIllegalArgument("name must not be blank", () -> PageMessage.builder(" "));
    assertIllegalArgument("name must not be blank", () -> PageMessage.builder().name(""));
    assertNullPointer("category == null", () -> PageMessage.builder().category(null));
    assertIllegalArgument("category must not be blank", () -> PageMessage.builder().category("\n"));
  }

  @Test
  void screenWithoutNameIsAllowed() {
    ScreenMessage screen = ScreenMessage.builder().userId("u").build();
    assertEquals(Message.Type.SCREEN, screen.type());
    assertNull(screen.name());
    assertEquals("Checkout", ScreenMessage.builder("Checkout").userId("u").build().name());
  }

  @Test
  void screenRejectsNullOrBlankName() {
    assertNullPointer("name == null", () -> ScreenMessage.builder(null));
    assertIllegalArgument("name must not be blank", () -> ScreenMessage.builder().name("  "));
  }

  @Test
  void groupRejectsNullOrBlankGroupId() {
    assertNullPointer("groupId == null", () -> GroupMessage.builder(null));
    assertIllegalArgument("groupId must not be blank", () -> GroupMessage.builder(""));
  }

  @Test
  void groupKeepsGroupIdAndTraits() {
    GroupMessage group = GroupMessage.builder("acct_553").userId("u").traits(Map.of("employees", 120)).build();
    assertEquals(Message.Type.GROUP, group.type());
    assertEquals("acct_553", group.groupId());
    assertEquals(Map.of("employees", 120), group.traits());
  }

  @Test
  void aliasRejectsNullOrBlankPreviousId() {
    assertNullPointer("previousId == null", () -> AliasMessage.builder(null));
    assertIllegalArgument("previousId must not be blank", () -> AliasMessage.builder(" "));
  }

  @Test
  void aliasRequiresUserIdEvenWithAnAnonymousId() {
    assertIllegalArgument("userId must be set on an alias", () -> AliasMessage.builder("anon").build());
    assertIllegalArgument("userId must be set on an alias",
        () -> AliasMessage.builder("anon").anonymousId("anon").build());
  }

  @Test
  void aliasDoesNotRequireAnonymousId() {
    AliasMessage alias = AliasMessage.builder("anon_1").userId("usr_1").build();
    assertEquals(Message.Type.ALIAS, alias.type());
    assertEquals("anon_1", alias.previousId());
    assertEquals("usr_1", alias.userId());
    assertNull(alias.anonymousId());
  }

  @Test
  void messageIdOver100CharactersIsRejected() {
    assertIllegalArgument("messageId must be at most 100 characters: 101",
        () -> TrackMessage.builder("E").messageId("x".repeat(101)));
    assertNullPointer("messageId == null", () -> TrackMessage.builder("E").messageId(null));
    assertIllegalArgument("messageId must not be blank", () -> TrackMessage.builder("E").messageId(" "));
  }

  @Test
  void messageIdOf100CharactersIsKept() {
    String id = "x".repeat(100);
    assertEquals(id, TrackMessage.builder("E").userId("u").messageId(id).build().messageId());
  }

  @Test
  void generatedMessageIdIsARandomUuidDistinctPerBuild() {
    TrackMessage.Builder builder = TrackMessage.builder("E").userId("u");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String id = builder.build().messageId();
      assertEquals(36, id.length());
      UUID uuid = UUID.fromString(id);
      assertEquals(4, uuid.version());
      assertEquals(id, uuid.toString());
      ids.add(id);
    }
    assertEquals(100, ids.size());
  }

  @Test
  void explicitMessageIdIsKeptOnEveryBuild() {
    TrackMessage.Builder builder = TrackMessage.builder("E").userId("u").messageId("order-1029-completed");
    assertEquals("order-1029-completed", builder.build().messageId());
    assertEquals("order-1029-completed", builder.build().messageId());
  }

  @Test
  void timestampDefaultsToNow() {
    Instant before = Instant.now();
    TrackMessage track = TrackMessage.builder("E").userId("u").build();
    Instant after = Instant.now();
    assertFalse(track.timestamp().isBefore(before));
    assertFalse(track.timestamp().isAfter(after));
  }

  @Test
  void explicitPastTimestampIsKept() {
    Instant past = Instant.parse("2019-06-01T12:00:00.123456789Z");
    assertSame(past, TrackMessage.builder("E").userId("u").timestamp(past).build().timestamp());
    assertNullPointer("timestamp == null", () -> TrackMessage.builder("E").timestamp(null));
  }

  @Test
  void timestampOutsideYearsZeroTo9999IsRefusedAtTheCallSite() {
    Instant first = Instant.parse("0000-01-01T00:00:00Z");
    Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
    assertSame(first, TrackMessage.builder("E").userId("u").timestamp(first).build().timestamp());
    assertSame(last, AliasMessage.builder("a").userId("u").timestamp(last).build().timestamp());
    IllegalArgumentException after = assertThrows(IllegalArgumentException.class,
        () -> TrackMessage.builder("E").timestamp(last.plusNanos(1)));
    assertEquals("timestamp must be in the years 0000 to 9999 (RFC 3339): +10000-01-01T00:00:00Z", after.getMessage());
    IllegalArgumentException before = assertThrows(IllegalArgumentException.class,
        () -> IdentifyMessage.builder().timestamp(first.minusNanos(1)));
    assertEquals("timestamp must be in the years 0000 to 9999 (RFC 3339): -0001-12-31T23:59:59.999999999Z",
        before.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GroupMessage.builder("g").timestamp(Instant.MAX));
    assertThrows(IllegalArgumentException.class, () -> PageMessage.builder().timestamp(Instant.MIN));
  }

  @Test
  void toStringNamesTheKeyFieldButNotTheMaps() {
    TrackMessage track = TrackMessage.builder("Order Completed").userId("usr_1").messageId("m1")
        .timestamp(Instant.parse("2025-03-14T09:26:53.589Z")).properties(Map.of("secret", "s3cr3t")).build();
    assertEquals("TrackMessage{event=Order Completed, messageId=m1, timestamp=2025-03-14T09:26:53.589Z,"
        + " userId=usr_1}", track.toString());

    Instant t = Instant.parse("2025-03-14T09:26:53.589Z");
    assertEquals("GroupMessage{groupId=acct_1, messageId=m2, timestamp=2025-03-14T09:26:53.589Z, userId=u}",
        GroupMessage.builder("acct_1").userId("u").messageId("m2").timestamp(t).build().toString());
    assertEquals("AliasMessage{previousId=anon, messageId=m3, timestamp=2025-03-14T09:26:53.589Z, userId=u}",
        AliasMessage.builder("anon").userId("u").messageId("m3").timestamp(t).build().toString());
    assertEquals("PageMessage{name=Home, messageId=m4, timestamp=2025-03-14T09:26:53.589Z, anonymousId=a}",
        PageMessage.builder("Home").anonymousId("a").messageId("m4").timestamp(t).build().toString());
    assertEquals("ScreenMessage{messageId=m5, timestamp=2025-03-14T09:26:53.589Z, userId=u}",
        ScreenMessage.builder().userId("u").messageId("m5").timestamp(t).build().toString());
    assertEquals("IdentifyMessage{messageId=m6, timestamp=2025-03-14T09:26:53.589Z, userId=u}",
        IdentifyMessage.builder().userId("u").traits(Map.of("email", "a@example.org")).messageId("m6")
            .timestamp(t).build().toString());
  }
}
