package org.slf4j.impl;

import dev.analytics4j.RecordedLogs;
import org.slf4j.ILoggerFactory;
import org.slf4j.spi.LoggerFactoryBinder;

/**
 * The SLF4J 1.7 binding of core's tests (core compiles against the 1.7 API): every line goes to
 * {@link RecordedLogs}, where a test can assert it word for word. Left out of the test-jar.
 */
public final class StaticLoggerBinder implements LoggerFactoryBinder {
  /** Read by SLF4J 1.7 to check the binding's version. */
  public static String REQUESTED_API_VERSION = "1.6.99";

  private static final StaticLoggerBinder SINGLETON = new StaticLoggerBinder();

  public static StaticLoggerBinder getSingleton() {
    return SINGLETON;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return RecordedLogs.FACTORY;
  }

  @Override
  public String getLoggerFactoryClassStr() {
    return RecordedLogs.class.getName();
  }
}
