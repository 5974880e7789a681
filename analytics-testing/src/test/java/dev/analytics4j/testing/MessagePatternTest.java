package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.alias;
import static dev.analytics4j.testing.MessagePattern.anyMessage;
import static dev.analytics4j.testing.MessagePattern.group;
import static dev.analytics4j.testing.MessagePattern.identify;
import static dev.analytics4j.testing.MessagePattern.page;
import static dev.analytics4j.testing.MessagePattern.screen;
import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagePatternTest {
  enum Plan { TEAM }

  private final SentMessage order = Wire.message("{\"type\":\"track\",\"messageId\":\"m1\","
      + "\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"u1\",\"event\":\"Order Completed\","
      + "\"properties\":{\"revenue\":42.5,\"count\":3,\"plan\":\"TEAM\",\"coupon\":null,"
      + "\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}],\"big\":12345678901234567890},"
      + "\"context\":{\"ip\":\"203.0.113.7\"},\"integrations\":{\"All\":true,\"Salesforce\":false}}");

  @Test
  void readsLikeTheSpec() {
    assertEquals("a track \"Order Completed\" for user u1 with property revenue=42.5",
        track("Order Completed").user("u1").property("revenue", 42.5).toString());
    assertEquals("an identify for userId u1 with trait plan=\"team\" and trait seats=3",
        identify().userId("u1").trait("plan", "team").trait("seats", 3).toString());
    assertEquals("a page \"Pricing\" for anonymousId a1 with category Marketing",
        page("Pricing").anonymousId("a1").category("Marketing").toString());
    assertEquals("a screen \"Checkout\" with property variant=\"b\" without property email",
        screen("Checkout").property("variant", "b").noProperty("email").toString());
    assertEquals("a group \"acct_553\"", group("acct_553").toString());
    assertEquals("an alias \"anon-1\" for userId u1", alias("anon-1").userId("u1").toString());
    assertEquals("a message with messageId m1 and timestamp 2025-03-14T09:26:58.004Z",
        anyMessage().messageId("m1").timestamp(Instant.parse("2025-03-14T09:26:58.004Z")).toString());
    assertEquals("a track with context ip=\"203.0.113.7\" and integration Salesforce=false",
        track().context("ip", "203.0.113.7").integration("Salesforce", false).toString());
  }

  @Test
  void isImmutable() {
    MessagePattern base = track("Order Completed");
    MessagePattern forU2 = base.user("u2");
    assertTrue(base.matches(order));
    assertFalse(forU2.matches(order));
    assertEquals("a track \"Order Completed\"", base.toString());
  }

  @Test
  void comparesNumbersByValue() {
    assertTrue(track().property("revenue", 42.5).matches(order));
    assertTrue(track().property("revenue", new BigDecimal("42.50")).matches(order));
    assertTrue(track().property("count", 3).matches(order));
    assertTrue(track().property("count", 3L).matches(order));
    assertTrue(track().property("count", 3.0).matches(order));
    assertTrue(track().property("big", new BigDecimal("12345678901234567890")).matches(order));
    assertFalse(track().property("count", "3").matches(order), "a string is not a number");
    assertFalse(track().property("revenue", 42).matches(order));
    assertFalse(track().property("revenue", Double.NaN).matches(order));
  }

  @Test
  void comparesEnumsByNameAndNullAsJsonNull() {
    assertTrue(track().property("plan", Plan.TEAM).matches(order));
    assertTrue(track().property("coupon", null).matches(order));
    assertFalse(track().property("missing", null).matches(order), "a missing key is not a null");
    assertTrue(track().noProperty("email").matches(order));
    assertFalse(track().noProperty("coupon").matches(order));
  }

  @Test
  void comparesMapsAndListsElementByElement() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("sku", "a");
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("sku", "b");
    assertTrue(track().property("items", List.of(a, b)).matches(order));
    assertTrue(track().property("items", new Object[] {a, b}).matches(order));
    assertFalse(track().property("items", List.of(b, a)).matches(order));
    assertFalse(track().property("items", List.of(a)).matches(order));
    assertTrue(track().integration("All", true).integration("Salesforce", false).matches(order));
    assertTrue(track().context("ip", "203.0.113.7").matches(order));
  }

  @Test
  void typeAndKeyFieldMustBothMatch() {
    assertTrue(anyMessage().matches(order));
    assertTrue(track().matches(order));
    assertFalse(track("Order Viewed").matches(order));
    assertFalse(identify().matches(order));
    assertFalse(page().matches(order));
    assertTrue(anyMessage().user("u1").messageId("m1").matches(order));
  }

  @Test
  void refusesNulls() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> track(null));
    assertEquals("event == null", e.getMessage());
    assertEquals("key == null", assertThrows(NullPointerException.class, () -> track().property(null, 1)).getMessage());
    assertEquals("id == null", assertThrows(NullPointerException.class, () -> track().user(null)).getMessage());
  }

  @Test
  void decodesNumbersExactly() {
    assertEquals(42L, Json.number("42"));
    assertEquals(42.5, Json.number("42.5"));
    assertEquals(1000.0, Json.number("1e3"));
    assertEquals(new BigDecimal("12345678901234567890"), Json.number("12345678901234567890"));
    assertEquals(new BigDecimal("0.1000000000000000000001"), Json.number("0.1000000000000000000001"));
    assertEquals(Arrays.asList(1L, 2.5), Wire.message("{\"type\":\"track\",\"messageId\":\"m\",\"timestamp\":"
        + "\"2025-03-14T09:26:58.004Z\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"l\":[1,2.5]}}")
        .properties().get("l"));
  }
}
