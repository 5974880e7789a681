package dev.analytics4j.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the driver asks a runner JVM to do, passed as {@code key=value} arguments so that both
 * runners read the same settings the same way.
 */
public final class RunSpec {
  /** The client's settings: {@code default}, {@code gzip}, {@code tuned} or {@code outage}. */
  public final String settings;
  public final String url;
  public final int producers;
  public final int perProducer;
  public final int warmupPerProducer;
  /**
   * With more than 0, the warm-up is repeated (each round delivered before the next) until this
   * long has passed: the same time for every client's JIT, whatever its speed.
   */
  public final int warmupSeconds;
  /** Messages per second for all producers together; 0 for as fast as they can. */
  public final double rate;
  /** For the outage run: when the collector starts failing and for how long, from the measured start. */
  public final long outageStartMillis;
  public final long outageMillis;

  private RunSpec(Map<String, String> args) {
    this.settings = required(args, "settings");
    this.url = required(args, "url");
    this.producers = Integer.parseInt(required(args, "producers"));
    this.perProducer = Integer.parseInt(required(args, "perProducer"));
    this.warmupPerProducer = Integer.parseInt(args.getOrDefault("warmupPerProducer", "0"));
    this.warmupSeconds = Integer.parseInt(args.getOrDefault("warmupSeconds", "0"));
    this.rate = Double.parseDouble(args.getOrDefault("rate", "0"));
    this.outageStartMillis = Long.parseLong(args.getOrDefault("outageStartMillis", "0"));
    this.outageMillis = Long.parseLong(args.getOrDefault("outageMillis", "0"));
  }

  RunSpec(String settings, String url, int producers, int perProducer, int warmupPerProducer, double rate,
      long outageStartMillis, long outageMillis) {
    this(settings, url, producers, perProducer, warmupPerProducer, 0, rate, outageStartMillis, outageMillis);
  }

  RunSpec(String settings, String url, int producers, int perProducer, int warmupPerProducer, int warmupSeconds,
      double rate, long outageStartMillis, long outageMillis) {
    this.warmupSeconds = warmupSeconds;
    this.settings = settings;
    this.url = url;
    this.producers = producers;
    this.perProducer = perProducer;
    this.warmupPerProducer = warmupPerProducer;
    this.rate = rate;
    this.outageStartMillis = outageStartMillis;
    this.outageMillis = outageMillis;
  }

  public static RunSpec parse(String[] args) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("expected key=value: " + arg);
      parsed.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return new RunSpec(parsed);
  }

  List<String> toArgs() {
    List<String> args = new ArrayList<>();
    args.add("settings=" + settings);
    args.add("url=" + url);
    args.add("producers=" + producers);
    args.add("perProducer=" + perProducer);
    args.add("warmupPerProducer=" + warmupPerProducer);
    args.add("warmupSeconds=" + warmupSeconds);
    args.add("rate=" + rate);
    args.add("outageStartMillis=" + outageStartMillis);
    args.add("outageMillis=" + outageMillis);
    return args;
  }

  public long messages() {
    return (long) producers * perProducer;
  }

  /** The messages of one warm-up round; see {@link Producers#warmUp} for how many rounds. */
  public long warmupMessages() {
    return (long) producers * warmupPerProducer;
  }

  private static String required(Map<String, String> args, String key) {
    String value = args.get(key);
    if (value == null) throw new IllegalArgumentException("missing argument " + key + "=...");
    return value;
  }
}
