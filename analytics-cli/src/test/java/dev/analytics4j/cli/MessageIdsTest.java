package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sameInputGivesSameIdsAndEveryLineItsOwn() {
    List<String> lines = List.of("a", "b", "a", "c", "a", "b");
    MessageIds first = new MessageIds();
    MessageIds second = new MessageIds();
    List<String> ids = new ArrayList<>();
    for (String line : lines) {
      String id = first.idFor(utf8(line));
      assertEquals(id, second.idFor(utf8(line)));
      ids.add(id);
    }
    assertEquals(6, new HashSet<>(ids).size());
    assertEquals(3, first.repeats());
    assertEquals(36, ids.get(0).length());
    assertEquals('5', ids.get(0).charAt(14)); // version 5, name-based
  }

  @Test
  void countsOwnIdsSeenBefore() {
    MessageIds ids = new MessageIds();
    ids.noteOwnId("x");
    ids.noteOwnId("y");
    ids.noteOwnId("x");
    assertEquals(1, ids.repeatedIds());
    assertEquals(0, ids.repeats());
  }

  @Test
  void growsWithoutLosingWhatItSaw() {
    MessageIds ids = new MessageIds();
    for (int i = 0; i < 200_000; i++) ids.idFor(utf8("line " + i));
    assertEquals(0, ids.repeats());
    for (int i = 0; i < 200_000; i += 1000) ids.idFor(utf8("line " + i));
    assertEquals(200, ids.repeats());
    assertNotEquals(new MessageIds().idFor(utf8("line 0")), ids.idFor(utf8("line 0")));
  }
}
