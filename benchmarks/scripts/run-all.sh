#!/usr/bin/env bash
# Everything BENCHMARKS.md reports: build, the JMH suite on JDK 17 and 25 (~20 min each on 2 cores), then
# the start-up benchmark (~10 min). Results under benchmarks/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
mvn -q -B -DskipTests package
# One snapshot of the agent for every measurement, whatever is rebuilt meanwhile.
mkdir -p benchmarks/results
cp agent/target/heapguard-agent.jar benchmarks/results/heapguard-agent.jar
export HG_BENCH_AGENT="$ROOT/benchmarks/results/heapguard-agent.jar"
status=0
benchmarks/scripts/jmh.sh all || status=$?
benchmarks/scripts/startup.sh || status=$?
echo "JMH:      benchmarks/results/jmh-jdk17/results.md, benchmarks/results/jmh-jdk25/results.md"
echo "start-up: benchmarks/results/startup/summary.md"
exit $status
