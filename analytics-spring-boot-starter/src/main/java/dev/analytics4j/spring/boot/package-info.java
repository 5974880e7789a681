/**
 * Spring Boot auto-configuration for analytics4j: {@link dev.analytics4j.spring.boot.AnalyticsAutoConfiguration}
 * builds the client from {@link dev.analytics4j.spring.boot.AnalyticsProperties}, and
 * {@link dev.analytics4j.spring.boot.AnalyticsBuilderCustomizer} beans change what the properties do
 * not cover.
 */
@NullMarked
package dev.analytics4j.spring.boot;

import org.jspecify.annotations.NullMarked;
