package dev.analytics4j.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a test expects some of its messages to be dropped or to fail, so
 * {@link RecordingAnalyticsExtension} does not fail it for that; it fails it instead when every
 * message was delivered, since the test then does not exercise what it says it does.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ExpectUndelivered {}
