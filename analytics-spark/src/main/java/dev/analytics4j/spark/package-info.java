/**
 * A Spark DataSource V2 writer: {@code df.write().format("analytics4j").option("writeKey", key)
 * .mode("append").save()} sends each row as one Tracking API message. Only {@link
 * dev.analytics4j.spark.AnalyticsSource} is public, for Spark to find; see docs/spark.md.
 */
@NullMarked
package dev.analytics4j.spark;

import org.jspecify.annotations.NullMarked;
