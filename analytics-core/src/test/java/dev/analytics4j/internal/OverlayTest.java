package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlayTest {
  @Test
  void readsAsTheMergedMapWouldInItsOrderWithoutCopying() {
    Map<String, Object> low = new LinkedHashMap<>();
    low.put("a", 1);
    low.put("b", 2);
    low.put("n", null);
    Map<String, Object> high = new LinkedHashMap<>();
    high.put("b", "high");
    high.put("c", 3);
    high.put("n", "set");
    Map<String, Object> merged = new LinkedHashMap<>(low);
    merged.putAll(high);

    Map<String, Object> overlay = Overlay.of(high, low);

    assertEquals(merged, overlay);
    assertEquals(new ArrayList<>(merged.entrySet()), new ArrayList<>(overlay.entrySet()));
    assertEquals(Arrays.asList("a", "b", "n", "c"), new ArrayList<>(overlay.keySet()));
    assertEquals(4, overlay.size());
    assertEquals("high", overlay.get("b"));
    assertEquals(null, overlay.get("missing"));
    assertThrows(UnsupportedOperationException.class, () -> overlay.put("d", 4));
    assertSame(low, Overlay.of(Collections.emptyMap(), low));
    assertSame(high, Overlay.of(high, Collections.emptyMap()));
    List<Object> values = new ArrayList<>(overlay.values());
    assertEquals(Arrays.asList(1, "high", "set", 3), values);
  }
}
