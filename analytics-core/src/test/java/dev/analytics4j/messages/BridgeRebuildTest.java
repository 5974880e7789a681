package dev.analytics4j.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.analytics4j.internal.MessagesBridge;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The engine's rebuild of a message (a scope's values, a hook's changes) makes one object without a
 * builder, checking only what changed; and a builder is built with a scope's user without being
 * copied or changed. Both are compared here with the way they were made before: through the public
 * builders, which check everything. Random fields, bad ones among them, for every type.
 */
class BridgeRebuildTest {
  private static final MessagesBridge BRIDGE = MessagesBridge.get();
  private static final List<@Nullable String> IDS = Arrays.asList(null, "", "  ", "\t", "u1", "user-2", "é");

  @Test
  void aRebuildEqualsWhatTheBuildersMakeOfTheSameFieldsOrFailsWithTheSameError() {
    Random random = new Random(19);
    int built = 0;
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      Message original = randomMessage(random);
      String userId = random.nextInt(3) == 0 ? original.userId() : pick(random, IDS);
      String anonymousId = random.nextInt(3) == 0 ? original.anonymousId() : pick(random, IDS);
      String name = random.nextInt(3) == 0 ? BRIDGE.name(original) : pick(random, Arrays.asList(null, "", " ", "Renamed"));
      Map<String, Object> payload = randomMap(random);
      Map<String, Object> context = randomMap(random);
      Map<String, ?> integrations = randomIntegrations(random, original);

      String expected;
      Message reference = null;
      try {
        reference = oldRebuild(original, userId, anonymousId, name, payload, context, integrations);
        expected = "ok";
      } catch (RuntimeException e) {
        expected = e.getClass().getName() + ": " + e.getMessage();
      }
      String actual;
      Message rebuilt = null;
      try {
        rebuilt = BRIDGE.rebuild(original, userId, anonymousId, name, payload, context, integrations);
        actual = "ok";
      } catch (RuntimeException e) {
        actual = e.getClass().getName() + ": " + e.getMessage();
      }
      String what = "case " + i + ": " + original + " userId=" + userId + " anonymousId=" + anonymousId
          + " name=" + name + " integrations=" + integrations;
      assertEquals(expected, actual, what);
      if (rebuilt == null) {
        refused++;
        continue;
      }
      built++;
      assertEquals(describe(reference), describe(rebuilt), what);
      // The maps are the engine's, taken as they are: no copy, no wrapper.
      assertSame(payload, original instanceof AliasMessage ? payload : BRIDGE.payload(rebuilt), what);
      assertSame(context, rebuilt.context(), what);
      if (integrations == original.integrations()) assertSame(original.integrations(), rebuilt.integrations(), what);
    }
    // Both outcomes were tried many times: the comparison is not one-sided.
    assertEquals(20_000, built + refused);
    assertEquals(true, built > 5_000 && refused > 5_000, "built " + built + ", refused " + refused);
  }

  @Test
  void aBuilderBuiltWithAScopesUserIsNeitherChangedNorCopiedAndChecksAsWithItsOwnUser() {
    Random random = new Random(1919);
    for (int i = 0; i < 5_000; i++) {
      long seed = random.nextLong();
      Message.Builder<?, ?> builder = randomBuilder(new Random(seed), false).messageId("m").timestamp(Instant.EPOCH);
      String userId = pick(random, Arrays.asList(null, "u1", "scope-user"));
      String anonymousId = pick(random, Arrays.asList(null, "a1"));
      String expected;
      Message reference = null;
      try {
        Message.Builder<?, ?> copy = randomBuilder(new Random(seed), false).messageId("m").timestamp(Instant.EPOCH);
        if (userId != null) copy.userId(userId);
        if (anonymousId != null) copy.anonymousId(anonymousId);
        reference = copy.build();
        expected = "ok";
      } catch (RuntimeException e) {
        expected = e.getClass().getName() + ": " + e.getMessage();
      }
      String actual;
      Message built = null;
      try {
        built = BRIDGE.build(builder, userId, anonymousId);
        actual = "ok";
      } catch (RuntimeException e) {
        actual = e.getClass().getName() + ": " + e.getMessage();
      }
      assertEquals(expected, actual, "case " + i);
      if (built != null) {
        assertEquals(describe(reference), describe(built), "case " + i);
      }
      // The shared builder still names no user: a scope's never reaches another thread's message.
      assertEquals(null, builder.userId, "case " + i);
      assertEquals(null, builder.anonymousId, "case " + i);
      assertThrows(IllegalArgumentException.class, builder::build);
    }
  }

  /** The rebuild as it was made before: a new builder of the type, every field through its setter. */
  private static Message oldRebuild(Message message, @Nullable String userId, @Nullable String anonymousId,
      @Nullable String name, Map<String, Object> payload, Map<String, Object> context, Map<String, ?> integrations) {
    Message.Builder<?, ?> builder;
    if (message instanceof TrackMessage) {
      TrackMessage.Builder track = TrackMessage.builder(name != null ? name : ((TrackMessage) message).event());
      track.properties = payload;
      builder = track;
    } else if (message instanceof PageMessage) {
      PageMessage page = (PageMessage) message;
      PageMessage.Builder pageBuilder = PageMessage.builder();
      pageBuilder.properties = payload;
      String pageName = name != null ? name : page.name();
      if (pageName != null) pageBuilder.name(pageName);
      if (page.category() != null) pageBuilder.category(page.category());
      builder = pageBuilder;
    } else if (message instanceof ScreenMessage) {
      ScreenMessage.Builder screenBuilder = ScreenMessage.builder();
      screenBuilder.properties = payload;
      String screenName = name != null ? name : ((ScreenMessage) message).name();
      if (screenName != null) screenBuilder.name(screenName);
      builder = screenBuilder;
    } else if (message instanceof IdentifyMessage) {
      IdentifyMessage.Builder identify = IdentifyMessage.builder();
      identify.traits = payload;
      builder = identify;
    } else if (message instanceof GroupMessage) {
      GroupMessage.Builder group = GroupMessage.builder(((GroupMessage) message).groupId());
      group.traits = payload;
      builder = group;
    } else {
      builder = AliasMessage.builder(((AliasMessage) message).previousId());
    }
    builder.messageId = message.messageId();
    builder.timestamp = message.timestamp();
    if (userId != null) builder.userId(userId);
    if (anonymousId != null) builder.anonymousId(anonymousId);
    builder.context = context;
    if (integrations != message.integrations()) builder.integrations(integrations);
    else builder.integrations = message.integrations();
    return builder.build();
  }

  /** Every field of a message, its maps' contents included. */
  private static String describe(Message message) {
    StringBuilder out = new StringBuilder(message.getClass().getSimpleName()).append(' ')
        .append(message.messageId()).append(' ').append(message.timestamp()).append(' ')
        .append(message.userId()).append(' ').append(message.anonymousId()).append(' ')
        .append(BRIDGE.name(message)).append(' ').append(BRIDGE.payload(message)).append(' ')
        .append(message.context()).append(' ').append(message.integrations());
    if (message instanceof PageMessage) out.append(" category=").append(((PageMessage) message).category());
    if (message instanceof GroupMessage) out.append(" groupId=").append(((GroupMessage) message).groupId());
    if (message instanceof AliasMessage) out.append(" previousId=").append(((AliasMessage) message).previousId());
    return out.toString();
  }

  private static Message randomMessage(Random random) {
    while (true) {
      try {
        return randomBuilder(random, true).build();
      } catch (IllegalArgumentException e) {
        // An alias with no userId: draw again.
      }
    }
  }

  private static Message.Builder<?, ?> randomBuilder(Random random, boolean withUser) {
    Message.Builder<?, ?> builder;
    switch (random.nextInt(7)) {
      case 0: builder = TrackMessage.builder("Event " + random.nextInt(3)).properties(randomMap(random)); break;
      case 1: builder = PageMessage.builder("Pricing").category("Docs").properties(randomMap(random)); break;
      case 2: builder = PageMessage.builder(); break;
      case 3: builder = ScreenMessage.builder(random.nextBoolean() ? "Checkout" : "Cart"); break;
      case 4: builder = IdentifyMessage.builder().traits(randomMap(random)); break;
      case 5: builder = GroupMessage.builder("g" + random.nextInt(3)).traits(randomMap(random)); break;
      default: builder = AliasMessage.builder("previous"); break;
    }
    if (random.nextBoolean()) builder.messageId("m" + random.nextInt(1000));
    if (random.nextBoolean()) builder.timestamp(Instant.ofEpochMilli(random.nextInt(1_000_000)));
    if (random.nextBoolean()) builder.context(randomMap(random));
    if (random.nextBoolean()) builder.enableIntegration("Amplitude", random.nextBoolean());
    if (withUser) {
      if (random.nextBoolean()) builder.userId("u" + random.nextInt(3));
      if (random.nextBoolean()) builder.anonymousId("a" + random.nextInt(3));
    }
    return builder;
  }

  private static Map<String, Object> randomMap(Random random) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = random.nextInt(4); i > 0; i--) map.put("k" + random.nextInt(6), random.nextInt(10));
    return map;
  }

  private static Map<String, ?> randomIntegrations(Random random, Message original) {
    switch (random.nextInt(5)) {
      case 0: return Map.of("Mixpanel", false);
      case 1: return Map.of("Mixpanel", "yes");
      case 2: return Map.of("Mixpanel", Map.of("apiKey", "x"));
      case 3: return new LinkedHashMap<>(original.integrations());
      default: return original.integrations();
    }
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
