#!/usr/bin/env bash
# Everything BENCHMARKS.md reports: build, the JMH suite on JDK 17 and 25 (~20 min each on 2 cores), then
# the start-up benchmark (~10 min). Results under bench/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mvn -q -B -DskipTests package
# One snapshot of the agent for every measurement, whatever is rebuilt meanwhile.
mkdir -p bench/results
cp agent/target/heapguard-agent.jar bench/results/heapguard-agent.jar
export HG_BENCH_AGENT="$ROOT/bench/results/heapguard-agent.jar"
status=0
bench/jmh.sh all || status=$?
bench/startup.sh || status=$?
echo "JMH:      bench/results/jmh-jdk17/results.md, bench/results/jmh-jdk25/results.md"
echo "start-up: bench/results/startup/summary.md"
exit $status
