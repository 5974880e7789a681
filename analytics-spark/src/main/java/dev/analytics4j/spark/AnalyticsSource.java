package dev.analytics4j.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code analytics4j} data source, found by Spark through {@code META-INF/services}: a write-only
 * sink that sends each row of a DataFrame as one Tracking API message.
 *
 * <pre>{@code
 * events.write().format("analytics4j")
 *     .option("writeKey", writeKey)
 *     .mode("append")
 *     .save();
 * }</pre>
 *
 * <p>Only {@code mode("append")} is supported. Delivery is at least once and never rolled back; see
 * docs/spark.md for the columns, the options and how messageIds make retries safe.
 */
public final class AnalyticsSource implements TableProvider, DataSourceRegister {
  /** Called by Spark. */
  public AnalyticsSource() {}

  @Override
  public String shortName() {
    return "analytics4j";
  }

  /** No schema of its own: the table accepts any, and the rows' columns are checked at write time. */
  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return new StructType();
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new AnalyticsTable();
  }
}
