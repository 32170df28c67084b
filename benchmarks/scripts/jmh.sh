#!/usr/bin/env bash
# JMH suite, each benchmark bare and with heapguard's agent, on one or both JDKs.
#   benchmarks/scripts/jmh.sh [17|25|all] [CompareRunner options...]     (default: all)
# Settings (override by passing the options again): 4 rounds; in each round one fork per mode (bare,
# agent, ...) back to back, so each agent fork is compared with the bare fork that ran next to it;
# 3 x 1 s warm-up, 4 x 1 s measurement; forks under nice -n -10 when run as root; before each fork,
# wait (at most 60 s) until other work on the machine uses less than 1.1 cores.
# Results: benchmarks/results/jmh-jdk<N>/results.{md,csv,json} and jmh.log. About 30 min per JDK on 2 cores.
# Build first: mvn -q -DskipTests package (from the repository root).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
which="all"
case "${1:-}" in 17|25|all) which="$1"; shift ;; esac

BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
# HG_BENCH_AGENT: an agent jar to measure instead of the one built (not HEAPGUARD_*: the agent reads
# those environment variables as its configuration).
AGENT="${HG_BENCH_AGENT:-$ROOT/agent/target/heapguard-agent.jar}"
for f in "$BENCH_JAR" "$AGENT"; do
  [ -f "$f" ] || { echo "missing $f: run 'mvn -q -DskipTests package' in $ROOT" >&2; exit 2; }
done
NICE=()
[ "$(id -u)" = 0 ] && NICE=(-nice -10)

status=0
for jdk in 17 25; do
  [ "$which" = all ] || [ "$which" = "$jdk" ] || continue
  home="$JDK17"; [ "$jdk" = 25 ] && home="$JDK25"
  [ -x "$home/bin/java" ] || { echo "no JDK $jdk at $home: skipped" >&2; continue; }
  out="$ROOT/benchmarks/results/jmh-jdk$jdk"
  mkdir -p "$out"
  # Forks run from the runner's class path: a private copy, so a rebuild meanwhile cannot pull it away.
  cp "$BENCH_JAR" "$out/benchmarks.jar"
  # The runner itself runs on the default java; only the forks use the JDK under test.
  java -cp "$out/benchmarks.jar" io.heapguard.bench.CompareRunner \
    -jvm "$home/bin/java" -agent "$AGENT" -out "$out" \
    -f 4 -wi 3 -w 1s -i 4 -r 1s -quiet 1.1 -quietMax 60 "${NICE[@]}" "$@" || status=$?
done
exit $status
