/**
 * Not API: may change in any release, and is left out of the Javadoc. What other modules of
 * analytics4j (the command-line importer) need from the core beyond its public API, through one door:
 * {@link dev.analytics4j.internal.Wire}, which gives them the core's validation, encoding, envelope
 * and headers so that no other module writes the wire format itself; and {@link
 * dev.analytics4j.internal.Log}, through which every class of the core logs.
 */
@NullMarked
package dev.analytics4j.internal;

import org.jspecify.annotations.NullMarked;
