#!/usr/bin/env bash
# Runs the test classes whose assertions involve wall-clock time N times (default 10), each time with
# two busy loops beside them, so that a bound that only holds on an idle machine shows up here
# rather than in someone's CI. Prints one line per run and a tally; exits non-zero if any run failed.
# About 2-3 minutes a run on 2 cores. Not part of `mvn -B verify`.
#
#   scripts/timing-stress.sh         # 10 runs
#   scripts/timing-stress.sh 3       # 3 runs
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
classes='AnalyticsCloseTest,AnalyticsFaultsTest,AnalyticsTest,SpoolTest,SpoolOperatorsTest,SpoolOutageTest,AnalyticsThreadsTest,AnalyticsWireTest,ReliabilityTest'
log_dir=$(mktemp -d)

busy=()
stop_busy() { for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_busy EXIT
for _ in 1 2; do
  bash -c 'while :; do :; done' &
  busy+=("$!")
done

failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if mvn -B -o test -pl analytics-core,analytics-okhttp -am -Dtest="$classes" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log_dir/run-$i.log" 2>&1; then
    outcome=passed
  else
    outcome=FAILED
    failed=$((failed + 1))
  fi
  tests=$(grep -h "Tests run:" "$log_dir/run-$i.log" | grep -v " in " | sed -E 's/.*Tests run: ([0-9]+).*/\1/' | awk '{s += $1} END {print s}')
  echo "run $i: $outcome, $tests tests, $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg) ($log_dir/run-$i.log)"
done
echo "$((runs - failed)) of $runs runs passed with two busy loops beside them"
[[ $failed -eq 0 ]]
