/**
 * Tests of code that sends events: {@link dev.analytics4j.testing.RecordingAnalytics} for unit tests,
 * {@link dev.analytics4j.testing.FakeCollector} for integration tests over HTTP, both read through
 * {@link dev.analytics4j.testing.SentMessages} and {@link dev.analytics4j.testing.MessagePattern}, and
 * {@link dev.analytics4j.testing.RecordingAnalyticsExtension} for JUnit 5. Add the artifact with test
 * scope; nothing here belongs on a production classpath.
 */
@NullMarked
package dev.analytics4j.testing;

import org.jspecify.annotations.NullMarked;
