package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.anyMessage;
import static dev.analytics4j.testing.MessagePattern.identify;
import static dev.analytics4j.testing.MessagePattern.page;
import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentMessagesTest {
  private static final String IDENTIFY = "\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"plan\":\"team\"},"
      + "\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}}";
  private static final String TRACK = "\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\","
      + "\"properties\":{\"revenue\":40,\"currency\":\"EUR\"}";
  private static final String PAGE = "\"type\":\"page\",\"anonymousId\":\"a1\",\"name\":\"Pricing\","
      + "\"category\":\"Marketing\",\"properties\":{\"path\":\"/pricing\"}";
  private static final String LIST = "\n  1. identify userId=u1 traits={plan=\"team\"}"
      + "\n  2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
      + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}";

  private final SentMessages sent = Wire.sent(IDENTIFY, TRACK, PAGE);

  @Test
  void assertSentPassesWhenOneMessageMatches() {
    assertSame(sent, sent.assertSent(track("Order Completed").user("u1").property("revenue", 40)));
    sent.assertSent(track("Order Completed").userId("u1").property("revenue", 40.0).property("currency", "EUR"));
    sent.assertSent(page("Pricing").anonymousId("a1").category("Marketing"));
    sent.assertSent(identify().trait("plan", "team").context("library", libraryMap()));
  }

  @Test
  void assertSentFailsListingWhatWasSent() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> sent.assertSent(track("Order Completed").user("u1").property("revenue", 42.5)));
    assertEquals("Expected a track \"Order Completed\" for user u1 with property revenue=42.5, "
        + "but none of the 3 messages sent matches:" + LIST, e.getMessage());
  }

  @Test
  void assertSentFailsSayingNothingWasSent() {
    AssertionError e = assertThrows(AssertionError.class, () -> Wire.sent().assertSent(identify()));
    assertEquals("Expected an identify, but nothing was sent", e.getMessage());
  }

  @Test
  void assertSentFailsShowingTheOneMessageSent() {
    AssertionError e = assertThrows(AssertionError.class, () -> Wire.sent(IDENTIFY).assertSent(track()));
    assertEquals("Expected a track, but the 1 message sent does not match:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}", e.getMessage());
  }

  @Test
  void assertSentOncePassesForExactlyOneMatch() {
    sent.assertSentOnce(identify()).assertSentOnce(track()).assertSentOnce(anyMessage().user("a1"));
  }

  @Test
  void assertSentOnceFailsMarkingEveryMatch() {
    SentMessages twice = Wire.sent(IDENTIFY, TRACK, PAGE, "\"type\":\"identify\",\"userId\":\"u2\"");
    AssertionError e = assertThrows(AssertionError.class, () -> twice.assertSentOnce(identify()));
    assertEquals("Expected an identify exactly once, but 2 of the 4 messages sent match:"
        + "\n> 1. identify userId=u1 traits={plan=\"team\"}"
        + "\n  2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}"
        + "\n> 4. identify userId=u2", e.getMessage());
  }

  @Test
  void assertSentOnceFailsWhenNothingMatches() {
    AssertionError e = assertThrows(AssertionError.class, () -> sent.assertSentOnce(MessagePattern.group()));
    assertEquals("Expected a group exactly once, but none of the 3 messages sent matches:" + LIST, e.getMessage());
  }

  @Test
  void assertSentTimesCountsMatches() {
    sent.assertSentTimes(3, anyMessage()).assertSentTimes(2, anyMessage().user("u1")).assertSentTimes(0, MessagePattern.alias());
    AssertionError e = assertThrows(AssertionError.class, () -> sent.assertSentTimes(2, track()));
    assertEquals("Expected a track exactly 2 times, but 1 of the 3 messages sent matches:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}"
        + "\n> 2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", e.getMessage());
  }

  @Test
  void assertSentTimesZeroReadsAsNotSent() {
    AssertionError e = assertThrows(AssertionError.class, () -> sent.assertSentTimes(0, page()));
    assertEquals("Expected no page, but 1 of the 3 messages sent matches:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}"
        + "\n  2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n> 3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", e.getMessage());
  }

  @Test
  void assertNothingSentPassesOnlyWhenNothingWasSent() {
    Wire.sent().assertNothingSent();
    AssertionError one = assertThrows(AssertionError.class, () -> Wire.sent(IDENTIFY).assertNothingSent());
    assertEquals("Expected nothing to be sent, but 1 message was sent:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}", one.getMessage());
    AssertionError three = assertThrows(AssertionError.class, sent::assertNothingSent);
    assertEquals("Expected nothing to be sent, but 3 messages were sent:" + LIST, three.getMessage());
  }

  @Test
  void assertSentTimesRejectsANegativeCount() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sent.assertSentTimes(-1, track()));
    assertEquals("times must not be negative: -1", e.getMessage());
  }

  @Test
  void assertNotSentPassesWhenNothingMatches() {
    sent.assertNotSent(track().user("a1")).assertNotSent(track("Order Completed").property("revenue", 42.5));
  }

  @Test
  void assertNotSentFailsMarkingTheMatch() {
    AssertionError e = assertThrows(AssertionError.class, () -> sent.assertNotSent(track().user("u1")));
    assertEquals("Expected no track for user u1, but 1 of the 3 messages sent matches:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}"
        + "\n> 2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", e.getMessage());
  }

  @Test
  void assertNothingSentForLooksAtBothIds() {
    sent.assertNothingSentFor("u2");
    AssertionError e = assertThrows(AssertionError.class, () -> sent.assertNothingSentFor("a1"));
    assertEquals("Expected no message for user a1, but 1 of the 3 messages sent matches:"
        + "\n  1. identify userId=u1 traits={plan=\"team\"}"
        + "\n  2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n> 3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", e.getMessage());
    AssertionError twice = assertThrows(AssertionError.class, () -> sent.assertNothingSentFor("u1"));
    assertEquals("Expected no message for user u1, but 2 of the 3 messages sent match:"
        + "\n> 1. identify userId=u1 traits={plan=\"team\"}"
        + "\n> 2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", twice.getMessage());
  }

  @Test
  void singleReturnsTheOneMatchOrFails() {
    assertEquals("Order Completed", sent.single(track()).event());
    AssertionError e = assertThrows(AssertionError.class, () -> sent.single(anyMessage().user("u1")));
    assertEquals("Expected a message for user u1 exactly once, but 2 of the 3 messages sent match:"
        + "\n> 1. identify userId=u1 traits={plan=\"team\"}"
        + "\n> 2. track \"Order Completed\" userId=u1 properties={revenue=40, currency=\"EUR\"}"
        + "\n  3. page \"Pricing\" category=Marketing anonymousId=a1 properties={path=\"/pricing\"}", e.getMessage());
  }

  @Test
  void matchingKeepsTheOrderSent() {
    List<SentMessage> matches = sent.matching(anyMessage().user("u1"));
    assertEquals(List.of(sent.all().get(0), sent.all().get(1)), matches);
    assertEquals(3, sent.size());
  }

  @Test
  void longListsAreCutAfterTwentyFiveLines() {
    List<String> fields = new ArrayList<>();
    for (int i = 1; i <= 30; i++) fields.add("\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\"");
    SentMessages many = Wire.sent(fields.toArray(new String[0]));
    AssertionError e = assertThrows(AssertionError.class, () -> many.assertSent(identify()));
    StringBuilder expected = new StringBuilder("Expected an identify, but none of the 30 messages sent matches:");
    for (int i = 1; i <= 25; i++) expected.append("\n  ").append(i).append(". track \"E\" userId=u").append(i);
    expected.append("\n  ... and 5 more");
    assertEquals(expected.toString(), e.getMessage());
  }

  @Test
  void toStringListsTheMessages() {
    assertEquals("3 messages sent:" + LIST, sent.toString());
    assertEquals("nothing sent", Wire.sent().toString());
  }

  private static java.util.Map<String, Object> libraryMap() {
    java.util.Map<String, Object> library = new java.util.LinkedHashMap<>();
    library.put("name", "analytics4j");
    library.put("version", "0.1.0");
    return library;
  }
}
