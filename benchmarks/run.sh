#!/usr/bin/env bash
# Builds the benchmark modules and runs every benchmark: the JMH caller-cost microbenchmarks, then
# the loopback runs of analytics4j, analytics-java 3.5.4 and posthog-server 2.3.3, each client in a
# JVM of its own. About 10 minutes on 2 cores. `benchmarks/run.sh quick` runs the loopback part at a
# tenth of the size and skips JMH, to check that everything still works. `benchmarks/run.sh
# throughput` runs only the throughput runs of the three clients (about 100 s, with the collector's warm-up of about 15 s), to repeat for a median;
# `benchmarks/run.sh steady` the same after a 10 s warm-up per client (about 2.5 min). `benchmarks/run.sh spool` runs only the
# durable-delivery runs (memory mode beside the spool per sync policy, and an outage with a spool),
# then build() on a spool left with a 500,000-message backlog.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package -pl benchmarks/analytics4j,benchmarks/analytics-java,benchmarks/posthog -am
cd benchmarks

if [[ "${1:-}" != quick && "${1:-}" != spool && "${1:-}" != throughput && "${1:-}" != steady ]]; then
  echo "== JMH: caller-thread cost (1 fork, 3 x 1 s warm-up, 3 x 1 s measured; -prof gc)"
  java -cp "analytics4j/target/classes:$(cat analytics4j/target/runtime-classpath.txt)" \
    org.openjdk.jmh.Main -prof gc CallerCostBenchmark
fi

if [[ "${1:-}" == steady ]]; then
  # The throughput runs after a 10 s warm-up for every client: the steady state of a JVM whose JIT
  # has finished, as a long-running service sees it (the default runs start measuring under 1 s in).
  java -Dsun.net.httpserver.nodelay=true -Dwarmup.seconds=10 -cp harness/target/classes \
    dev.analytics4j.benchmarks.LoopbackBenchmark . throughput
  exit 0
fi

java -Dsun.net.httpserver.nodelay=true -cp harness/target/classes \
  dev.analytics4j.benchmarks.LoopbackBenchmark . "${1:-}"

if [[ "${1:-}" == spool ]]; then
  echo "== build() on a spool left with a 500,000-message backlog"
  java -Xmx2g -cp "analytics4j/target/classes:$(cat analytics4j/target/runtime-classpath.txt)" \
    dev.analytics4j.benchmarks.own.SpoolRecoveryBenchmark 500000 2>/dev/null
fi
