package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.analytics4j.AnalyticsListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeListenerTest {
  @Test
  void aListenerThatThrowsDoesNotKeepTheOthersFromBeingTold() {
    List<String> told = new ArrayList<>();
    AnalyticsListener first = new AnalyticsListener() {
      @Override
      public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
        told.add("first");
        throw new IllegalStateException("listener bug");
      }
    };
    AnalyticsListener second = new AnalyticsListener() {
      @Override
      public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
        told.add("second");
      }
    };

    CompositeListener.of(List.of(first, second)).requestEnd(3, 1, 200, 1_000);

    assertEquals(List.of("first", "second"), told);
  }

  @Test
  void noneOrOneListenerNeedsNoComposite() {
    assertSame(AnalyticsListener.NONE, CompositeListener.of(List.of()));
    AnalyticsListener only = new AnalyticsListener() {};
    assertSame(only, CompositeListener.of(List.of(only)));
  }
}
