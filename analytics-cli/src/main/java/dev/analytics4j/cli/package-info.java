/** {@code analytics4j import}: sends newline-delimited JSON events through the library. */
@NullMarked
package dev.analytics4j.cli;

import org.jspecify.annotations.NullMarked;
