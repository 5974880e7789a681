package dev.analytics4j.spark;

import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector, seen by Spark as a table that takes rows of any schema. It claims TRUNCATE only so
 * that {@code mode("overwrite")} reaches {@link #truncate} and fails with our words rather than
 * Spark's generic ones.
 */
final class AnalyticsTable implements SupportsWrite {
  private static final Logger logger = LoggerFactory.getLogger(AnalyticsTable.class);
  private static final Set<TableCapability> CAPABILITIES =
      Set.of(TableCapability.BATCH_WRITE, TableCapability.TRUNCATE, TableCapability.ACCEPT_ANY_SCHEMA);

  @Override
  public String name() {
    return "analytics4j";
  }

  @Override
  @SuppressWarnings("deprecation") // Table.schema(): Spark 3.5's abstract method; 4.x prefers columns().
  public StructType schema() {
    return new StructType();
  }

  @Override
  public Set<TableCapability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    WriterOptions options = WriterOptions.parse(info.options().asCaseSensitiveMap());
    StructType schema = info.schema();
    RowMapper mapper = new RowMapper(schema, options, new RowIds());
    if (!mapper.ignoredColumns().isEmpty()) {
      logger.warn("analytics4j: columns {} map to no message field and are not sent (fields: {})",
          mapper.ignoredColumns(), RowMapper.FIELDS);
    }
    if (!mapper.hasTimestamp()) {
      logger.warn("analytics4j: no column 'timestamp': every message is stamped with the time it is sent, "
          + "which is wrong for history; add the events' time as a timestamp column");
    }
    return new Builder(options, schema, info.queryId());
  }

  private static final class Builder implements SupportsTruncate {
    private final WriterOptions options;
    private final StructType schema;
    private final String queryId;

    Builder(WriterOptions options, StructType schema, String queryId) {
      this.options = options;
      this.schema = schema;
      this.queryId = queryId;
    }

    @Override
    public WriteBuilder truncate() {
      throw new UnsupportedOperationException("analytics4j only appends: messages sent to the collector cannot be "
          + "overwritten or taken back; use mode(\"append\")");
    }

    @Override
    public Write build() {
      return new Write() {
        @Override
        public String description() {
          return "analytics4j";
        }

        @Override
        public BatchWrite toBatch() {
          return new AnalyticsBatchWrite(options, schema, queryId);
        }
      };
    }
  }
}
