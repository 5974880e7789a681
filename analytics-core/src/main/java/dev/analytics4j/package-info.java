/**
 * A client for the Segment-compatible HTTP Tracking API: build an {@link dev.analytics4j.Analytics},
 * enqueue messages built with {@code dev.analytics4j.messages}, and flush or close it on shutdown.
 */
@NullMarked
package dev.analytics4j;

import org.jspecify.annotations.NullMarked;
