package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class WriterOptionsTest {
  private static String error(Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class, () -> WriterOptions.parse(options)).getMessage();
  }

  @Test
  void namesTheBadOption() {
    assertEquals("option writeKey is required: the source's write key", error(Map.of("writeKey", " ")));
    assertEquals("unknown analytics4j option 'ratelimt'; known options: binary, concurrenttasks, decimals, endpoint, "
        + "flushat, flushtimeout, gzip, keycolumns, maxpending, maxretries, path, ratelimit, region, rejectspath, "
        + "timestampntzzone, type, uploadurl, writekey", error(Map.of("writeKey", "k", "ratelimt", "10")));
    assertEquals("option rateLimit must be a positive number: -5", error(Map.of("writeKey", "k", "rateLimit", "-5")));
    assertEquals("option rateLimit must be a positive number: Infinity",
        error(Map.of("writeKey", "k", "rateLimit", "Infinity")));
    assertEquals("option flushAt must be in 1..2500: 3000", error(Map.of("writeKey", "k", "flushAt", "3000")));
    assertEquals("option type must be one of identify, track, page, screen, group, alias: click",
        error(Map.of("writeKey", "k", "type", "click")));
    assertEquals("option decimals must be one of [exact, string, double]: round",
        error(Map.of("writeKey", "k", "decimals", "round")));
    assertEquals("option timestampNtzZone is not a zone id: Mars/Olympus",
        error(Map.of("writeKey", "k", "timestampNtzZone", "Mars/Olympus")));
    assertEquals("option keyColumns has an empty name: id,,day", error(Map.of("writeKey", "k", "keyColumns", "id,,day")));
    assertEquals("set option endpoint or uploadUrl, not both",
        error(Map.of("writeKey", "k", "endpoint", "http://a", "uploadUrl", "http://b/v1/batch")));
  }

  @Test
  void acceptsAnyCaseAndNeverShowsTheWriteKey() {
    WriterOptions options = WriterOptions.parse(Map.of("WRITEKEY", "secret-key-123", "RateLimit", "1000",
        "KEYCOLUMNS", "eventId, day"));
    assertEquals(1000, options.rateLimit);
    assertEquals(java.util.List.of("eventId", "day"), options.keyColumns);
    assertFalse(options.toString().contains("secret-key-123"), options.toString());
  }

  @Test
  void checksTheUrlsOnTheDriverNamingTheOption() {
    // Else each task's client refused it, and Spark retried every task before failing the job.
    assertEquals("option endpoint must be an http or https URL: ftp://collector.example",
        error(Map.of("writeKey", "k", "endpoint", "ftp://collector.example")));
    assertEquals("option uploadUrl has no host: http:///v1/batch",
        error(Map.of("writeKey", "k", "uploadUrl", "http:///v1/batch")));
  }

  @Test
  void takesEveryMaxRetriesTheClientTakes() {
    // The client's builder takes 0..1000: 0 sends each request once, for a run that gives up fast.
    assertEquals(0, WriterOptions.parse(Map.of("writeKey", "k", "maxRetries", "0")).maxRetries);
    assertEquals(1000, WriterOptions.parse(Map.of("writeKey", "k", "maxRetries", "1000")).maxRetries);
    assertEquals("option maxRetries must be in 0..1000: -1", error(Map.of("writeKey", "k", "maxRetries", "-1")));
    assertEquals("option maxRetries must be in 0..1000: 1001", error(Map.of("writeKey", "k", "maxRetries", "1001")));
  }

  @Test
  void aWriteKeyPutInTheUrlIsNotShown() {
    // Collectors that take the key in the URL lead users to write it there; the driver logs toString.
    WriterOptions query = WriterOptions.parse(Map.of("writeKey", "secret-key-123",
        "uploadUrl", "https://collector.example/sdk/batch?writeKey=secret-key-123"));
    WriterOptions path = WriterOptions.parse(Map.of("writeKey", "secret/key+1",
        "endpoint", "https://collector.example/keys/secret%2Fkey%2B1"));

    assertEquals("WriterOptions{uploadUrl=https://collector.example/sdk/batch?[hidden], region=US, "
        + "keyColumns=[], rateLimit=none, decimals=EXACT, binary=REJECT, flushAt=250, maxRetries=10, "
        + "flushTimeout=PT10M, maxPending=10000, gzip=false}", query.toString());
    assertFalse(path.toString().contains("secret"), path.toString());
    assertEquals("https://collector.example/keys/secret%2Fkey%2B1", path.endpoint, "only the shown URL changes");
  }

  @Test
  void splitsTheBudgetOverTheAttemptsThatCanRunAtOnce() {
    SparkConf plain = new SparkConf(false);
    SparkConf speculative = new SparkConf(false).set("spark.speculation", "true");
    SparkConf twoCpusATask = new SparkConf(false).set("spark.task.cpus", "2");
    assertEquals(16, AnalyticsBatchWrite.concurrentAttempts(0, 16, plain, 200), "the cluster's slots");
    assertEquals(3, AnalyticsBatchWrite.concurrentAttempts(0, 16, plain, 3), "fewer partitions than slots");
    assertEquals(6, AnalyticsBatchWrite.concurrentAttempts(0, 16, speculative, 3), "a speculative copy of each");
    assertEquals(16, AnalyticsBatchWrite.concurrentAttempts(0, 16, speculative, 200), "copies take slots too");
    assertEquals(8, AnalyticsBatchWrite.concurrentAttempts(0, 16, twoCpusATask, 200));
    assertEquals(40, AnalyticsBatchWrite.concurrentAttempts(40, 16, plain, 200), "the option wins");
    assertEquals(1, AnalyticsBatchWrite.concurrentAttempts(0, 16, plain, 0));
  }
}
