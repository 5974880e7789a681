/**
 * Micrometer metrics for analytics4j: {@link dev.analytics4j.micrometer.AnalyticsMeterBinder}, a
 * {@code MeterBinder} that is also the client's {@code AnalyticsListener}.
 */
@NullMarked
package dev.analytics4j.micrometer;

import org.jspecify.annotations.NullMarked;
