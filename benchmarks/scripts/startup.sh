#!/usr/bin/env bash
# Start-up cost of heapguard's agent, as whole-process wall time measured by hyperfine:
#   apps:    hello (prints one line) and jetty (embedded Jetty 12: start on 127.0.0.1, one GET to itself
#            through Jetty's client, stop, exit; ~3,300 classes)
#   configs: bare, heapguard (-javaagent:heapguard-agent.jar, built-in defaults),
#            otel (the OpenTelemetry Java agent, all exporters off so it never touches the network)
#   JDKs:    17 (the default java) and Temurin 25
# Each (JDK, app) is timed in two hyperfine rounds of RUNS/2 runs, in opposite command orders, pooled.
# Results: benchmarks/results/startup/jdk<N>-<app>-r<round>.{json,md}, classes.txt and summary.md (medians,
# added ms with bootstrap 95% intervals, heapguard's added time against OTel's, the targets).
#
# usage: benchmarks/scripts/startup.sh [--runs N] [--warmup N] [--jdk17 PATH] [--jdk25 PATH] [--only-jdk 17|25]
#                                     [--apps "hello jetty"] [--out DIR] [--no-nice] [--no-quiet]
# Build first: mvn -q -DskipTests package (from the repository root).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS=20
WARMUP=3
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ONLY_JDK=""
APPS="hello jetty"
OUT="$ROOT/benchmarks/results/startup"
NICE=1
QUIET=1

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --jdk17) JDK17="$2"; shift 2 ;;
    --jdk25) JDK25="$2"; shift 2 ;;
    --only-jdk) ONLY_JDK="$2"; shift 2 ;;
    --apps) APPS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-nice) NICE=0; shift ;;
    --no-quiet) QUIET=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

[ "$RUNS" -ge 20 ] || { echo "--runs must be at least 20 (two rounds of at least 10)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 2; }

TARGET="$ROOT/benchmarks/target"
AGENT_SRC="${HG_BENCH_AGENT:-$ROOT/agent/target/heapguard-agent.jar}"   # not HEAPGUARD_*: the agent's own
BENCH_JAR="$TARGET/benchmarks.jar"
HELLO_JAR="$(ls "$TARGET"/heapguard-benchmarks-*-startup-hello.jar 2>/dev/null | head -1 || true)"
JETTY_JAR="$TARGET/startup-jetty.jar"
OTEL_JAR="$TARGET/otel/opentelemetry-javaagent.jar"
for f in "$AGENT_SRC" "$BENCH_JAR" "$HELLO_JAR" "$JETTY_JAR" "$OTEL_JAR"; do
  [ -n "$f" ] && [ -f "$f" ] || { echo "missing ${f:-the startup-hello jar}: run 'mvn -q -DskipTests package' in $ROOT" >&2; exit 2; }
done

mkdir -p "$OUT/jars"
# Private copies: what is measured cannot change if the modules are rebuilt while this runs.
AGENT="$OUT/jars/heapguard-agent.jar"
cp "$AGENT_SRC" "$AGENT"
for v in BENCH_JAR HELLO_JAR JETTY_JAR OTEL_JAR; do
  cp "${!v}" "$OUT/jars/$(basename "${!v}")"
  printf -v "$v" '%s' "$OUT/jars/$(basename "${!v}")"
done
sha256sum "$AGENT" | cut -c1-16 > "$OUT/agent.sha256"

PRIO=()
if [ "$NICE" = 1 ] && [ "$(id -u)" = 0 ]; then
  PRIO=(nice -n -10)   # our own processes only: keeps other builds on the machine from skewing the timings
fi

# Waits (at most 60 s) until the rest of the machine is busy on less than half a core.
busy_cores() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  local total=$(( busy + (b[4]+b[5]) - (a[4]+a[5]) ))
  echo $(( total > 0 ? busy * $(nproc) * 100 / total : 0 ))
}
wait_quiet() {
  [ "$QUIET" = 1 ] && [ -r /proc/stat ] || return 0
  local i quiet=0 b
  for i in $(seq 60); do
    b=$(busy_cores)
    if [ "$b" -lt 50 ]; then quiet=$((quiet + 1)); [ $quiet -ge 2 ] && return 0; else quiet=0; fi
  done
  echo "  (machine still busy: ${b}% of a core; measuring anyway)"
}

# A start-up that takes longer than this (seconds) is stuck: the JVM is ended and the script stops.
JVM_BOUND=120
OTEL_FLAGS="-Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none"

: > "$OUT/classes.txt"
for jdk in 17 25; do
  [ -z "$ONLY_JDK" ] || [ "$ONLY_JDK" = "$jdk" ] || continue
  home="$JDK17"; [ "$jdk" = 25 ] && home="$JDK25"
  java="$home/bin/java"
  [ -x "$java" ] || { echo "no JDK $jdk at $home: skipped" >&2; continue; }
  "$java" -version 2>&1 | head -2 | sed "s/^/JDK $jdk: /" | tee "$OUT/jdk$jdk-version.txt"
  for app in $APPS; do
    case "$app" in
      hello) appargs="-jar $HELLO_JAR" ;;
      jetty) appargs="-jar $JETTY_JAR" ;;
      *) echo "unknown app $app" >&2; exit 2 ;;
    esac
    bare="$java $appargs"
    hg="$java -javaagent:$AGENT $appargs"
    otel="$java -javaagent:$OTEL_JAR $OTEL_FLAGS $appargs"
    # Each command must succeed once before it is timed, and the classes it loads are counted.
    for cfg in bare heapguard otel; do
      case "$cfg" in bare) cmd="$bare" ;; heapguard) cmd="$hg" ;; otel) cmd="$otel" ;; esac
      log="$OUT/jdk$jdk-$app-$cfg.classload.log"
      # shellcheck disable=SC2086
      if ! timeout -k 10 "$JVM_BOUND" $java -Xlog:class+load=info:file="$log" ${cmd#"$java"} \
          > "$OUT/jdk$jdk-$app-$cfg.out" 2>&1; then
        echo "JDK $jdk $app $cfg failed (or ran past ${JVM_BOUND} s):" >&2; cat "$OUT/jdk$jdk-$app-$cfg.out" >&2; exit 1
      fi
      printf 'jdk%s %s %s classes=%s\n' "$jdk" "$app" "$cfg" "$(grep -c ' source: ' "$log")" >> "$OUT/classes.txt"
      rm -f "$log"
    done
    # Two rounds in opposite orders, half the runs each, so a drift in background load during the run
    # cannot favour one configuration; StartupReport pools the rounds.
    half=$(( (RUNS + 1) / 2 ))
    for round in 1 2; do
      echo "== JDK $jdk, $app, round $round/2: $half runs each, $WARMUP warm-up"
      wait_quiet
      if [ $round = 1 ]; then order=(-n bare "$bare" -n heapguard "$hg" -n otel "$otel")
      else order=(-n otel "$otel" -n heapguard "$hg" -n bare "$bare"); fi
      # timeout ends hyperfine's process group, the JVM it is timing included.
      bound=$(( (WARMUP + half) * 3 * JVM_BOUND ))
      "${PRIO[@]}" timeout -k 10 "$bound" hyperfine -N --warmup "$WARMUP" --runs "$half" --style basic \
        --export-json "$OUT/jdk$jdk-$app-r$round.json" --export-markdown "$OUT/jdk$jdk-$app-r$round.md" \
        "${order[@]}" || { echo "JDK $jdk $app round $round: hyperfine failed or ran past ${bound} s" >&2; exit 1; }
    done
  done
done

java -cp "$BENCH_JAR" io.heapguard.bench.StartupReport "$OUT" | tee "$OUT/summary.md"
