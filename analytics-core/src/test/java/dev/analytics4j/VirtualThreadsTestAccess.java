package dev.analytics4j;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link VirtualThreadsTest}'s helpers for probes in a Java 21+ JVM, for tests in other packages. */
public final class VirtualThreadsTestAccess {
  private VirtualThreadsTestAccess() {}

  /** See {@link VirtualThreadsTest#runProbe}. */
  public static Matcher runProbe(Class<?> probe, String heap, Pattern result, String what) throws Exception {
    return VirtualThreadsTest.runProbe(probe, heap, result, what);
  }

  /** See {@link VirtualThreadsTest#startVirtualThread}. */
  public static Thread startVirtualThread(Runnable task) throws ReflectiveOperationException {
    return VirtualThreadsTest.startVirtualThread(task);
  }
}
