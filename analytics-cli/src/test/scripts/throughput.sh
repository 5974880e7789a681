#!/bin/bash
# Lines per second of the importer to a local collector that only counts, on this machine.
# Not part of mvn verify. Build the jar first:
#   mvn -B -q -o -DskipTests package -pl analytics-cli -am
# then: analytics-cli/src/test/scripts/throughput.sh [importer options...]
# e.g.  analytics-cli/src/test/scripts/throughput.sh --batch-size 1000
# IMPORTER_JAVA_OPTS adds JVM options to the importer, e.g. a profile:
#   IMPORTER_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/imp/import.jfr,settings=profile
# Uses /tmp/imp/events.ndjson (300,000 mixed lines, made by make-events.py if absent) and port 18733.
set -eu
TIMEFORMAT='importer: %R s wall, %U s user, %S s sys'
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
jar=$(ls "$root"/analytics-cli/target/analytics-cli-*-all.jar | head -1)
input=${INPUT:-/tmp/imp/events.ndjson}
port=${PORT:-18733}
mkdir -p "$(dirname "$input")"
[ -f "$input" ] || python3 "$here/make-events.py" "$input"
java -Xmx256m "$here/CountingCollector.java" "$port" > "$(dirname "$input")/collector.out" 2>&1 &
collector=$!
trap 'kill $collector 2>/dev/null' EXIT
until curl -fs "http://127.0.0.1:$port/counts" >/dev/null 2>&1; do sleep 0.2; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$(dirname "$input")/throughput-rejects.txt"
# Wall time on a shared machine depends on what else runs; the importer's CPU time per line does
# much less, so both are printed (bash's time: real, user, sys of the importer's JVM).
export ANALYTICS_WRITE_KEY=sample
time java ${IMPORTER_JAVA_OPTS:-} -jar "$jar" import --endpoint "http://127.0.0.1:$port" \
  --rejects "$(dirname "$input")/throughput-rejects.txt" "$@" "$input" || true
echo "collector: $(curl -fs "http://127.0.0.1:$port/counts")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
