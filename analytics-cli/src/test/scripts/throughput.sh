#!/bin/bash
# Lines per second of the importer to a local collector that only counts, on this machine.
# Not part of mvn verify. Build the jar first:
#   mvn -B -q -o -DskipTests package -pl analytics-cli -am
# then: analytics-cli/src/test/scripts/throughput.sh [importer options...]
# e.g.  analytics-cli/src/test/scripts/throughput.sh --batch-size 1000
# Settings (environment):
#   LINES=1200000      how many mixed lines (make-events.py); default 300,000. The file is
#                      /tmp/imp/events-LINES.ndjson unless INPUT names another, made if absent.
#   DELAY_MS=40        the collector holds each answer back that long (a distant collector).
#   PORT=18733         the collector's port on 127.0.0.1.
#   JAR=...            another build of the importer (e.g. main's, to compare)
#   IMPORTER_JAVA_OPTS JVM options for the importer, e.g. a profile:
#                      -XX:StartFlightRecording=filename=/tmp/imp/import.jfr,settings=profile
set -eu
TIMEFORMAT='importer: %R s wall, %U s user, %S s sys'
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
jar=${JAR:-$(ls "$root"/analytics-cli/target/analytics-cli-*-all.jar | head -1)}
lines=${LINES:-300000}
input=${INPUT:-/tmp/imp/events-$lines.ndjson}
port=${PORT:-18733}
dir=$(dirname "$input")
mkdir -p "$dir"
[ -f "$input" ] || python3 "$here/make-events.py" "$input" "$lines"
java -Xmx256m "$here/CountingCollector.java" "$port" "${DELAY_MS:-0}" > "$dir/collector.out" 2>&1 &
collector=$!
trap 'kill $collector 2>/dev/null' EXIT
until curl -fs "http://127.0.0.1:$port/counts" >/dev/null 2>&1; do sleep 0.2; done
echo "input: $input ($(wc -l < "$input") lines), collector answers after ${DELAY_MS:-0} ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$dir/throughput-rejects.txt"
# Wall time on a shared machine depends on what else runs; the importer's CPU time per line does
# much less, so both are printed (bash's time: real, user, sys of the importer's JVM).
export ANALYTICS_WRITE_KEY=sample
time java ${IMPORTER_JAVA_OPTS:-} -jar "$jar" import --endpoint "http://127.0.0.1:$port" \
  --rejects "$dir/throughput-rejects.txt" "$@" "$input" || true
echo "collector: $(curl -fs "http://127.0.0.1:$port/counts")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
