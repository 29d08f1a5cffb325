#!/usr/bin/env bash
# What the starter costs, measured side by side with the same jar and lifecycle.enabled=false:
#   1. /hello throughput, interleaved rounds on both JVMs, as a ratio with its spread;
#   2. start-up time (Boot's "process running for"), interleaved starts, ratio of medians;
#   3. liveness latency on the management port while every request thread is busy.
#
#   bench/overhead.sh [--rounds N] [--seconds S] [--measure throughput,startup,liveness]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rounds=8
seconds=10
measure="throughput,startup,liveness"
out="${BENCH_DIR}/results"
work="${BENCH_DIR}/work/overhead"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --measure) measure=$2; shift 2 ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ensure_tools wrk hey curl
ensure_jar
rm -rf "${work}"
mkdir -p "${work}" "${out}"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
min_max() { sort -g | awk 'NR == 1 {min = $1} {max = $1} END {printf "%.3f–%.3f", min, max}'; }
rps() { wrk -t2 -c32 -d"$2s" "http://127.0.0.1:$1/hello" | awk '/Requests\/sec/ {print $2}'; }
stop() {
  kill -TERM "$(cat "$1/pid")"
  until [[ -s "$1/exit" ]]; do sleep 0.1; done
}

if [[ "${measure}" == *throughput* ]]; then
# 1. Throughput: both JVMs up, measured in turn, order alternating by round.
log "Throughput: ${rounds} interleaved rounds of ${seconds}s per configuration"
start_replica "${work}/on" 21002 21003
start_replica "${work}/off" 21004 21005 --lifecycle.enabled=false
wait_ready "${work}/on" 21003
wait_ready "${work}/off" 21005
# Warm both JITs well before measuring: a cold JVM loses the first rounds.
rps 21002 30 >/dev/null
rps 21004 30 >/dev/null
: >"${work}/throughput.txt"
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then
    on=$(rps 21002 "${seconds}")
    off=$(rps 21004 "${seconds}")
  else
    off=$(rps 21004 "${seconds}")
    on=$(rps 21002 "${seconds}")
  fi
  echo "${round} ${on} ${off}" >>"${work}/throughput.txt"
  log "round ${round}: on ${on} req/s, off ${off} req/s"
done
stop "${work}/on"
stop "${work}/off"
throughput_ratio=$(awk '{print $2 / $3}' "${work}/throughput.txt" | median)
throughput_spread=$(awk '{print $2 / $3}' "${work}/throughput.txt" | min_max)
on_median=$(awk '{print $2}' "${work}/throughput.txt" | median)
off_median=$(awk '{print $3}' "${work}/throughput.txt" | median)
fi

if [[ "${measure}" == *startup* ]]; then
# 2. Start-up: Boot's own "process running for", one JVM at a time, alternating.
log "Start-up: ${rounds} interleaved starts per configuration"
: >"${work}/startup.txt"
for ((round = 1; round <= rounds; round++)); do
  for config in on off; do
    dir="${work}/start-${config}-${round}"
    if [[ "${config}" == on ]]; then
      start_replica "${dir}" 21012 21013 --logging.level.dev.lifecycle.sample=INFO
    else
      start_replica "${dir}" 21012 21013 --logging.level.dev.lifecycle.sample=INFO --lifecycle.enabled=false
    fi
    wait_ready "${dir}" 21013
    seconds_to_start=$(sed -n 's/.*Started SampleApplication in .* (process running for \([0-9.]*\)).*/\1/p' "${dir}/app.log")
    echo "${config} ${seconds_to_start}" >>"${work}/startup.txt"
    stop "${dir}"
  done
done
startup_on=$(awk '$1 == "on" {print $2}' "${work}/startup.txt" | median)
startup_off=$(awk '$1 == "off" {print $2}' "${work}/startup.txt" | median)
startup_ratio=$(awk -v a="${startup_on}" -v b="${startup_off}" 'BEGIN {printf "%.3f", a / b}')
fi

if [[ "${measure}" == *liveness* ]]; then
# 3. Liveness while all 200 request threads (Tomcat's default) sleep in /work.
log "Liveness under saturation"
start_replica "${work}/saturated" 21022 21023
wait_ready "${work}/saturated" 21023
hey -n 400 -c 400 -t 60 "http://127.0.0.1:21022/work?ms=30000" >/dev/null 2>&1 &
sleep 3
hey -n 3000 -c 2 -t 5 "http://127.0.0.1:21023/actuator/health/liveness" >"${work}/liveness.txt"
hey -n 10 -c 1 -t 2 "http://127.0.0.1:21022/livez" >"${work}/livez-main-port.txt" 2>&1 || true
stop "${work}/saturated"
p50=$(awk '/50% in/ {printf "%.1f", $3 * 1000}' "${work}/liveness.txt")
p99=$(awk '/99% in/ {printf "%.1f", $3 * 1000}' "${work}/liveness.txt")
liveness_ok=$(awk '/\[200\]/ {print $2}' "${work}/liveness.txt")
main_port_ok=$(awk '/\[200\]/ {print $2}' "${work}/livez-main-port.txt")
fi

report="${out}/overhead.md"
# A partial run prints its rows without replacing the published results.
[[ "${measure}" == "throughput,startup,liveness" ]] || report="${work}/overhead.md"
{
  echo "| measure | starter on | starter off | ratio on/off |"
  echo "|---|---|---|---|"
  [[ -z "${throughput_ratio:-}" ]] || echo "| \`/hello\` throughput, median of ${rounds} interleaved ${seconds} s rounds (wrk -t2 -c32) | ${on_median} req/s | ${off_median} req/s | ${throughput_ratio} (rounds: ${throughput_spread}) |"
  [[ -z "${startup_ratio:-}" ]] || echo "| start-up, median of ${rounds} interleaved starts (JVM start to context started, as Boot logs it) | ${startup_on} s | ${startup_off} s | ${startup_ratio} |"
  [[ -z "${p99:-}" ]] || echo
  [[ -z "${p99:-}" ]] || echo "Liveness on the management port while 400 requests of 30 s hold all 200 request threads of the main port:"
  [[ -z "${p99:-}" ]] || echo "${liveness_ok:-0} of 3000 answered 200, p50 ${p50} ms, p99 ${p99} ms (hey -c 2). \`/livez\` on the main port at the same time: ${main_port_ok:-0} of 10 answered within 2 s."
} >"${report}"
cat "${report}"
