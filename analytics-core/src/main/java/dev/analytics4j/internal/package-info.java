/** Not API: may change in any release. What the library's own packages share. */
@NullMarked
package dev.analytics4j.internal;

import org.jspecify.annotations.NullMarked;
