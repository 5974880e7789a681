package dev.analytics4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Imports a Parquet file into a collector: writes 10,000 order events as Parquet in a temporary
 * directory, starts a collector on 127.0.0.1, sends the file with {@code format("analytics4j")} and
 * prints the job summary. Run it with
 * {@code mvn -B -q -pl analytics-spark -am test-compile exec:exec -Dexec.executable=java -Dspark.example.skip=false}.
 */
public final class ParquetImportExample {
  private ParquetImportExample() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("analytics4j Parquet import")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    Path dir = Files.createTempDirectory("analytics4j-parquet-example");
    try (TestCollector collector = new TestCollector()) {
      run(spark, dir, collector.endpoint());
      System.out.println("collector received " + collector.messages().size() + " messages");
      System.out.println("job summary: " + Files.readString(SparkTests.list(dir.resolve("rejects"), "summary-").get(0)));
    } finally {
      spark.stop();
    }
  }

  /** Writes the Parquet file under {@code dir}, imports it, and returns the job summary. */
  static Map<String, Object> run(SparkSession spark, Path dir, String endpoint) throws Exception {
    String parquet = dir.resolve("orders.parquet").toString();
    spark.range(0, 10_000, 1, 4).selectExpr(
        "CAST(id AS STRING) AS order_id",
        "concat('user-', CAST(id % 250 AS STRING)) AS customer",
        "timestamp_seconds(1700000000 + id * 60) AS ordered_at",
        "CAST(id % 97 AS DECIMAL(10,2)) + 0.99 AS total")
        .write().parquet(parquet);

    Path rejects = dir.resolve("rejects");
    spark.read().parquet(parquet)
        .selectExpr(
            "'track' AS type",
            "customer AS userId",
            "'Order Completed' AS event",
            "ordered_at AS timestamp",
            "named_struct('orderId', order_id, 'total', total) AS properties",
            "order_id")
        .write().format("analytics4j")
        .option("writeKey", "example-write-key")
        .option("endpoint", endpoint)
        .option("keyColumns", "order_id")
        .option("rejectsPath", rejects.toString())
        .mode("append")
        .save();
    return SparkTests.summary(rejects);
  }
}
