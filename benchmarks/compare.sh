#!/usr/bin/env bash
# Compares two builds of analytics-core in one sitting, runs alternating, and prints each run and
# the medians: what a change to the library's speed is judged by, since on a shared 2-core machine
# the spread between runs of one build is as large as most changes.
#
#   benchmarks/compare.sh MODE BEFORE [AFTER] [ROUNDS]
#
# BEFORE and AFTER are git revisions; AFTER defaults to the working tree as it is. ROUNDS defaults
# to 4. MODE is one of:
#   cold          analytics4j's default loopback run alone, in a JVM under a second old
#                 (LoopbackBenchmark . own): msgs/s, enqueue p50 and p99
#   steady        the same after a 10 s warm-up (-Dwarmup.seconds=10)
#   jmh:REGEX     the JMH benchmarks matching REGEX, 2 forks per run (-wi 4 -i 5 -prof gc): ns/op, B/op
# The benchmark modules are built from the working tree; only analytics-core differs between runs.
set -euo pipefail
shopt -s inherit_errexit # a failed build inside $(...) stops the script too
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:?usage: compare.sh cold|steady|jmh:REGEX BEFORE [AFTER] [ROUNDS]}"
before="${2:?usage: compare.sh MODE BEFORE [AFTER] [ROUNDS]}"
after="${3:-}"
rounds="${4:-4}"
case "$mode" in cold|steady|jmh:?*) ;; *) echo "compare.sh: unknown mode '$mode' (cold, steady or jmh:REGEX)" >&2; exit 2 ;; esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: ROUNDS must be a positive number, not '$rounds'" >&2; exit 2; }

for rev in "$before" ${after:+"$after"}; do
  git -C "$root" rev-parse --quiet --verify "$rev^{commit}" > /dev/null \
    || { echo "compare.sh: '$rev' is not a commit of this repository" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/analytics4j-compare.XXXXXX")"
trap 'git -C "$root" worktree prune; rm -rf "$work"' EXIT

core_jar() { # the analytics-core jar in target directory $1
  find "$1" -maxdepth 1 -name 'analytics-core-*.jar' ! -name '*-tests.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' | head -1
}

build_core() { # revision (or empty for the working tree) -> prints the path of its jar
  local rev="$1" name="$2" dir jar
  if [[ -z "$rev" ]]; then
    dir="$root"
  else
    dir="$work/src-$name"
    git -C "$root" worktree add --detach -q "$dir" "$rev" >&2
  fi
  (cd "$dir" && mvn -B -q -DskipTests -Dinvoker.skip=true package -pl analytics-core -am >&2)
  jar="$(core_jar "$dir/analytics-core/target")"
  [[ -n "$jar" ]] || { echo "compare.sh: no analytics-core jar built for ${rev:-the working tree}" >&2; exit 1; }
  cp "$jar" "$work/core-$name.jar"
  if [[ -n "$rev" ]]; then git -C "$root" worktree remove --force "$dir" >&2; fi
  echo "$work/core-$name.jar"
}

echo "== building analytics-core at $before and at ${after:-the working tree}, and the benchmark modules"
before_jar="$(build_core "$before" before)"
after_jar="$(build_core "$after" after)"
(cd "$root" && mvn -B -q -DskipTests package -pl benchmarks/analytics4j,benchmarks/analytics-java,benchmarks/posthog -am)
cd "$root/benchmarks"

results="$work/results.tsv" # side, then the figures of one run
run_once() { # side jar
  local side="$1" jar="$2" row
  if [[ "$mode" == jmh:* ]]; then
    local cp csv="$work/jmh.csv"
    cp="$(java -cp harness/target/classes dev.analytics4j.benchmarks.CoreJar analytics4j/target/runtime-classpath.txt "$jar")"
    java -cp "analytics4j/target/classes:$cp" org.openjdk.jmh.Main -prof gc -f 2 -wi 4 -i 5 \
      -rf csv -rff "$csv" "${mode#jmh:}" > "$work/jmh.log" 2>&1 || { cat "$work/jmh.log" >&2; exit 1; }
    [[ -s "$csv" ]] || { tail -5 "$work/jmh.log" >&2; echo "compare.sh: JMH ran no benchmark matching '${mode#jmh:}'" >&2; exit 1; }
    # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
    # A secondary result is named "pkg.Class.method:gc.alloc.rate.norm"; only that one is kept.
    awk -F, -v side="$side" 'NR > 1 {
        gsub(/"/, "", $1); split($1, named, ":"); n = split(named[1], parts, "."); name = parts[n]
        if (named[2] == "") printf "%s\t%s\tns/op\t%.0f\n", side, name, $5
        else if (named[2] == "gc.alloc.rate.norm") printf "%s\t%s\tB/op\t%.0f\n", side, name, $5
      }' "$csv" | tee -a "$results"
  else
    local opts=(-Dsun.net.httpserver.nodelay=true "-Drunner.core=$jar")
    [[ "$mode" == steady ]] && opts+=(-Dwarmup.seconds=10)
    row="$(java "${opts[@]}" -cp harness/target/classes dev.analytics4j.benchmarks.LoopbackBenchmark . own 2>&1 \
      | grep -E '^\| analytics4j \| default' || true)"
    [[ -n "$row" ]] || { echo "compare.sh: the $side run printed no result" >&2; exit 1; }
    # | client | settings | messages | msgs/s | enqueue p50 / p99 / p99.9 / max (us) | ...
    echo "$row" | awk -F'|' -v side="$side" '{
        msgs = $5; gsub(/[ ,]/, "", msgs); split($6, lat, "/"); gsub(/ /, "", lat[1]); gsub(/ /, "", lat[2])
        printf "%s\tmsgs/s\t%s\n%s\tp50 us\t%s\n%s\tp99 us\t%s\n", side, msgs, side, lat[1], side, lat[2]
      }' | tee -a "$results"
  fi
}

echo "== $mode, $rounds rounds, before and after alternating (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq 1 "$rounds"); do
  run_once before "$before_jar"
  run_once after "$after_jar"
done

echo "== medians of $rounds runs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
# A run's figures are keyed by everything before the value: side, [benchmark,] measure.
awk -F'\t' '{ key = $2; for (i = 3; i < NF; i++) key = key " " $i; values[key, $1] = values[key, $1] " " $NF; keys[key] = 1 }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function show(x) { return x == int(x) ? sprintf("%d", x) : sprintf("%.2f", x) }
  END { printf "%-40s %12s %12s\n", "", "before", "after"
        for (key in keys) printf "%-40s %12s %12s\n", key, show(median(values[key, "before"])), show(median(values[key, "after"])) }' \
  "$results" | sort
