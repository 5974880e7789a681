/**
 * Not API: may change in any release, and is left out of the Javadoc. What other modules of
 * analytics4j (the command-line importer) need from the core beyond its public API, through one door:
 * {@link dev.analytics4j.internal.Wire}, which gives them the core's validation, encoding, envelope
 * and headers so that no other module writes the wire format itself; {@link
 * dev.analytics4j.internal.Log}, through which every class of the core logs; and {@link
 * dev.analytics4j.internal.RequestData}, the Spring Boot starter's request data as the lowest layer
 * of a scope.
 */
@NullMarked
package dev.analytics4j.internal;

import org.jspecify.annotations.NullMarked;
