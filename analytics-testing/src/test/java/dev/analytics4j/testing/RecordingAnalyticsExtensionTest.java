package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's lifecycle, seen from outside: each nested class is a test class of a user, run on
 * the JUnit Platform by {@link EngineTestKit}, and disabled when anything else runs it.
 */
class RecordingAnalyticsExtensionTest {
  /** Clients the nested test classes saw, in the order their tests ran. */
  static final List<RecordingAnalytics> seen = new ArrayList<>();

  @BeforeEach
  void forget() {
    seen.clear();
  }

  private static Events run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(OnlyInEngineTestKit.KEY, "true")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  private static List<String> failures(Events events) {
    return events.failed().stream()
        .map(event -> event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
        .map(Throwable::getMessage)
        .sorted()
        .collect(Collectors.toList());
  }

  private static boolean isClosed(RecordingAnalytics recorder) {
    try {
      recorder.analytics().flush();
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  static class ParameterInjection {
    @Test
    void first(RecordingAnalytics recorder, Analytics analytics) {
      assertSame(recorder.analytics(), analytics);
      seen.add(recorder);
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      recorder.sent().assertSentOnce(track("Signed Up"));
    }

    @Test
    void second(RecordingAnalytics recorder) {
      seen.add(recorder);
      recorder.sent().assertNothingSent();
    }
  }

  @Test
  void injectsAFreshClientIntoEachTestAndClosesItAfter() {
    run(ParameterInjection.class).assertStatistics(stats -> stats.started(2).succeeded(2));
    assertEquals(2, seen.size());
    assertNotSame(seen.get(0), seen.get(1));
    assertTrue(isClosed(seen.get(0)));
    assertTrue(isClosed(seen.get(1)));
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class FieldInjection {
    RecordingAnalytics recorder;
    private RecordingAnalytics unset;
    final RecordingAnalytics notMine = null;
    static RecordingAnalytics shared;

    @BeforeEach
    void setUp(RecordingAnalytics fromParameter) {
      assertSame(recorder, fromParameter, "one client per test, whichever way it is reached");
      assertSame(recorder, unset, "private fields too");
      assertNull(notMine);
      assertNull(shared);
      seen.add(recorder);
    }

    @Test
    void a() {
      recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    }

    @Test
    void b() {
      recorder.sent().assertSentTimes(0, track("A"));
    }

    @AfterEach
    void stillOpenInAfterEach(Analytics analytics) {
      assertSame(recorder.analytics(), analytics);
      analytics.flush();
    }
  }

  @Test
  void fillsNullFieldsBeforeEachTest() {
    run(FieldInjection.class).assertStatistics(stats -> stats.started(2).succeeded(2));
    assertEquals(2, seen.size());
    assertNotSame(seen.get(0), seen.get(1));
    assertTrue(isClosed(seen.get(0)));
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class PerClassInstance {
    RecordingAnalytics recorder;

    @Test
    void a() {
      seen.add(recorder);
      recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    }

    @Test
    void b() {
      seen.add(recorder);
      recorder.sent().assertNothingSent();
    }
  }

  @Test
  void givesAPerClassInstanceAFreshClientForEachTest() {
    run(PerClassInstance.class).assertStatistics(stats -> stats.started(2).succeeded(2));
    assertEquals(2, seen.size());
    assertNotSame(seen.get(0), seen.get(1));
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  static class Drops {
    @Test
    void dropsOneMessage(Analytics analytics) {
      analytics.enqueue(TrackMessage.builder("Sent").userId("u1"));
      analytics.close();
      analytics.offer(TrackMessage.builder("Late").userId("u1").timestamp(java.time.Instant.parse("2025-03-14T09:26:53.589123Z")));
    }

    @Test
    @ExpectUndelivered
    void dropsOneMessageAndSaysSo(Analytics analytics) {
      dropsOneMessage(analytics);
    }

    @Test
    @ExpectUndelivered
    void expectsADropThatNeverHappens(Analytics analytics) {
      analytics.enqueue(TrackMessage.builder("Sent").userId("u1"));
    }
  }

  @Test
  void failsATestThatDroppedAMessageUnlessItExpectedTo() {
    Events events = run(Drops.class);
    events.assertStatistics(stats -> stats.started(3).succeeded(1).failed(2));
    assertEquals(List.of("dropsOneMessageAndSaysSo"), events.succeeded().stream()
        .map(Event::getTestDescriptor).map(d -> d.getDisplayName().replace("(Analytics)", ""))
        .collect(Collectors.toList()));
    assertEquals(List.of(
        "Expected every message to be delivered, but 1 of the 2 messages enqueued was not:"
            + "\n  dropped (CLOSED): track \"Late\" userId=u1"
            + "\n(annotate the test @ExpectUndelivered if it expects that)",
        "The test is annotated @ExpectUndelivered, but every message was delivered"),
        failures(events));
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  static class Refusal {
    @Test
    void letsARefusalThrough(Analytics analytics) {
      analytics.enqueue(TrackMessage.builder("No user"));
    }

    @Test
    void swallowsARefusal(RecordingAnalytics recorder) {
      try {
        recorder.analytics().enqueue(TrackMessage.builder("No user"));
      } catch (IllegalArgumentException ignored) {
        // The code under test hides it, as some do.
      }
      recorder.sent().assertSent(track("No user"));
    }
  }

  @Test
  void aRefusalFailsTheTestThroughItsExceptionOrThroughWhatWasNotSent() {
    Events events = run(Refusal.class);
    events.assertStatistics(stats -> stats.started(2).failed(2));
    assertEquals(List.of("Expected a track \"No user\", but nothing was sent",
        "either userId or anonymousId must be set"), failures(events));
  }

  @ExtendWith({OnlyInEngineTestKit.class, RecordingAnalyticsExtension.class})
  static class ConstructorInjection {
    ConstructorInjection(RecordingAnalytics recorder) {}

    @Test
    void neverRuns() {}
  }

  @Test
  void doesNotInjectIntoConstructorsWhoseClientWouldOutliveTheTest() {
    Events events = run(ConstructorInjection.class);
    events.assertStatistics(stats -> stats.failed(1));
    assertTrue(failures(events).get(0).startsWith("No ParameterResolver registered for parameter"),
        failures(events).get(0));
  }

  @Test
  void aClientOutsideTheExtensionIsLeftAlone() {
    RecordingAnalytics recorder = RecordingAnalytics.create();
    recorder.close();
    assertThrows(IllegalStateException.class, () -> recorder.analytics().flush());
  }
}
