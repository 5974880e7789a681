package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole jobs in local mode against a collector on 127.0.0.1; one session for the class. */
class AnalyticsSourceTest {
  private static SparkSession spark;
  private static final SparkTests.Tasks tasks = new SparkTests.Tasks();
  /**
   * A new collector, on a new port, for each test: a request still in flight when a test ends (a
   * task that outlived its failed job, say) can never be counted by the next test.
   */
  private static TestCollector collector;

  @TempDir Path rejectsDir;

  @BeforeAll
  static void start() {
    spark = SparkTests.session();
    spark.sparkContext().addSparkListener(tasks);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.sparkContext().removeSparkListener(tasks);
      spark.stop();
    }
  }

  @BeforeEach
  void startCollector() throws Exception {
    collector = new TestCollector();
  }

  @AfterEach
  void closeCollector() throws Exception {
    collector.close();
  }

  /** {@code n} track rows over {@code partitions}, each with properties.orderId = its id. */
  private static Dataset<Row> orders(long n, int partitions) {
    return spark.range(0, n, 1, partitions).selectExpr(
        "'track' AS type",
        "concat('user-', CAST(id % 1000 AS STRING)) AS userId",
        "'Order Completed' AS event",
        "timestamp_seconds(1700000000 + id) AS timestamp",
        "named_struct('orderId', id, 'revenue', CAST(id AS DOUBLE) / 100, 'currency', 'EUR') AS properties");
  }

  private void write(Dataset<Row> rows, String... options) {
    var writer = rows.write().format("analytics4j")
        .option("writeKey", "test-key")
        .option("endpoint", collector.endpoint())
        .option("rejectsPath", rejectsDir.toString())
        .mode("append");
    for (int i = 0; i < options.length; i += 2) writer = writer.option(options[i], options[i + 1]);
    writer.save();
  }

  /** orderId to the messageIds it arrived with. */
  private static Map<Long, Set<String>> idsByOrder(List<Map<String, Object>> messages) {
    Map<Long, Set<String>> ids = new HashMap<>();
    for (Map<String, Object> message : messages) {
      @SuppressWarnings("unchecked")
      Map<String, Object> properties = (Map<String, Object>) message.get("properties");
      long orderId = ((Number) properties.get("orderId")).longValue();
      ids.computeIfAbsent(orderId, k -> new HashSet<>()).add((String) message.get("messageId"));
    }
    return ids;
  }

  @Test
  void sendsHundredThousandRowsOverEightPartitionsEachOnce() throws Exception {
    long start = System.nanoTime();
    write(orders(100_000, 8));
    double seconds = (System.nanoTime() - start) / 1e9;

    List<Map<String, Object>> messages = collector.messages();
    assertEquals(100_000, messages.size());
    Map<Long, Set<String>> ids = idsByOrder(messages);
    assertEquals(100_000, ids.size());
    Set<String> distinct = new HashSet<>();
    ids.values().forEach(distinct::addAll);
    assertEquals(100_000, distinct.size());
    Map<String, Object> first = messages.stream()
        .filter(m -> ((Number) ((Map<?, ?>) m.get("properties")).get("orderId")).longValue() == 1234)
        .findFirst().orElseThrow();
    assertEquals("track", first.get("type"));
    assertEquals("user-234", first.get("userId"));
    assertEquals("Order Completed", first.get("event"));
    assertEquals("2023-11-14T22:33:54.000Z", first.get("timestamp"));
    assertEquals(Map.of("orderId", 1234.0, "revenue", 12.34, "currency", "EUR"), first.get("properties"));

    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(8, SparkTests.number(summary, "committedTasks"));
    assertEquals(100_000, SparkTests.number(summary, "rows"));
    assertEquals(100_000, SparkTests.number(summary, "delivered"));
    assertEquals(0, SparkTests.number(summary, "rejected") + SparkTests.number(summary, "failed")
        + SparkTests.number(summary, "dropped"));
    assertEquals(List.of(), SparkTests.list(rejectsDir, "rejects-"));
    assertEquals(List.of(), SparkTests.list(rejectsDir, "_temporary"));
    System.out.printf("FIGURE 100,000 rows, 8 partitions, local[2]: %.1f s, %.0f rows/s, %.0f rows/s per core%n",
        seconds, 100_000 / seconds, 100_000 / seconds / 2);
  }

  @Test
  void theParquetExampleImportsEveryRowOnce() throws Exception {
    Map<String, Object> summary = ParquetImportExample.run(spark, rejectsDir, collector.endpoint());
    assertEquals(10_000, SparkTests.number(summary, "delivered"));
    assertEquals(10_000, SparkTests.number(summary, "rows"));
    List<Map<String, Object>> messages = collector.messages();
    assertEquals(10_000, messages.size());
    Set<Object> orders = new HashSet<>();
    for (Map<String, Object> m : messages) orders.add(((Map<?, ?>) m.get("properties")).get("orderId"));
    assertEquals(10_000, orders.size());
  }

  @Test
  void aReRunSendsTheSameIds() throws Exception {
    write(orders(2_000, 3));
    Map<Long, Set<String>> first = idsByOrder(collector.messages());
    collector.clear();
    write(orders(2_000, 5));
    assertEquals(first, idsByOrder(collector.messages()));
    assertEquals(2_000, first.size());
  }

  /**
   * Two rows that differ only in the order of their MAP's entries (as two runs of a
   * map_from_entries(collect_list(...)) after a shuffle can) are one event: one messageId, counted
   * as a repeat; a third row with another value in its map is another event.
   */
  @Test
  void aMapsEntryOrderDoesNotChangeTheId() throws Exception {
    write(spark.range(0, 3, 1, 1).selectExpr(
        "'track' AS type",
        "'u1' AS userId",
        "'Cart Viewed' AS event",
        "named_struct('cart', CASE id WHEN 0 THEN map('sku-1', 2, 'sku-10', 1) WHEN 1 THEN map('sku-10', 1, "
            + "'sku-1', 2) ELSE map('sku-1', 2, 'sku-10', 3) END) AS properties"));

    List<Map<String, Object>> messages = collector.messages();
    assertEquals(3, messages.size());
    // Maps compare regardless of order: the first two rows' carts are one key here.
    Map<Object, Set<Object>> idsByCart = new HashMap<>();
    for (Map<String, Object> message : messages) {
      idsByCart.computeIfAbsent(((Map<?, ?>) message.get("properties")).get("cart"), k -> new HashSet<>())
          .add(message.get("messageId"));
    }
    assertEquals(Map.of(Map.of("sku-1", 2.0, "sku-10", 1.0), 1, Map.of("sku-1", 2.0, "sku-10", 3.0), 1),
        counts(idsByCart));
    Set<Object> distinct = new HashSet<>();
    idsByCart.values().forEach(distinct::addAll);
    assertEquals(2, distinct.size());
    assertEquals(1, SparkTests.number(SparkTests.summary(rejectsDir), "duplicateIds"));
  }

  private static Map<Object, Integer> counts(Map<Object, Set<Object>> idsByKey) {
    Map<Object, Integer> counts = new HashMap<>();
    idsByKey.forEach((key, ids) -> counts.put(key, ids.size()));
    return counts;
  }

  /** Fails the first attempt of partition 2 halfway through; Spark runs a second attempt. */
  private static final UDF1<Long, Long> FAIL_FIRST_ATTEMPT_OF_PARTITION_2 = id -> {
    TaskContext task = TaskContext.get();
    if (task.partitionId() == 2 && task.attemptNumber() == 0 && id == 12_500L) {
      throw new IllegalStateException("injected failure of the first attempt of partition 2");
    }
    return id;
  };

  @Test
  void aFailedTaskIsRetriedWithTheSameIdsAndNothingLost() throws Exception {
    UserDefinedFunction failOnce =
        functions.udf(FAIL_FIRST_ATTEMPT_OF_PARTITION_2, DataTypes.LongType).asNondeterministic();
    // Rows 7, 1007, 2007... have no event: 20 rejects, 3 of them in partition 2 before its failure.
    Dataset<Row> rows = orders(20_000, 4)
        .withColumn("properties", functions.struct(
            failOnce.apply(functions.col("properties.orderId")).as("orderId"),
            functions.col("properties.revenue").as("revenue")))
        .withColumn("event", functions.expr("IF(properties.orderId % 1000 = 7, NULL, event)"));
    write(rows, "flushAt", "100");

    List<Map<String, Object>> messages = collector.messages();
    Map<Long, Set<String>> ids = idsByOrder(messages);
    assertEquals(19_980, ids.size(), "every good row arrived");
    for (Map.Entry<Long, Set<String>> e : ids.entrySet()) {
      assertEquals(1, e.getValue().size(), "order " + e.getKey() + " arrived with more than one id: " + e.getValue());
    }
    long duplicates = messages.size() - 19_980;
    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(4, SparkTests.number(summary, "committedTasks"));
    assertEquals(20_000, SparkTests.number(summary, "rows"), "the failed attempt's rows are not counted");
    assertEquals(19_980, SparkTests.number(summary, "delivered"));
    assertEquals(20, SparkTests.number(summary, "rejected"));
    List<Map<String, Object>> rejects = SparkTests.rejects(rejectsDir);
    assertEquals(20, rejects.size(), "only the committed attempt's rejects are published");
    Set<Object> rejectedOrders = new HashSet<>();
    for (Map<String, Object> reject : rejects) rejectedOrders.add(((Map<?, ?>) ((Map<?, ?>) reject.get("row")).get("properties")).get("orderId"));
    assertEquals(20, rejectedOrders.size());
    assertEquals(List.of(), SparkTests.list(rejectsDir, "_temporary"), "the failed attempt's file is gone");
    System.out.printf("FIGURE retried task: rows=19980 sent, received=%d, distinct ids=%d, duplicates=%d%n",
        messages.size(), ids.size(), duplicates);
  }

  /** What partition 1 waits for before it fails; true when it happened. */
  private interface Signal {
    boolean await() throws InterruptedException;
  }

  /** Set by the test before its job: when partition 1 fails, relative to partition 0. */
  private static volatile Signal partition1FailsAfter;

  /** Fails every attempt of partition 1 at its first row, so the job aborts, once {@link #partition1FailsAfter}. */
  private static final UDF1<Long, Long> ALWAYS_FAIL_PARTITION_1 = id -> {
    if (TaskContext.get().partitionId() == 1) {
      if (!partition1FailsAfter.await()) throw new AssertionError("partition 0 never got that far");
      throw new IllegalStateException("injected failure of partition 1");
    }
    return id;
  };

  /**
   * 1,000 rows in 2 partitions; partition 1 fails every attempt; row 3 (partition 0) has no event,
   * so partition 0 sends 499 orders and rejects one. Returns the job's failure.
   */
  private Exception writeAJobWhosePartition1Fails(String... options) {
    UserDefinedFunction fail = functions.udf(ALWAYS_FAIL_PARTITION_1, DataTypes.LongType).asNondeterministic();
    Dataset<Row> rows = orders(1_000, 2)
        .withColumn("properties", functions.struct(
            fail.apply(functions.col("properties.orderId")).as("orderId")))
        .withColumn("event", functions.expr("IF(properties.orderId = 3, NULL, event)"));
    Exception failure = assertThrows(Exception.class, () -> write(rows, options));
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) chain.append(t).append('\n');
    assertTrue(chain.toString().contains("injected failure of partition 1"), chain.toString());
    return failure;
  }

  /** The 499 orders partition 0 sends, each with one id. */
  private static void assertPartition0Delivered(List<Map<String, Object>> messages) {
    assertEquals(499, messages.size());
    Map<Long, Set<String>> ids = idsByOrder(messages);
    assertEquals(499, ids.size());
    for (long order = 0; order < 500; order++) {
      if (order != 3) assertEquals(1, ids.get(order).size(), "order " + order);
    }
  }

  @Test
  void anAbortedJobStillSummarisesWhatItsCommittedTasksDid() throws Exception {
    int succeededBefore = tasks.succeeded();
    partition1FailsAfter = () -> tasks.awaitSucceeded(succeededBefore, 60);
    int jobsBefore = tasks.jobsEnded();
    writeAJobWhosePartition1Fails();
    tasks.awaitAllEnded(jobsBefore);

    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(Boolean.TRUE, summary.get("aborted"));
    assertEquals(1, SparkTests.number(summary, "committedTasks"), "partition 0 committed, 1 never does");
    assertEquals(500, SparkTests.number(summary, "rows"));
    assertEquals(499, SparkTests.number(summary, "delivered"));
    assertEquals(1, SparkTests.number(summary, "rejected"));
    assertEquals(1, SparkTests.rejects(rejectsDir).size(), "the committed task's reject is published");
    assertEquals(List.of(), SparkTests.list(rejectsDir, "_temporary"));
    assertPartition0Delivered(collector.messages());
  }

  /**
   * The job aborts while partition 0, already allowed to commit, is still delivering: nothing stops
   * that delivery (delivery is never rolled back), so the job's failure reaches the caller before
   * partition 0's messages reach the collector. The summary counts no task; the messages arrive
   * all the same, once each, and partition 0 keeps its reject itself (the driver keeps the
   * temporary directory it was in) and removes the directory. (Left to chance under load, this
   * once leaked partition 0's 499 messages into the next test's collector: aReRunSendsTheSameIds
   * saw 499 orders with a second id.)
   */
  @Test
  void aTaskStillDeliveringWhenItsJobAbortsDeliversEveryMessageOnce() throws Exception {
    collector.holdRequests();
    partition1FailsAfter = () -> collector.awaitHeldRequest(60);
    int jobsBefore = tasks.jobsEnded();
    // flushAt above the partition's 500 rows: partition 0 sends only in its commit.
    writeAJobWhosePartition1Fails("flushAt", "1000");
    assertEquals(List.of(), collector.messages(), "the job failed before partition 0 delivered");
    collector.releaseRequests();
    tasks.awaitAllEnded(jobsBefore);

    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(Boolean.TRUE, summary.get("aborted"));
    assertEquals(0, SparkTests.number(summary, "committedTasks"), "partition 0 committed after the job ended");
    assertEquals(0, SparkTests.number(summary, "rows"));
    List<Path> late = SparkTests.list(rejectsDir, "rejects-");
    assertEquals(1, late.size(), late.toString());
    String queryId = (String) summary.get("queryId");
    assertTrue(late.get(0).getFileName().toString().startsWith("rejects-" + queryId + "-late-part-00000-task-"),
        late.toString());
    List<Map<String, Object>> rejects = SparkTests.rejects(rejectsDir);
    assertEquals(1, rejects.size(), "partition 0's reject is kept: " + rejects);
    assertEquals(3.0, ((Map<?, ?>) ((Map<?, ?>) rejects.get(0).get("row")).get("properties")).get("orderId"));
    assertEquals(List.of(), SparkTests.list(rejectsDir, "_temporary"), "the late task removed it");
    assertPartition0Delivered(collector.messages());
  }

  @Test
  void waitsOutACollectorAnswering429ForAWhile() throws Exception {
    collector.answerTooManyRequests(3, 1);
    write(orders(2_000, 2));

    assertEquals(3, collector.refused());
    List<Map<String, Object>> messages = collector.messages();
    assertEquals(2_000, messages.size(), "a 429 is not an acceptance: nothing twice, nothing lost");
    assertEquals(2_000, idsByOrder(messages).size());
    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(2_000, SparkTests.number(summary, "delivered"));
    assertEquals(0, SparkTests.number(summary, "failed"));
  }

  @Test
  void recordsMessagesTheCollectorRefusedAsFailed() throws Exception {
    collector.refuse(1, 400);
    write(orders(300, 1), "flushAt", "100");

    Set<Object> refused = new HashSet<>();
    for (Map<String, Object> m : collector.refusedMessages()) refused.add(m.get("messageId"));
    List<Map<String, Object>> messages = collector.messages();
    assertTrue(!refused.isEmpty() && refused.size() <= 100, "one batch refused: " + refused.size());
    assertEquals(300 - refused.size(), messages.size());
    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(300, SparkTests.number(summary, "rows"));
    assertEquals(300 - refused.size(), SparkTests.number(summary, "delivered"));
    assertEquals(refused.size(), SparkTests.number(summary, "failed"));
    assertEquals(Map.of("failed: HTTP 400 is not retryable", (double) refused.size()), summary.get("reasons"));
    Set<Object> recorded = new HashSet<>();
    for (Map<String, Object> reject : SparkTests.rejects(rejectsDir)) {
      assertEquals("failed", reject.get("outcome"));
      assertEquals("HTTP 400 is not retryable", reject.get("reason"));
      Map<?, ?> message = (Map<?, ?>) reject.get("message");
      assertEquals("Order Completed", message.get("event"));
      recorded.add(message.get("messageId"));
    }
    assertEquals(refused, recorded, "each refused message is in the rejects file, once");
  }

  @Test
  void rejectsVariantValuesNamingTheColumn() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(spark.version().compareTo("4") >= 0, "VARIANT is new in Spark 4");
    write(spark.sql("SELECT 'track' AS type, 'u1' AS userId, 'E' AS event, "
        + "named_struct('v', parse_json('{\"a\": 1}')) AS properties"));
    assertEquals(List.of(), collector.messages());
    List<Map<String, Object>> rejects = SparkTests.rejects(rejectsDir);
    assertEquals(1, rejects.size());
    assertEquals("column 'properties.v' is a VARIANT, which is not sent: convert it with to_json() into a string "
        + "column", rejects.get(0).get("reason"));
  }

  @Test
  void keepsTheJobWithinItsRateBudget() throws Exception {
    long start = System.nanoTime();
    write(orders(2_000, 2), "rateLimit", "1000");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(2_000, collector.messages().size());
    // Two attempts at once share 1000/s: each task's 1000 rows take at least 999 / 500 s.
    assertTrue(seconds >= 1.99, "2,000 rows at 1,000/s took only " + seconds + " s");
  }

  @Test
  void failsModesOtherThanAppend() {
    Exception overwrite = assertThrows(Exception.class, () -> orders(10, 1).write().format("analytics4j")
        .option("writeKey", "test-key").option("endpoint", collector.endpoint()).mode("overwrite").save());
    assertTrue(String.valueOf(overwrite.getMessage()).contains("analytics4j only appends"), overwrite.toString());
    Exception errorIfExists = assertThrows(Exception.class, () -> orders(10, 1).write().format("analytics4j")
        .option("writeKey", "test-key").option("endpoint", collector.endpoint()).save());
    assertTrue(String.valueOf(errorIfExists.getMessage()).contains("ErrorIfExists"), errorIfExists.toString());
    assertEquals(0, collector.requests());
  }

  @Test
  void checksOptionsAndColumnsBeforeSendingAnything() {
    IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> orders(10, 1).write()
        .format("analytics4j").option("endpoint", collector.endpoint()).mode("append").save());
    assertEquals("option writeKey is required: the source's write key", noKey.getMessage());
    IllegalArgumentException noType = assertThrows(IllegalArgumentException.class, () -> orders(10, 1).drop("type")
        .write().format("analytics4j").option("writeKey", "k").option("endpoint", collector.endpoint())
        .mode("append").save());
    assertEquals("no column 'type' and no option type: say which message each row is (identify, track, page, "
        + "screen, group, alias)", noType.getMessage());
    IllegalArgumentException badTimestamp = assertThrows(IllegalArgumentException.class, () -> orders(10, 1)
        .withColumn("timestamp", functions.lit(17L)).write().format("analytics4j").option("writeKey", "k")
        .option("endpoint", collector.endpoint()).mode("append").save());
    assertEquals("column 'timestamp' must be a TIMESTAMP, TIMESTAMP_NTZ, DATE or an ISO-8601 STRING but is bigint",
        badTimestamp.getMessage());
    assertEquals(0, collector.requests());
  }

  @Test
  void aRejectsPathThatIsAFileFailsTheJobBeforeSendingAnything() throws Exception {
    Path file = Files.writeString(rejectsDir.resolve("rejects.jsonl"), "the user's own\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> orders(10, 1).write()
        .format("analytics4j").option("writeKey", "k").option("endpoint", collector.endpoint())
        .option("rejectsPath", file.toString()).mode("append").save());

    assertEquals("option rejectsPath must be a directory, but " + file + " is a file", e.getMessage());
    assertEquals(0, collector.requests());
    assertEquals("the user's own\n", Files.readString(file));
  }

  @Test
  void rejectsBadRowsNamingTheColumnAndSendsTheRest() throws Exception {
    Dataset<Row> rows = spark.sql("SELECT * FROM VALUES"
        + " ('track', 'u1', 'Good', '{\"a\": 1}', 0),"
        + " ('track', 'u2', NULL, '{}', 1),"
        + " ('click', 'u3', 'Bad type', '{}', 2),"
        + " ('track', NULL, 'No user', '{}', 3),"
        + " ('track', 'u5', 'Bad JSON', '{\"a\": ', 4),"
        + " ('identify', 'u6', NULL, NULL, 5)"
        + " AS t(type, userId, event, properties, n)");
    write(rows.drop("n"));

    List<Map<String, Object>> messages = collector.messages();
    assertEquals(2, messages.size());
    Map<String, Object> summary = SparkTests.summary(rejectsDir);
    assertEquals(6, SparkTests.number(summary, "rows"));
    assertEquals(2, SparkTests.number(summary, "delivered"));
    assertEquals(4, SparkTests.number(summary, "rejected"));
    assertEquals(Map.of(
        "rejected: column 'event' is null, and a track needs it", 1.0,
        "rejected: column 'type' is not one of identify, track, page, screen, group, alias", 1.0,
        "rejected: track is invalid: either userId or anonymousId must be set", 1.0,
        "rejected: column 'properties' holds malformed JSON", 1.0), summary.get("reasons"));
    List<Map<String, Object>> rejects = SparkTests.rejects(rejectsDir);
    assertEquals(4, rejects.size());
    Map<String, Object> badType = rejects.stream().filter(r -> ((Map<?, ?>) r.get("row")).get("userId").equals("u3"))
        .findFirst().orElseThrow();
    assertEquals("column 'type' is not one of identify, track, page, screen, group, alias: click", badType.get("reason"));
    assertEquals("rejected", badType.get("outcome"));
    assertEquals(Map.of("type", "click", "userId", "u3", "event", "Bad type", "properties", "{}"), badType.get("row"));
  }

  @Test
  void convertsOrRejectsTheTypesJsonCannotHoldAsConfigured() throws Exception {
    Dataset<Row> rows = spark.sql("SELECT 'track' AS type, 'u1' AS userId, 'Typed' AS event, named_struct("
        + "'exact', CAST(12.5 AS DECIMAL(10,2)), "
        + "'wide', CAST(n AS DECIMAL(38,18)) / 3, "
        + "'bytes', CAST('hi' AS BINARY), "
        + "'local', CAST(TIMESTAMP_NTZ'2024-05-01 10:00:00' AS TIMESTAMP_NTZ), "
        + "'day', DATE'2024-05-01') AS properties FROM VALUES (1) AS t(n)");
    write(rows);
    assertEquals(List.of(), collector.messages());
    List<Map<String, Object>> rejects = SparkTests.rejects(rejectsDir);
    assertEquals(1, rejects.size());
    assertTrue(((String) rejects.get(0).get("reason"))
        .startsWith("column 'properties.wide' holds a decimal a double cannot hold exactly: 0.333333"), rejects.toString());

    collector.clear();
    Path second = Files.createDirectory(rejectsDir.resolve("second"));
    rows.write().format("analytics4j").option("writeKey", "k").option("endpoint", collector.endpoint())
        .option("rejectsPath", second.toString()).option("decimals", "string").option("binary", "base64")
        .option("timestampNtzZone", "Europe/Paris").mode("append").save();
    List<Map<String, Object>> messages = collector.messages();
    assertEquals(1, messages.size());
    assertEquals(Map.of("exact", "12.50", "wide", "0.333333333333333333", "bytes", "aGk=",
        "local", "2024-05-01T08:00:00.000Z", "day", "2024-05-01"), messages.get(0).get("properties"));
  }
}
