#!/usr/bin/env bash
# Rollout simulator: a Kubernetes rolling update of the sample app on 127.0.0.1, side by side
# for plain Spring Boot and the starter. HAProxy in TCP mode stands in for kube-proxy.
#
#   bench/rollout.sh            all scenarios, endpoint lag 0 s and 2 s (about 10 minutes)
#   bench/rollout.sh --smoke    one replica swap of the starter's defaults; fails on any lost request
#
# Per run: N replicas behind HAProxy (per-connection round robin, no retries, no redispatch);
# for each old replica, start a new one, wait for its /readyz, enable it in HAProxy, then
# delete the old one: after the endpoint lag HAProxy stops routing new connections to it
# (existing ones keep flowing, as with conntrack) while, in parallel, the preStop sleep runs,
# then SIGTERM, and SIGKILL once the grace period is over. Load during the whole rollout:
# wrk (keep-alive), hey (a new connection per request) and RolloutClient.java (timestamped
# keep-alive, new-connection and 1.5 s requests, for the chart).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

smoke=false
scenarios=(vanilla prestop lifecycle quiet)
lags=(0 2)
replicas=3
duration=90
grace=30
out="${BENCH_DIR}/results"
work="${BENCH_DIR}/work/rollout"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=true; scenarios=(lifecycle); lags=(1); replicas=2; duration=30; shift ;;
    --scenarios) read -r -a scenarios <<<"${2//,/ }"; shift 2 ;;
    --lags) read -r -a lags <<<"${2//,/ }"; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
swaps=$([[ "${smoke}" == true ]] && echo 1 || echo "${replicas}")

# scenario -> app arguments and preStop sleep
scenario_args() {
  case "$1" in
    vanilla | prestop) echo "--lifecycle.enabled=false" ;;
    # Warm-up off: this benchmark compares how pods stop; bench/warmup.sh measures the warm-up.
    lifecycle) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=false" ;;
    quiet) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=false --lifecycle.shutdown.quiet-period=500ms" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}
scenario_prestop() { [[ "$1" == prestop ]] && echo 5 || echo 0; }
scenario_title() {
  case "$1" in
    vanilla) echo "plain Boot" ;;
    prestop) echo "plain Boot + preStop sleep 5 s" ;;
    lifecycle) echo "lifecycle defaults (delay 5 s)" ;;
    quiet) echo "lifecycle, quiet period 500 ms" ;;
  esac
}

# delete_replica RUN_DIR SLOT LAG PRESTOP API_PORT: what the kubelet and the endpoints
# controller do to a deleted pod, in parallel.
delete_replica() {
  local dir="$1/replica-$2" slot=$2 lag=$3 prestop=$4 api=$5
  local deleted
  deleted=$(now_ms)
  echo "${deleted}" >"${dir}/delete_ms"
  (
    sleep "${lag}"
    haproxy_api "${api}" "disable server be/s${slot}"
  ) &
  local unroute=$!
  sleep "${prestop}"
  now_ms >"${dir}/term_ms"
  kill -TERM "$(cat "${dir}/pid")"
  until [[ -s "${dir}/exit" ]]; do
    if (($(now_ms) - deleted > grace * 1000)); then
      echo 1 >"${dir}/killed"
      kill -KILL "$(cat "${dir}/pid")" 2>/dev/null || true
    fi
    sleep 0.05
  done
  wait "${unroute}"
}

write_haproxy_config() {
  local file=$1 lb=$2 api=$3 base=$4 slot
  {
    echo "global"
    echo "  stats socket ipv4@127.0.0.1:${api} level admin"
    echo "  maxconn 4000"
    echo "defaults"
    echo "  mode tcp"
    echo "  timeout connect 2s"
    echo "  timeout client 60s"
    echo "  timeout server 60s"
    echo "  retries 0"
    echo "frontend fe"
    echo "  bind 127.0.0.1:${lb}"
    echo "  default_backend be"
    echo "backend be"
    echo "  balance roundrobin"
    for ((slot = 1; slot <= replicas + swaps; slot++)); do
      if ((slot <= replicas)); then
        echo "  server s${slot} 127.0.0.1:$((base + 2 * slot))"
      else
        echo "  server s${slot} 127.0.0.1:$((base + 2 * slot)) disabled"
      fi
    done
  } >"${file}"
}

run_scenario() {
  local scenario=$1 lag=$2 base=$3
  local run="${work}/${scenario}-lag${lag}"
  local lb=${base} api=$((base + 1)) prestop slot
  local -a app_args
  read -r -a app_args <<<"$(scenario_args "${scenario}")"
  prestop=$(scenario_prestop "${scenario}")
  rm -rf "${run}"
  mkdir -p "${run}"
  log "Run ${scenario}, endpoint lag ${lag}s"

  write_haproxy_config "${run}/haproxy.cfg" "${lb}" "${api}" "${base}"
  haproxy -f "${run}/haproxy.cfg" -db >"${run}/haproxy.log" 2>&1 &
  local haproxy_pid=$!
  local waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/${api}") 2>/dev/null; do
    if ! kill -0 "${haproxy_pid}" 2>/dev/null || ((waited > 50)); then
      echo "HAProxy did not start:" >&2
      cat "${run}/haproxy.log" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done

  for ((slot = 1; slot <= replicas; slot++)); do
    start_replica "${run}/replica-${slot}" $((base + 2 * slot)) $((base + 2 * slot + 1)) "${app_args[@]}"
  done
  for ((slot = 1; slot <= replicas; slot++)); do
    wait_ready "${run}/replica-${slot}" $((base + 2 * slot + 1))
  done

  local t0
  t0=$(now_ms)
  echo "${t0}" >"${run}/t0_ms"
  wrk -t1 -c8 -d"${duration}s" --timeout 10s -s "${BENCH_DIR}/paced.lua" "http://127.0.0.1:${lb}/hello" >"${run}/wrk.txt" 2>&1 &
  local wrk_pid=$!
  hey -z "${duration}s" -c 4 -q 150 -t 10 -disable-keepalive "http://127.0.0.1:${lb}/hello" >"${run}/hey.txt" 2>&1 &
  local hey_pid=$!
  java -cp "${work}/classes" RolloutClient "${lb}" "${duration}" "${run}/events.csv" >"${run}/client.log" 2>&1 &
  local client_pid=$!
  sleep 3

  local -a deletions=()
  local old new
  for ((old = 1; old <= swaps; old++)); do
    new=$((replicas + old))
    start_replica "${run}/replica-${new}" $((base + 2 * new)) $((base + 2 * new + 1)) "${app_args[@]}"
    wait_ready "${run}/replica-${new}" $((base + 2 * new + 1))
    haproxy_api "${api}" "enable server be/s${new}"
    delete_replica "${run}" "${old}" "${lag}" "${prestop}" "${api}" &
    deletions+=($!)
  done
  now_ms >"${run}/rollout_done_ms"
  wait "${deletions[@]}"
  now_ms >"${run}/old_exited_ms"
  wait "${wrk_pid}" "${hey_pid}" "${client_pid}" || true

  for ((slot = replicas + 1; slot <= replicas + swaps; slot++)); do
    kill -TERM "$(cat "${run}/replica-${slot}/pid")" 2>/dev/null || true
  done
  for ((slot = swaps + 1; slot <= replicas; slot++)); do
    kill -TERM "$(cat "${run}/replica-${slot}/pid")" 2>/dev/null || true
  done
  kill "${haproxy_pid}" 2>/dev/null || true
  wait "${haproxy_pid}" 2>/dev/null || true
  for ((slot = 1; slot <= replicas + swaps; slot++)); do
    until [[ -s "${run}/replica-${slot}/exit" ]]; do sleep 0.1; done
  done
}

# Summary of one run as a Markdown table row; also sets the run's failure count in FAILED.
summarize() {
  local scenario=$1 lag=$2 run="${work}/$1-lag$2"
  local t0 wrk_total wrk_failed hey_total hey_failed client exits killed rollout
  t0=$(cat "${run}/t0_ms")
  wrk_total=$(awk '/requests in/ {print $1}' "${run}/wrk.txt")
  wrk_failed=$(awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $NF} END {print s + 0}' "${run}/wrk.txt")
  hey_total=$(awk '/Status code distribution/ {on = 1; next} /Error distribution/ {on = 2; next}
    on && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); n += (on == 1) ? $2 : $1} END {print n + 0}' "${run}/hey.txt")
  hey_failed=$(awk '/Status code distribution/ {on = 1; next} /Error distribution/ {on = 2; next}
    on == 1 && /\[[0-9]+\]/ && $1 !~ /\[2/ {n += $2} on == 2 && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); n += $1} END {print n + 0}' "${run}/hey.txt")
  client=$(awk -F, 'NR > 1 {t[$2]++; if ($3 != "ok") f[$2]++}
    END {printf "%d / %d | %d / %d | %d / %d", f["keepalive"], t["keepalive"], f["newconn"], t["newconn"], f["slow"], t["slow"]}' "${run}/events.csv")
  exits=""
  stops=""
  killed=0
  local slot
  for ((slot = 1; slot <= swaps; slot++)); do
    local dir="${run}/replica-${slot}"
    exits+="$(awk -v a="$(cat "${dir}/term_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s ($(cat "${dir}/exit")) "
    stops+="$(awk -v a="$(cat "${dir}/delete_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s "
    [[ -f "${dir}/killed" ]] && killed=$((killed + 1))
  done
  rollout=$(awk -v a="$((t0 + 3000))" -v b="$(cat "${run}/old_exited_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  if (($(cat "${run}/old_exited_ms") > t0 + duration * 1000)); then
    rollout+=" (load ended first: raise --duration)"
  fi
  FAILED=$((wrk_failed + hey_failed + $(awk -F, 'NR > 1 && $3 != "ok" {n++} END {print n + 0}' "${run}/events.csv")))
  printf '| %s | %s s | %s / %s | %s / %s | %s | %s| %s| %s | %s s |\n' "$(scenario_title "${scenario}")" "${lag}" \
    "${wrk_failed}" "${wrk_total}" "${hey_failed}" "${hey_total}" "${client}" "${exits}" "${stops}" "${killed}" "${rollout}"
}

# 100 ms buckets of the timestamped client's outcomes, for gnuplot.
buckets() {
  local run="${work}/$1-lag$2"
  awk -F, -v t0="$(cat "${run}/t0_ms")" 'NR > 1 {b = int(($1 - t0) / 100); if ($3 == "ok") ok[b]++; else bad[b]++; if (b > max) max = b}
    END {for (i = 0; i <= max; i++) printf "%.1f %d %d\n", i / 10, ok[i], bad[i]}' "${run}/events.csv" >"${run}/buckets.dat"
  for ((slot = 1; slot <= swaps; slot++)); do
    awk -v t0="$(cat "${run}/t0_ms")" '{printf "%.1f\n", ($1 - t0) / 1000}' "${run}/replica-${slot}/term_ms"
  done >"${run}/sigterms.dat"
}

chart() {
  local png=$1 rows=${#scenarios[@]} cols=${#lags[@]} scenario lag
  {
    echo "set terminal pngcairo size $((620 * cols)),$((230 * rows)) font 'sans,9'"
    echo "set output '${png}'"
    echo "set multiplot layout ${rows},${cols} title 'Requests per 100 ms of the timestamped client (keep-alive, new-connection, 1.5 s requests) during a rolling restart of 3 replicas; dashed lines: SIGTERM'"
    echo "set xlabel 'seconds since load start'; set ylabel 'requests / 100 ms'; set key top right; set grid"
    echo "set style fill solid 1.0 noborder"
    for scenario in "${scenarios[@]}"; do
      for lag in "${lags[@]}"; do
        local run="${work}/${scenario}-lag${lag}"
        echo "set title '$(scenario_title "${scenario}"), endpoint lag ${lag} s'"
        echo "unset arrow"
        while read -r t; do
          echo "set arrow from ${t}, graph 0 to ${t}, graph 1 nohead dashtype 2 linecolor rgb '#555555'"
        done <"${run}/sigterms.dat"
        echo "plot '${run}/buckets.dat' using 1:2 with lines linecolor rgb '#2e8b57' title 'ok', '' using 1:3 with boxes linecolor rgb '#d62728' title 'failed'"
      done
    done
    echo "unset multiplot"
  } >"${work}/chart.gp"
  gnuplot "${work}/chart.gp"
}

ensure_tools haproxy wrk hey curl
[[ "${smoke}" == true ]] || ensure_tools gnuplot
ensure_jar
mkdir -p "${work}" "${out}"
javac -d "${work}/classes" "${BENCH_DIR}/RolloutClient.java"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

base=20000
for scenario in "${scenarios[@]}"; do
  for lag in "${lags[@]}"; do
    run_scenario "${scenario}" "${lag}" "${base}"
    base=$((base + 40))
  done
done

table="${work}/table.md"
{
  echo "| scenario | endpoint lag | wrk keep-alive: failed / requests | hey new connections: failed / requests | timestamped client: keep-alive | new-connection | 1.5 s requests (failed / requests) | SIGTERM to exit per replica (exit code) | pod deletion to exit per replica | SIGKILLs | rollout (first new replica to last old exit) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"${table}"
total_failed_lifecycle=0
for scenario in "${scenarios[@]}"; do
  for lag in "${lags[@]}"; do
    FAILED=0
    summarize "${scenario}" "${lag}" >>"${table}"
    [[ "${scenario}" == lifecycle ]] && total_failed_lifecycle=$((total_failed_lifecycle + FAILED))
    buckets "${scenario}" "${lag}"
  done
done
cat "${table}"

if [[ "${smoke}" == true ]]; then
  if ((total_failed_lifecycle > 0)); then
    echo "SMOKE FAILED: the starter's defaults lost ${total_failed_lifecycle} request(s) in one replica swap" >&2
    exit 1
  fi
  echo "Smoke passed: no request lost in one replica swap"
  exit 0
fi

cp "${table}" "${out}/rollout.md"
chart "${out}/rollout.png"
log "Wrote ${out}/rollout.md and ${out}/rollout.png"
