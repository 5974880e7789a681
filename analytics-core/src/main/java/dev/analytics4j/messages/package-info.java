/** The six message types of the Tracking API and their builders. */
@NullMarked
package dev.analytics4j.messages;

import org.jspecify.annotations.NullMarked;
