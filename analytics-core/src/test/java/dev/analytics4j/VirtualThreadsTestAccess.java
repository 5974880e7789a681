package dev.analytics4j;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** {@link VirtualThreadsTest}'s search for a Java 21+ JDK, for tests in other packages. */
public final class VirtualThreadsTestAccess {
  private VirtualThreadsTestAccess() {}

  public static @Nullable Path java21OrLater() throws IOException {
    return VirtualThreadsTest.java21OrLater();
  }
}
