package dev.analytics4j.testing;

import dev.analytics4j.Analytics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a fresh {@link RecordingAnalytics}, closes it after the test, and fails the test
 * when a message was dropped or failed, unless the test method is annotated
 * {@link ExpectUndelivered}.
 *
 * <pre>{@code
 * @ExtendWith(RecordingAnalyticsExtension.class)
 * class CheckoutTest {
 *   @Test
 *   void sendsOrderCompleted(RecordingAnalytics recorder) {
 *     new Checkout(recorder.analytics()).complete(order);
 *     recorder.sent().assertSent(track("Order Completed").user("u1"));
 *   }
 * }
 * }</pre>
 *
 * <p>The client reaches a test as a parameter of type {@code RecordingAnalytics} or {@code Analytics}
 * (of test, {@code @BeforeEach} and {@code @AfterEach} methods), and in every non-static, non-final
 * field of type {@code RecordingAnalytics} that is still null before each test (and is set back to
 * null after it, so a per-class test instance gets a fresh client for each test too); all of them
 * are the same client during one test.
 *
 * <p>After the test (and its {@code @AfterEach} methods) the client is closed, which sends what is
 * queued, and then checked as {@link RecordingAnalytics#assertAllDelivered()} checks it. A message
 * that {@code enqueue} refuses at the call site throws there, and that exception fails the test by
 * itself; one that the code under test catches and swallows cannot be seen by the extension, as the
 * client keeps no account of refusals: assert on what was sent to catch it.
 */
public final class RecordingAnalyticsExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RecordingAnalyticsExtension.class);
  private static final String KEY = "recorder";
  private static final String FIELDS = "fields";

  /** For {@code @ExtendWith}. */
  public RecordingAnalyticsExtension() {}

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    List<Injected> injected = new ArrayList<>();
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
        for (Field field : type.getDeclaredFields()) {
          int modifiers = field.getModifiers();
          if (field.getType() != RecordingAnalytics.class || Modifier.isStatic(modifiers)
              || Modifier.isFinal(modifiers)) {
            continue;
          }
          field.setAccessible(true);
          if (field.get(instance) == null) {
            field.set(instance, recorder(context));
            injected.add(new Injected(instance, field));
          }
        }
      }
    }
    context.getStore(NAMESPACE).put(FIELDS, injected);
  }

  /** A field this extension filled, to empty again after the test for the next one (per-class lifecycle). */
  private static final class Injected {
    final Object instance;
    final Field field;

    Injected(Object instance, Field field) {
      this.instance = instance;
      this.field = field;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    // A constructor runs outside any one test; its client would outlive the test that closes it.
    if (parameter.getDeclaringExecutable() instanceof java.lang.reflect.Constructor) return false;
    Class<?> type = parameter.getParameter().getType();
    return type == RecordingAnalytics.class || type == Analytics.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    RecordingAnalytics recorder = recorder(context);
    return parameter.getParameter().getType() == Analytics.class ? recorder.analytics() : recorder;
  }

  private static RecordingAnalytics recorder(ExtensionContext context) {
    return context.getStore(NAMESPACE)
        .getOrComputeIfAbsent(KEY, key -> RecordingAnalytics.create(), RecordingAnalytics.class);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterEach(ExtensionContext context) throws IllegalAccessException {
    List<Injected> injected = (List<Injected>) context.getStore(NAMESPACE).remove(FIELDS, List.class);
    if (injected != null) {
      for (Injected i : injected) i.field.set(i.instance, null);
    }
    RecordingAnalytics recorder = context.getStore(NAMESPACE).remove(KEY, RecordingAnalytics.class);
    if (recorder == null) return;
    recorder.close();
    String report = recorder.undeliveredReport();
    boolean expected = context.getTestMethod()
        .map(method -> method.isAnnotationPresent(ExpectUndelivered.class))
        .orElse(false);
    if (expected && report == null) {
      throw new AssertionError("The test is annotated @ExpectUndelivered, but every message was delivered");
    }
    if (!expected && report != null) {
      throw new AssertionError(report + "\n(annotate the test @ExpectUndelivered if it expects that)");
    }
  }
}
