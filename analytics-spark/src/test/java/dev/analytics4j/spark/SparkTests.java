package dev.analytics4j.spark;

import com.squareup.moshi.Moshi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;

/** What the Spark test classes share: a local session bound to 127.0.0.1, and the job's output files. */
final class SparkTests {
  private SparkTests() {}

  /**
   * {@code local[2,4]}: two task slots, and up to four attempts per task, so a failed attempt is
   * retried (plain {@code local[2]} never retries).
   */
  static SparkSession session() {
    return SparkSession.builder()
        .master("local[2,4]")
        .appName("analytics4j-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate();
  }

  /**
   * Task attempts started and ended, as the scheduler reports them. A job fails as soon as one task
   * has failed its last attempt, while its other tasks may still run (and deliver: nothing interrupts
   * a commit); a test that fails a job waits here so that none of its tasks outlives it.
   */
  static final class Tasks extends SparkListener {
    private int running;
    private int succeeded;
    private int jobsEnded;

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart event) {
      running++;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
      running--;
      if (event.taskInfo().successful()) succeeded++;
      notifyAll();
    }

    synchronized int succeeded() {
      return succeeded;
    }

    /** Waits until more than {@code before} task attempts have succeeded; false after {@code seconds}. */
    synchronized boolean awaitSucceeded(int before, long seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (succeeded <= before) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd event) {
      jobsEnded++;
      notifyAll();
    }

    synchronized int jobsEnded() {
      return jobsEnded;
    }

    /**
     * Waits until a job has ended since {@code jobsEndedBefore} and then every task attempt has
     * ended: the listener bus delivers in order, so the job's task starts are counted by then.
     */
    synchronized void awaitAllEnded(int jobsEndedBefore) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (jobsEnded <= jobsEndedBefore || running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("tasks still running 2 minutes after their job: " + running
              + ", jobs ended " + jobsEnded);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> summary(Path rejectsDir) throws IOException {
    List<Path> files = list(rejectsDir, "summary-");
    if (files.size() != 1) throw new AssertionError("expected one summary in " + rejectsDir + ": " + files);
    return (Map<String, Object>) new Moshi.Builder().build().adapter(Object.class)
        .fromJson(Files.readString(files.get(0)));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rejects(Path rejectsDir) throws IOException {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (Path file : list(rejectsDir, "rejects-")) {
      for (String line : Files.readAllLines(file)) {
        lines.add((Map<String, Object>) new Moshi.Builder().build().adapter(Object.class).fromJson(line));
      }
    }
    return lines;
  }

  static List<Path> list(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().collect(Collectors.toList());
    }
  }

  static long number(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (!(value instanceof Number)) throw new AssertionError(key + " is not a number in " + map);
    return ((Number) value).longValue();
  }
}
