#!/usr/bin/env bash
# What the starter costs, measured side by side with the same jar and lifecycle.enabled=false,
# on each Spring Boot line in the same run (the sample app on Boot 4 with the Boot 4 starter,
# and sample-app-boot3, the same sources on Boot 3.5 with the Boot 3 starter):
#   1. /hello throughput, interleaved rounds on all JVMs, as a ratio with its spread;
#   2. start-up time (Boot's "process running for"), interleaved starts, ratio of medians;
#   3. liveness latency on the management port while every request thread is busy.
#
#   bench/overhead.sh [--rounds N] [--seconds S] [--measure throughput,startup,liveness] [--lines 4,3]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rounds=8
seconds=10
measure="throughput,startup,liveness"
lines="4,3"
out="${BENCH_DIR}/results"
work="${BENCH_DIR}/work/overhead"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --measure) measure=$2; shift 2 ;;
    --lines) lines=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# Each Boot line: its jar and the Spring Boot version it logs at start-up.
declare -A line_jar=([4]="${JAR}" [3]="${JAR_BOOT3}")
declare -A line_name=([4]="Boot 4 (4.1.2)" [3]="Boot 3 (3.5.16)")
IFS=, read -r -a boot_lines <<<"${lines}"
for line in "${boot_lines[@]}"; do
  [[ -n "${line_jar[${line}]:-}" ]] || { echo "unknown Boot line ${line}: 4 or 3" >&2; exit 2; }
done

ensure_tools wrk hey curl
ensure_jar
rm -rf "${work}"
mkdir -p "${work}" "${out}"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

min_max() { sort -g | awk 'NR == 1 {min = $1} {max = $1} END {printf "%.3f–%.3f", min, max}'; }
rps() { wrk -t2 -c32 -d"$2s" "http://127.0.0.1:$1/hello" | awk '/Requests\/sec/ {print $2}'; }
stop() {
  kill -TERM "$(cat "$1/pid")"
  until [[ -s "$1/exit" ]]; do sleep 0.1; done
}
# start LINE DIR PORT MANAGEMENT_PORT [APP_ARGS...]: a replica of that line's jar. Boot 3 has
# its probes only on Kubernetes unless asked (Boot 4 always): asked here, starter on or off, so
# that both wait on the same readiness group and carry the same indicators.
start() {
  local line=$1
  shift
  local extra=()
  [[ "${line}" != 3 ]] || extra=(--management.endpoint.health.probes.enabled=true)
  JAR=${line_jar[${line}]} start_replica "$@" "${extra[@]}"
}

if [[ "${measure}" == *throughput* ]]; then
# 1. Throughput: every JVM up (starter on and off, each line), measured in turn, the order of
# the pair alternating by round.
log "Throughput: ${rounds} interleaved rounds of ${seconds}s per configuration, Boot lines ${lines}"
port=21002
declare -A on_port off_port
for line in "${boot_lines[@]}"; do
  on_port[${line}]=${port}
  off_port[${line}]=$((port + 2))
  start "${line}" "${work}/on-${line}" "${port}" $((port + 1))
  start "${line}" "${work}/off-${line}" $((port + 2)) $((port + 3)) --lifecycle.enabled=false
  wait_ready "${work}/on-${line}" $((port + 1))
  wait_ready "${work}/off-${line}" $((port + 3))
  port=$((port + 4))
done
# Warm every JIT well before measuring: a cold JVM loses the first rounds.
for line in "${boot_lines[@]}"; do
  rps "${on_port[${line}]}" 30 >/dev/null
  rps "${off_port[${line}]}" 30 >/dev/null
  : >"${work}/throughput-${line}.txt"
done
for ((round = 1; round <= rounds; round++)); do
  for line in "${boot_lines[@]}"; do
    if ((round % 2)); then
      on=$(rps "${on_port[${line}]}" "${seconds}")
      off=$(rps "${off_port[${line}]}" "${seconds}")
    else
      off=$(rps "${off_port[${line}]}" "${seconds}")
      on=$(rps "${on_port[${line}]}" "${seconds}")
    fi
    echo "${round} ${on} ${off}" >>"${work}/throughput-${line}.txt"
    log "round ${round}, ${line_name[${line}]}: on ${on} req/s, off ${off} req/s"
  done
done
for line in "${boot_lines[@]}"; do
  stop "${work}/on-${line}"
  stop "${work}/off-${line}"
done
fi

if [[ "${measure}" == *startup* ]]; then
# 2. Start-up: Boot's own "process running for", one JVM at a time, alternating.
log "Start-up: ${rounds} interleaved starts per configuration, Boot lines ${lines}"
: >"${work}/startup.txt"
for ((round = 1; round <= rounds; round++)); do
  for line in "${boot_lines[@]}"; do
    for config in on off; do
      dir="${work}/start-${line}-${config}-${round}"
      if [[ "${config}" == on ]]; then
        start "${line}" "${dir}" 21012 21013 --logging.level.dev.lifecycle.sample=INFO
      else
        start "${line}" "${dir}" 21012 21013 --logging.level.dev.lifecycle.sample=INFO --lifecycle.enabled=false
      fi
      wait_ready "${dir}" 21013
      seconds_to_start=$(sed -n 's/.*Started SampleApplication in .* (process running for \([0-9.]*\)).*/\1/p' "${dir}/app.log")
      echo "${line} ${config} ${seconds_to_start}" >>"${work}/startup.txt"
      stop "${dir}"
    done
  done
done
fi

if [[ "${measure}" == *liveness* ]]; then
# 3. Liveness while all 200 request threads (Tomcat's default) sleep in /work.
for line in "${boot_lines[@]}"; do
  log "Liveness under saturation, ${line_name[${line}]}"
  dir="${work}/saturated-${line}"
  start "${line}" "${dir}" 21022 21023
  wait_ready "${dir}" 21023
  hey -n 400 -c 400 -t 60 "http://127.0.0.1:21022/work?ms=30000" >/dev/null 2>&1 &
  sleep 3
  hey -n 3000 -c 2 -t 5 "http://127.0.0.1:21023/actuator/health/liveness" >"${dir}/liveness.txt"
  hey -n 10 -c 1 -t 2 "http://127.0.0.1:21022/livez" >"${dir}/livez-main-port.txt" 2>&1 || true
  stop "${dir}"
  wait
done
fi

report="${out}/overhead.md"
# A partial run prints its rows without replacing the published results.
[[ "${measure}" == "throughput,startup,liveness" && "${lines}" == "4,3" ]] || report="${work}/overhead.md"
{
  echo "| measure | Spring Boot | starter on | starter off | ratio on/off |"
  echo "|---|---|---|---|---|"
  for line in "${boot_lines[@]}"; do
    file="${work}/throughput-${line}.txt"
    [[ -s "${file}" ]] || continue
    echo "| \`/hello\` throughput, median of ${rounds} interleaved ${seconds} s rounds (wrk -t2 -c32) | ${line_name[${line}]} | $(awk '{print $2}' "${file}" | median) req/s | $(awk '{print $3}' "${file}" | median) req/s | $(awk '{print $2 / $3}' "${file}" | median) (rounds: $(awk '{print $2 / $3}' "${file}" | min_max)) |"
  done
  for line in "${boot_lines[@]}"; do
    [[ -s "${work}/startup.txt" ]] || continue
    startup_on=$(awk -v l="${line}" '$1 == l && $2 == "on" {print $3}' "${work}/startup.txt" | median)
    startup_off=$(awk -v l="${line}" '$1 == l && $2 == "off" {print $3}' "${work}/startup.txt" | median)
    echo "| start-up, median of ${rounds} interleaved starts (JVM start to context started, as Boot logs it) | ${line_name[${line}]} | ${startup_on} s | ${startup_off} s | $(awk -v a="${startup_on}" -v b="${startup_off}" 'BEGIN {printf "%.3f", a / b}') |"
  done
  for line in "${boot_lines[@]}"; do
    dir="${work}/saturated-${line}"
    [[ -s "${dir}/liveness.txt" ]] || continue
    echo
    echo "${line_name[${line}]}: liveness on the management port while 400 requests of 30 s hold all 200 request threads of the main port:"
    echo "$(awk '/\[200\]/ {n = $2} END {print n + 0}' "${dir}/liveness.txt") of 3000 answered 200, p50 $(awk '/50% in/ {printf "%.1f", $3 * 1000}' "${dir}/liveness.txt") ms, p99 $(awk '/99% in/ {printf "%.1f", $3 * 1000}' "${dir}/liveness.txt") ms (hey -c 2). \`/livez\` on the main port at the same time: $(awk '/\[200\]/ {n = $2} END {print n + 0}' "${dir}/livez-main-port.txt") of 10 answered within 2 s."
  done
} >"${report}"
cat "${report}"
