#!/usr/bin/env bash
# Warm-up benchmark: latency of the first 5 s of traffic to a freshly started replica, with
# and without the starter's warm-up, against the same replica's steady state, in interleaved
# rounds; and what the warm-up costs (extra time before readiness).
#
#   bench/warmup.sh [--rounds N]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rounds=3
out="${BENCH_DIR}/results"
work="${BENCH_DIR}/work/warmup"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ensure_tools hey curl
ensure_jar
rm -rf "${work}"
mkdir -p "${work}" "${out}"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# percentile_ms FILE P: hey's latency distribution line "P% in X secs", in ms.
percentile_ms() { awk -v p="$2%" '$1 == p && $2 == "in" {printf "%.1f", $3 * 1000}' "$1"; }

: >"${work}/results.txt"
for ((round = 1; round <= rounds; round++)); do
  for config in warm long cold; do
    dir="${work}/${config}-${round}"
    launched=$(now_ms)
    case "${config}" in
      warm) start_replica "${dir}" 21102 21103 ;;
      long) start_replica "${dir}" 21102 21103 --lifecycle.warmup.iterations=10000 --lifecycle.warmup.timeout=60s ;;
      cold) start_replica "${dir}" 21102 21103 --lifecycle.warmup.enabled=false ;;
    esac
    # Readiness on the main port, as the kubelet sees it: with warm-up it waits for it.
    until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:21102/readyz"; do sleep 0.02; done
    ready_s=$(awk -v a="${launched}" -v b="$(now_ms)" 'BEGIN {printf "%.2f", (b - a) / 1000}')
    hey -z 5s -c 4 "http://127.0.0.1:21102/hello" >"${dir}/first.txt"
    hey -z 20s -c 4 "http://127.0.0.1:21102/hello" >/dev/null
    hey -z 5s -c 4 "http://127.0.0.1:21102/hello" >"${dir}/steady.txt"
    kill -TERM "$(cat "${dir}/pid")"
    until [[ -s "${dir}/exit" ]]; do sleep 0.1; done
    echo "${config} ${ready_s} $(percentile_ms "${dir}/first.txt" 50) $(percentile_ms "${dir}/first.txt" 99) $(percentile_ms "${dir}/steady.txt" 99)" >>"${work}/results.txt"
    log "round ${round} ${config}: $(tail -n 1 "${work}/results.txt")"
  done
done

row() {
  local config=$1 title=$2
  local ready p50 p99 steady
  ready=$(awk -v c="${config}" '$1 == c {print $2}' "${work}/results.txt" | median)
  p50=$(awk -v c="${config}" '$1 == c {print $3}' "${work}/results.txt" | median)
  p99=$(awk -v c="${config}" '$1 == c {print $4}' "${work}/results.txt" | median)
  steady=$(awk -v c="${config}" '$1 == c {print $5}' "${work}/results.txt" | median)
  printf '| %s | %s s | %s ms | %s ms | %s ms | %s |\n' "${title}" "${ready}" "${p50}" "${p99}" "${steady}" \
    "$(awk -v a="${p99}" -v b="${steady}" 'BEGIN {printf "%.2f", a / b}')"
}
{
  echo "| replica | launch to ready | first 5 s p50 | first 5 s p99 | steady-state p99 | first-5-s p99 / steady p99 |"
  echo "|---|---|---|---|---|---|"
  row warm "warm-up as in the sample app (1000 × /hello and /work?ms=0)"
  row long "warm-up with 10000 iterations"
  row cold "warm-up off"
  echo
  echo "Medians of ${rounds} interleaved rounds; load: hey -c 4 on /hello right after /readyz answered 200."
} >"${out}/warmup.md"
cat "${out}/warmup.md"
