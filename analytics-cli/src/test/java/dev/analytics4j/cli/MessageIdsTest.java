package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  /** What the importer of 8c20ec4 (a heap table of fingerprints) gave "a" and its third occurrence. */
  private static final String PINNED_A = "f40ed863-97e5-5eba-ba0b-c8afd54d28c0";
  private static final String PINNED_A3 = "461800f2-a5e5-5fdc-b253-0a524c904125";
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

  /**
   * The ids of the scheme earlier versions used (SHA-1 of namespace and text, "\n" + k appended for
   * the k-th occurrence), written out here independently: a re-run of an input an earlier version
   * imported sends the same ids, so the API deduplicates it.
   */
  @Test
  void theIdsAreThoseOfTheEarlierScheme() throws Exception {
    java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
    byte[] namespace = dev.analytics4j.internal.NameUuids.bytes(java.util.UUID.fromString("5b0c6a3e-8f0e-4d3c-9d62-2f4e1c7a9b10"));
    try (MessageIds ids = new MessageIds()) {
      java.util.Map<String, Integer> seen = new java.util.HashMap<>();
      for (String line : List.of("a", "b", "a", "a", "{\"x\":\"\u00e9\"}", "b")) {
        int k = seen.merge(line, 1, Integer::sum);
        sha1.reset();
        sha1.update(namespace);
        sha1.update(utf8(line));
        if (k > 1) sha1.update(utf8("\n" + k));
        assertEquals(dev.analytics4j.internal.NameUuids.fromSha1(sha1.digest()), ids.idFor(utf8(line)), line + " #" + k);
      }
    }
    // One pinned value, from the version before the counter moved off the heap.
    try (MessageIds ids = new MessageIds()) {
      assertEquals(PINNED_A, ids.idFor(utf8("a")));
      ids.idFor(utf8("a"));
      assertEquals(PINNED_A3, ids.idFor(utf8("a")));
    }
  }

  /** Lines a resumed run skips still count: the repeats after them keep the ids of one whole run. */
  @Test
  void skippedLinesKeepTheOccurrencesOfTheLinesAfterThem() {
    List<String> lines = List.of("a", "b", "a", "c", "a", "b", "a");
    List<String> whole = new ArrayList<>();
    try (MessageIds ids = new MessageIds()) {
      for (String line : lines) whole.add(ids.idFor(utf8(line)));
    }
    try (MessageIds ids = new MessageIds()) {
      for (int i = 0; i < lines.size(); i++) {
        if (i % 2 == 0) {
          ids.skip(utf8(lines.get(i)));
        } else {
          assertEquals(whole.get(i), ids.idFor(utf8(lines.get(i))), "line " + i);
        }
      }
      assertEquals(1, ids.repeats()); // only the sent "b" that repeats: skipped lines are not counted
    }
  }
}
