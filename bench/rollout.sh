#!/usr/bin/env bash
# Rollout simulator: a Kubernetes rolling update of a Spring Boot jar on 127.0.0.1, side by side
# for plain Spring Boot and the starter, behind an L4 or an L7 balancer, at three traffic levels.
#
#   bench/rollout.sh            the published matrix (about 35 minutes on 2 cores): plain Boot and
#                               plain Boot + preStop sleep 5 at high traffic, the starter's defaults
#                               and its quiet period at every level; L4 and L7; lag 2 s; 3 replicas
#   bench/rollout.sh --smoke    a swap of the starter's defaults (high traffic) and one of the quiet
#                               period (low traffic), L4, lag 1 s; fails on any lost request
#   bench/rollout.sh --scenarios prestop,quiet,quiet-aot-cold,quiet-aot --levels high \
#     --topologies l4 --rounds 2 --name rollout-warm
#                               the whole-rollout time of plain Boot + preStop sleep 5, the quiet
#                               period on Java 17, and on Java 25 + AOT cache without and with the
#                               adaptive warm-up, in interleaved rounds
#
# Matrix:
#   --scenarios LIST    vanilla, prestop, quiet, lifecycle (default these four, in this order), and
#                       quiet-aot: the quiet period on Java 25 started from the extracted jar with
#                       a JDK AOT cache trained once per invocation as sample-app/Dockerfile does,
#                       with the adaptive warm-up (lifecycle.warmup.until=jit-settled); the run
#                       fails if a JVM refused the cache; quiet-aot-cold: the same without the
#                       warm-up. Every other scenario runs on JAVA (default: java on PATH) with
#                       the warm-up off
#   --java25 PATH       the Java 25 java of quiet-aot (default: JAVA25_HOME's, else
#                       /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   --topologies LIST   l4 (HAProxy mode tcp, like kube-proxy), l7 (HAProxy mode http with pooled
#                       keep-alive connections to the replicas, like an ingress or a sidecar)
#   --levels LIST       high (wrk 8 conns every 4 ms, hey 600/s, client streams every 5 ms: as
#                       much as two cores serve, ~1,000 req/s), moderate (~50 req/s per
#                       replica), low (~2 req/s per replica); the plain Boot scenarios run at
#                       the first level listed only (default high,moderate,low)
#   --lags LIST         endpoint lag(s) in seconds (default 2)
#   --replicas N        (default 3)    --duration S   longest load, in seconds (default 300); the
#                       load stops 3 s after the last old replica exited
#   --rounds N          every run N times, interleaved (round 1 of every run, then round 2, ...);
#                       the table ends with each scenario's median whole-rollout time (default 1)
#   --budget MINUTES    start no further run once this long has passed; the table covers the
#                       runs done (runs go by round, then in the order of --scenarios, then levels,
#                       then topologies)
#   --ready-timeout S   longest wait for a replica's readiness probe (default 300: a real
#                       application on a node busy with the load can need more than 120 s); a
#                       replica not ready by then fails its run, and the matrix goes on
#   --name NAME         the results: bench/results/NAME.md and NAME.png (default rollout)
#   --results-dir DIR   where NAME.md and NAME.png go (default bench/results)
#   --work-dir DIR      each run's directory (default bench/work/rollout)
#   --no-chart          no NAME.png (and no gnuplot needed)
#   --base-port N       the first run's ports: HAProxy on N, its runtime API on N+1, replica k on
#                       N+2k (main) and N+2k+1 (management); each further run adds 40 (default 20000)
# Your own app:
#   --jar PATH          any Spring Boot jar (default: the sample app, built when stale)
#   --path PATH         request path of the keep-alive and new-connection clients (default /hello)
#   --slow-path PATH    path of the slow-request client (default /work?ms=1500; none: no slow client)
#   --ready-path PATH   readiness probe (default /readyz)
#   --ready-port main|management   where the probe is served (default main)
#   --app-args "..."    extra application arguments, appended to every scenario's
#   --jvm-opts "..."    extra JVM options, appended to -Xmx256m -XX:+UseSerialGC
#   --client-args "..." extra options of the timestamped client (bench/RolloutClient.java), for
#                       example "--method HEAD" or "--gzip"
#   --client-classpath CP   the client's libraries (default: Apache HttpClient 5 in the version
#                       Spring Boot manages, copied by Maven from bench/rollout-client.pom.xml)
# Monitoring:
#   --prometheus        a real Prometheus (Debian's package) scrapes every replica's management
#                       port every 10 s with k8s/monitoring/lifecycle-rules.yaml loaded; each run
#                       directory gets prometheus.md: what it saw of each stopped replica, the
#                       alerts that fired, and which dashboard queries returned data
#
# Results as the runs go: when a run ends, its row, verdict and failures are written and
# NAME.md (and NAME.png) rewritten for every run done so far. A run that fails (a replica never
# ready, the timestamped client crashed, a tool or Java 25 missing) gets a row that says why, and
# the next run starts; the script then exits with 1 once the matrix is done.
#
# Per run: N replicas behind HAProxy (no retries, no redispatch); for each old replica, start a
# new one, wait for its readiness probe, enable it in HAProxy, then delete the old one: after
# the endpoint lag HAProxy's runtime API disables it (L4: existing connections keep flowing, as
# with conntrack; L7: no further request goes to it) while, in parallel, the preStop sleep runs,
# then SIGTERM, and SIGKILL once the grace period is over. Load during the whole rollout: wrk
# (keep-alive), hey (a new connection per request) and RolloutClient.java (timestamped
# keep-alive, new-connection and slow requests, each with its outcome and reason). Each run
# directory gets replica-events.csv (deletion, SIGTERM, removal, exit per replica), failures.csv
# (each failed timestamped request, why, and its offset from the nearest of those), row.md and
# verdict.txt, or failure.txt when the run failed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

smoke=false
scenarios=(vanilla prestop quiet lifecycle)
topologies=(l4 l7)
levels=(high moderate low)
lags=(2)
replicas=3
duration=300
rounds=1
budget=""
results_name=rollout
java25=${JAVA25}
grace=30
path=/hello
slow_path='/work?ms=1500'
ready_path=/readyz
ready_port=main
extra_app_args=()
jar=""
prometheus=false
scrape_interval=10
out="${BENCH_DIR}/results"
work="${BENCH_DIR}/work/rollout"
ready_timeout=300
base_port=20000
draw_chart=true
client_args=()
client_classpath=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=true; replicas=2; shift ;;
    --scenarios) read -r -a scenarios <<<"${2//,/ }"; shift 2 ;;
    --topologies) read -r -a topologies <<<"${2//,/ }"; shift 2 ;;
    --levels) read -r -a levels <<<"${2//,/ }"; shift 2 ;;
    --lags) read -r -a lags <<<"${2//,/ }"; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --name) results_name=$2; shift 2 ;;
    --java25) java25=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --slow-path) slow_path=$2; shift 2 ;;
    --ready-path) ready_path=$2; shift 2 ;;
    --ready-port) ready_port=$2; shift 2 ;;
    --app-args) read -r -a extra_app_args <<<"$2"; shift 2 ;;
    --jvm-opts) read -r -a extra_jvm_opts <<<"$2"; JVM_OPTS+=("${extra_jvm_opts[@]}"); shift 2 ;;
    --prometheus) prometheus=true; shift ;;
    --ready-timeout) ready_timeout=$2; shift 2 ;;
    --results-dir) out=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    --no-chart) draw_chart=false; shift ;;
    --base-port) base_port=$2; shift 2 ;;
    --client-args) read -r -a client_args <<<"$2"; shift 2 ;;
    --client-classpath) client_classpath=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "${ready_port}" in
  main | management) ;;
  *) echo "--ready-port is main or management, not ${ready_port}" >&2; exit 2 ;;
esac
if [[ -n "${jar}" ]]; then
  [[ -f "${jar}" ]] || { echo "no such jar: ${jar}" >&2; exit 2; }
  JAR=$(cd "$(dirname "${jar}")" && pwd)/$(basename "${jar}")
fi
swaps=$([[ "${smoke}" == true ]] && echo 1 || echo "${replicas}")

[[ "${rounds}" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds is a positive number, not ${rounds}" >&2; exit 2; }
[[ "${ready_timeout}" =~ ^[1-9][0-9]*$ ]] || { echo "--ready-timeout is a positive number of seconds, not ${ready_timeout}" >&2; exit 2; }
for scenario in "${scenarios[@]}"; do
  case "${scenario}" in
    vanilla | prestop | quiet | lifecycle | quiet-aot | quiet-aot-cold) ;;
    *) echo "unknown scenario ${scenario} (vanilla, prestop, quiet, lifecycle, quiet-aot, quiet-aot-cold)" >&2; exit 2 ;;
  esac
done

# The runs, one "scenario topology level lag round" each; the topology varies fastest (chart columns).
runs=()
if [[ "${smoke}" == true ]]; then
  rounds=1
  runs=("lifecycle l4 high 1 1" "quiet l4 low 1 1")
else
  for ((round = 1; round <= rounds; round++)); do
    for scenario in "${scenarios[@]}"; do
      for level in "${levels[@]}"; do
        # Plain Boot has no quiet period whose behaviour could change with the traffic.
        [[ "${scenario}" == vanilla || "${scenario}" == prestop ]] && [[ "${level}" != "${levels[0]}" ]] && continue
        for lag in "${lags[@]}"; do
          for topology in "${topologies[@]}"; do
            runs+=("${scenario} ${topology} ${level} ${lag} ${round}")
          done
        done
      done
    done
  done
fi

# scenario -> app arguments and preStop sleep
scenario_args() {
  case "$1" in
    # Boot's own readiness group on the main port too, so that one probe path fits every scenario.
    vanilla | prestop) echo "--lifecycle.enabled=false --management.endpoint.health.probes.add-additional-paths=true" ;;
    # Warm-up off: this benchmark compares how pods stop; bench/warmup.sh measures the warm-up.
    lifecycle) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=false" ;;
    quiet) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=false --lifecycle.shutdown.quiet-period=1s" ;;
    # The new replica as issue 18 wants it: warm before it is ready (the sample's warm-up paths;
    # another app names its paths with --app-args), with the starter's cap and budget.
    quiet-aot) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=true --lifecycle.warmup.until=jit-settled --lifecycle.warmup.iterations=50000 --lifecycle.warmup.timeout=30s --lifecycle.shutdown.quiet-period=1s" ;;
    # The same JVM and cache without the warm-up: what the cache alone does to the rollout.
    quiet-aot-cold) echo "--spring.main.cloud-platform=kubernetes --lifecycle.warmup.enabled=false --lifecycle.shutdown.quiet-period=1s" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}
scenario_prestop() { [[ "$1" == prestop ]] && echo 5 || echo 0; }
scenario_title() {
  case "$1" in
    vanilla) echo "plain Boot" ;;
    prestop) echo "plain Boot + preStop sleep 5 s" ;;
    lifecycle) echo "lifecycle defaults (delay 5 s)" ;;
    quiet) echo "lifecycle, quiet period 1 s (min-delay 3 s)" ;;
    quiet-aot) echo "lifecycle, quiet period 1 s, Java 25 + AOT cache + adaptive warm-up" ;;
    quiet-aot-cold) echo "lifecycle, quiet period 1 s, Java 25 + AOT cache, no warm-up" ;;
  esac
}
# use_scenario_jvm SCENARIO: the java, jar and JVM options start_replica runs the scenario with.
use_scenario_jvm() {
  JAVA=${base_java} JAR=${base_jar}
  JVM_OPTS=("${base_jvm_opts[@]}")
  if [[ "$1" == quiet-aot* ]]; then
    JAVA=${java25} JAR=${AOT_JAR}
    JVM_OPTS+=(-XX:AOTCache="${AOT_CACHE}")
  fi
}
# check_aot_cache RUN: fails the benchmark when a replica's JVM refused the AOT cache, which
# would make quiet-aot a plain Java 25 run without saying so.
check_aot_cache() {
  local run=$1 problems
  problems=$(aot_cache_problems "${run}"/replica-*/app.log)
  if ((problems > 0)); then
    grep -h -E '\[(warning|error) *\]\[aot' "${run}"/replica-*/app.log | head -n 5 >&2
    fail "the JVM refused the AOT cache (${problems} warning(s) or error(s) in the replicas' app.log)"
  fi
}
topology_title() { [[ "$1" == l4 ]] && echo "L4 (tcp)" || echo "L7 (http, pooled)"; }

# level_load LEVEL: sets the load of every client for that traffic level; moderate and low are
# rates per replica, so the service's rate is that times the replicas.
level_load() {
  local total
  case "$1" in
    high)
      wrk_connections=8 wrk_pause=4 hey_workers=4 hey_rate=150
      keepalive_pause=5 newconn_pause=5 slow_streams=2 slow_pause=5 bucket_ms=100
      return
      ;;
    moderate) total=$((50 * replicas)) wrk_connections=2 hey_workers=2 slow_streams=2 slow_pause=5 bucket_ms=500 ;;
    low) total=$((2 * replicas)) wrk_connections=1 hey_workers=1 slow_streams=1 slow_pause=3000 bucket_ms=1000 ;;
    *) echo "unknown level $1 (high, moderate, low)" >&2; exit 2 ;;
  esac
  # wrk 30 %, hey 30 %, the client's keep-alive and new-connection streams 20 % each.
  wrk_pause=$(awk -v t="${total}" -v c="${wrk_connections}" 'BEGIN {printf "%d", 1000 * c / (0.3 * t)}')
  hey_rate=$(awk -v t="${total}" -v c="${hey_workers}" 'BEGIN {printf "%.2f", 0.3 * t / c}')
  keepalive_pause=$(awk -v t="${total}" 'BEGIN {printf "%d", 1000 / (0.2 * t)}')
  newconn_pause=${keepalive_pause}
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
    now_ms >"${dir}/removal_ms"
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
  local file=$1 topology=$2 lb=$3 api=$4 base=$5 slot
  {
    echo "global"
    echo "  stats socket ipv4@127.0.0.1:${api} level admin"
    echo "  maxconn 4000"
    echo "defaults"
    if [[ "${topology}" == l4 ]]; then
      echo "  mode tcp"
    else
      # An ingress controller or a mesh sidecar: requests balanced one by one over a pool of
      # keep-alive connections to the replicas; no retry, no redispatch.
      echo "  mode http"
      echo "  option http-keep-alive"
      echo "  http-reuse always"
      echo "  timeout http-keep-alive 60s"
      echo "  timeout http-request 10s"
    fi
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

# run_name SCENARIO TOPOLOGY LEVEL LAG ROUND
run_name() {
  local name="$1-$2-$3-lag$4"
  ((rounds > 1)) && name+="-round$5"
  echo "${name}"
}
# run_title SCENARIO TOPOLOGY LEVEL LAG ROUND: for tables and charts.
run_title() {
  local title
  title="$(scenario_title "$1"), $(topology_title "$2"), $3 traffic, lag $4 s"
  ((rounds > 1)) && title+=", round $5"
  echo "${title}"
}

# Prometheus of a run: listens past the run's HAProxy and replica ports.
prometheus_port() { echo $(($1 + 39)); }

# start_prometheus RUN BASE: scrapes every replica slot's management port, with the labels a
# PodMonitor would give (namespace, pod), and evaluates the monitoring rules.
start_prometheus() {
  local run=$1 base=$2 port slot waited=0
  port=$(prometheus_port "${base}")
  {
    echo "global:"
    echo "  scrape_interval: ${scrape_interval}s"
    echo "rule_files:"
    echo "- ${REPOSITORY}/k8s/monitoring/lifecycle-rules.yaml"
    echo "scrape_configs:"
    echo "- job_name: replicas"
    echo "  metrics_path: /actuator/prometheus"
    echo "  static_configs:"
    for ((slot = 1; slot <= replicas + swaps; slot++)); do
      echo "  - targets: ['127.0.0.1:$((base + 2 * slot + 1))']"
      echo "    labels: {namespace: bench, pod: replica-${slot}}"
    done
  } >"${run}/prometheus.yml"
  prometheus --config.file="${run}/prometheus.yml" --storage.tsdb.path="${run}/prometheus-data" \
    --web.listen-address="127.0.0.1:${port}" >"${run}/prometheus.log" 2>&1 &
  echo $! >"${run}/prometheus.pid"
  until curl -fs -o /dev/null "http://127.0.0.1:${port}/-/ready"; do
    if ((waited > 100)); then
      tail -n 20 "${run}/prometheus.log" >&2
      fail "Prometheus did not start (prometheus.log)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# prometheus_query BASE QUERY JQ_FILTER: an instant query, its result through the filter.
prometheus_query() {
  curl -fs --get "http://127.0.0.1:$(prometheus_port "$1")/api/v1/query" --data-urlencode "query=$2" | jq -r "$3"
}

# report_prometheus RUN BASE: prometheus.md, once the rules had an evaluation (every 30 s)
# after the last old replica exited; then stops Prometheus.
report_prometheus() {
  local run=$1 base=$2 port since slot dir title expr series
  port=$(prometheus_port "${base}")
  sleep 35
  since="$(( ($(now_ms) - $(cat "${run}/t0_ms")) / 1000 + 60 ))s"
  {
    echo "Prometheus scraping every ${scrape_interval} s, rules of k8s/monitoring/lifecycle-rules.yaml"
    echo
    echo "| replica | SIGTERM to exit | longest shutdown seen | delay end seen | drained seen | abandoned seen | the replica's report line |"
    echo "|---|---|---|---|---|---|---|"
    for ((slot = 1; slot <= swaps; slot++)); do
      dir="${run}/replica-${slot}"
      printf '| replica-%d | %s s | %s | %s | %s | %s | %s |\n' "${slot}" \
        "$(awk -v a="$(cat "${dir}/term_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}')" \
        "$(prometheus_query "${base}" "max_over_time(lifecycle_shutdown_duration_seconds{pod=\"replica-${slot}\"}[${since}])" '.data.result[0].value[1] // "–"')" \
        "$(prometheus_query "${base}" "max_over_time(lifecycle_shutdown_delay_end{pod=\"replica-${slot}\"}[${since}]) == 1" '[.data.result[].metric.reason] | join(" ") | if . == "" then "–" else . end')" \
        "$(prometheus_query "${base}" "max_over_time(lifecycle_shutdown_requests_total{pod=\"replica-${slot}\",outcome=\"drained\"}[${since}])" '.data.result[0].value[1] // "–"')" \
        "$(prometheus_query "${base}" "max_over_time(lifecycle_shutdown_requests_total{pod=\"replica-${slot}\",outcome=\"abandoned\"}[${since}])" '.data.result[0].value[1] // "–"')" \
        "$(grep -o 'Shutdown complete in [^,]*.*abandoned [0-9]*' "${dir}/app.log" | head -n 1)"
    done
    echo
    echo "Alerts that fired during the run:"
    prometheus_query "${base}" "max_over_time(ALERTS{alertstate=\"firing\"}[${since}])" \
      '.data.result[] | "- \(.metric.alertname) \(.metric.pod // "")"'
    echo
    echo "Dashboard queries (\$namespace=bench, \$application=sample-app) and the series they returned over the run:"
    echo
    while IFS=$'\t' read -r title expr; do
      expr=${expr//\$namespace/bench}
      expr=${expr//\$application/sample-app}
      expr=${expr//\$__rate_interval/1m}
      series=$(curl -fs --get "http://127.0.0.1:${port}/api/v1/query_range" --data-urlencode "query=${expr}" \
        --data-urlencode "start=$(($(cat "${run}/t0_ms") / 1000 - 60))" --data-urlencode "end=$(date +%s)" \
        --data-urlencode "step=5" | jq '.data.result | length')
      echo "- ${title}: ${series}"
    done < <(jq -r '.panels[] | select(.targets) | .title as $title | .targets[] | [$title, .expr] | @tsv' \
      "${REPOSITORY}/k8s/monitoring/lifecycle-dashboard.json")
  } >"${run}/prometheus.md"
  kill "$(cat "${run}/prometheus.pid")" 2>/dev/null || true
  wait "$(cat "${run}/prometheus.pid")" 2>/dev/null || true
}

# start_and_wait_ready RUN SLOT BASE APP_ARGS...: one replica, until its readiness probe answers.
start_replica_at() {
  local run=$1 slot=$2 base=$3
  shift 3
  start_replica "${run}/replica-${slot}" $((base + 2 * slot)) $((base + 2 * slot + 1)) "$@"
}
wait_replica_ready() {
  local run=$1 slot=$2 base=$3 port
  port=$([[ "${ready_port}" == main ]] && echo $((base + 2 * slot)) || echo $((base + 2 * slot + 1)))
  wait_ready "${run}/replica-${slot}" "${port}" "${ready_path}" "${ready_timeout}"
}

run_scenario() {
  local scenario=$1 topology=$2 level=$3 lag=$4 round=$5 base=$6
  local run
  run="${work}/$(run_name "$@")"
  local lb=${base} api=$((base + 1)) prestop slot
  local -a app_args
  read -r -a app_args <<<"$(scenario_args "${scenario}")"
  app_args+=("${extra_app_args[@]}")
  prestop=$(scenario_prestop "${scenario}")
  level_load "${level}"
  use_scenario_jvm "${scenario}"
  log "Run ${scenario}, ${topology}, ${level} traffic, endpoint lag ${lag}s, round ${round} of ${rounds}"
  {
    echo "scenario=${scenario} topology=${topology} level=${level} lag=${lag} round=${round} replicas=${replicas} swaps=${swaps}"
    echo "java=${JAVA} ($("${JAVA}" -version 2>&1 | head -n 1)) jar=${JAR} jvm=${JVM_OPTS[*]} args=${app_args[*]}"
    echo "wrk: ${wrk_connections} connections, ${wrk_pause} ms pause; hey: ${hey_workers} workers x ${hey_rate}/s"
    echo "client: keep-alive ${keepalive_pause} ms pause, new-connection ${newconn_pause} ms pause, ${slow_streams} x ${slow_path} with ${slow_pause} ms pause ${client_args[*]}"
  } >"${run}/run.txt"
  echo "${bucket_ms}" >"${run}/bucket_ms"

  write_haproxy_config "${run}/haproxy.cfg" "${topology}" "${lb}" "${api}" "${base}"
  haproxy -f "${run}/haproxy.cfg" -db >"${run}/haproxy.log" 2>&1 &
  local haproxy_pid=$!
  local waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/${api}") 2>/dev/null; do
    if ! kill -0 "${haproxy_pid}" 2>/dev/null || ((waited > 50)); then
      cat "${run}/haproxy.log" >&2
      fail "HAProxy did not start (haproxy.log)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done

  [[ "${prometheus}" == true ]] && start_prometheus "${run}" "${base}"
  for ((slot = 1; slot <= replicas; slot++)); do
    start_replica_at "${run}" "${slot}" "${base}" "${app_args[@]}"
  done
  for ((slot = 1; slot <= replicas; slot++)); do
    wait_replica_ready "${run}" "${slot}" "${base}"
  done
  [[ "${scenario}" == quiet-aot* ]] && check_aot_cache "${run}"

  local t0
  t0=$(now_ms)
  echo "${t0}" >"${run}/t0_ms"
  WRK_PAUSE_MS=${wrk_pause} wrk -t1 -c"${wrk_connections}" -d"${duration}s" --timeout 10s -s "${BENCH_DIR}/paced.lua" \
    "http://127.0.0.1:${lb}${path}" >"${run}/wrk.txt" 2>&1 &
  local wrk_pid=$!
  hey -z "${duration}s" -c "${hey_workers}" -q "${hey_rate}" -t 10 -disable-keepalive "http://127.0.0.1:${lb}${path}" >"${run}/hey.txt" 2>&1 &
  local hey_pid=$!
  java -cp "${client_classpath}" RolloutClient --port "${lb}" --seconds "${duration}" --out "${run}/events.csv" \
    --path "${path}" --slow-path "${slow_path}" --keepalive-pause-ms "${keepalive_pause}" \
    --newconn-pause-ms "${newconn_pause}" --slow-streams "${slow_streams}" --slow-pause-ms "${slow_pause}" \
    --stop-file "${run}/stop" "${client_args[@]}" >"${run}/client.log" 2>&1 &
  local client_pid=$!
  sleep 3

  local -a deletions=()
  local old new launched
  for ((old = 1; old <= swaps; old++)); do
    new=$((replicas + old))
    launched=$(now_ms)
    start_replica_at "${run}" "${new}" "${base}" "${app_args[@]}"
    echo "${launched}" >"${run}/replica-${new}/launch_ms"
    wait_replica_ready "${run}" "${new}" "${base}"
    now_ms >"${run}/replica-${new}/ready_ms"
    haproxy_api "${api}" "enable server be/s${new}"
    delete_replica "${run}" "${old}" "${lag}" "${prestop}" "${api}" &
    deletions+=($!)
  done
  now_ms >"${run}/rollout_done_ms"
  wait "${deletions[@]}"
  now_ms >"${run}/old_exited_ms"
  # Keep the load a little longer than the last exit, then stop every client (wrk and hey
  # print their totals on SIGINT).
  sleep 3
  now_ms >"${run}/load_end_ms"
  touch "${run}/stop"
  kill -INT "${wrk_pid}" "${hey_pid}" 2>/dev/null || true
  wait "${wrk_pid}" "${hey_pid}" || true
  local client_exit=0
  wait "${client_pid}" || client_exit=$?
  [[ "${prometheus}" == true ]] && report_prometheus "${run}" "${base}"

  for ((slot = replicas + 1; slot <= replicas + swaps; slot++)); do
    kill -TERM "$(cat "${run}/replica-${slot}/pid")" 2>/dev/null || true
  done
  for ((slot = swaps + 1; slot <= replicas; slot++)); do
    kill -TERM "$(cat "${run}/replica-${slot}/pid")" 2>/dev/null || true
  done
  kill "${haproxy_pid}" 2>/dev/null || true
  wait "${haproxy_pid}" 2>/dev/null || true
  # The remaining replicas get the grace period, as the kubelet gives it, then SIGKILL.
  local kill_after=$(($(now_ms) + grace * 1000))
  for ((slot = 1; slot <= replicas + swaps; slot++)); do
    until [[ -s "${run}/replica-${slot}/exit" ]]; do
      if (($(now_ms) > kill_after)); then
        kill -KILL "$(cat "${run}/replica-${slot}/pid")" 2>/dev/null || true
      fi
      sleep 0.1
    done
  done
  if [[ "${scenario}" == quiet-aot* ]]; then
    check_aot_cache "${run}"
  fi
  # A client that stopped counting would leave its columns looking clean: the run fails.
  if ((client_exit != 0)) || [[ ! -s "${run}/events.csv" ]]; then
    tail -n 20 "${run}/client.log" >&2
    fail "the timestamped client exited with ${client_exit}: $(grep -m 1 -E 'Exception|Error' "${run}/client.log" || echo 'no events.csv') (client.log)"
  fi
  grep -q 'requests in' "${run}/wrk.txt" || fail "wrk printed no totals (wrk.txt)"
  grep -q 'Summary:' "${run}/hey.txt" || fail "hey printed no totals (hey.txt)"
}

# run_dir "SCENARIO TOPOLOGY LEVEL LAG ROUND": that run's directory.
run_dir() {
  local scenario topology level lag round
  read -r scenario topology level lag round <<<"$1"
  echo "${work}/$(run_name "${scenario}" "${topology}" "${level}" "${lag}" "${round}")"
}
run_failed() { [[ -s "$1/failure.txt" ]]; }

# timeline RUN: replica-events.csv (each deleted replica's deletion, SIGTERM, endpoint removal
# and exit) and failures.csv (each failed timestamped request, why, and its offset in seconds
# from the nearest SIGTERM, removal and exit: negative before it).
timeline() {
  local run=$1 t0 slot event
  t0=$(cat "${run}/t0_ms")
  {
    echo "replica,event,epoch_ms,seconds_since_load_start"
    for ((slot = 1; slot <= swaps; slot++)); do
      for event in delete term removal exit; do
        awk -v r="${slot}" -v e="${event}" -v t0="${t0}" '{printf "%d,%s,%.0f,%.3f\n", r, (e == "term") ? "sigterm" : e, $1, ($1 - t0) / 1000}' \
          "${run}/replica-${slot}/${event}_ms"
      done
    done
  } >"${run}/replica-events.csv"
  awk -F, -v t0="${t0}" '
    function nearest(name,    i, best, d, found) {
      found = 0
      for (i = 1; i <= n; i++) {
        if (ev[i] != name) continue
        d = (start - at[i]) / 1000
        if (!found || (d < 0 ? -d : d) < (best < 0 ? -best : best)) { best = d; replica = rep[i]; found = 1 }
      }
      return found ? sprintf("%+.2f", best) : ""
    }
    FNR == 1 {next}
    FILENAME ~ /replica-events/ {n++; rep[n] = $1; ev[n] = $2; at[n] = $3; next}
    $3 != "ok" {start = $1; term = nearest("sigterm"); term_replica = replica
      printf "%.2f,%s,%s,%d,%d,%s,%s,%s,%s,%s\n", ($1 - t0) / 1000, $2, $3, $5, $4, term, nearest("removal"), nearest("exit"), term_replica, $9}
    BEGIN {print "seconds_since_load_start,client,outcome,status,latency_ms,from_nearest_sigterm_s,from_nearest_removal_s,from_nearest_exit_s,replica_of_nearest_sigterm,reason"}
  ' "${run}/replica-events.csv" "${run}/events.csv" >"${run}/failures.csv"
}

# failures_explained RUN: the failed timestamped requests grouped by stream and outcome (with the
# status of an HTTP error), each group with its count and the range of its offsets from the
# nearest SIGTERM, removal and exit.
failures_explained() {
  awk -F, 'NR > 1 {
      key = $2 " " $3 (($3 == "http_error") ? " " $4 : "")
      if (!(key in count)) order[++groups] = key
      count[key]++
      for (i = 6; i <= 8; i++) if ($i != "") {
        if (!((key, i) in lo) || $i < lo[key, i]) lo[key, i] = $i
        if (!((key, i) in hi) || $i > hi[key, i]) hi[key, i] = $i
      }
    }
    function range(key, i) { return ((key, i) in lo) ? sprintf("%+.1f…%+.1f", lo[key, i], hi[key, i]) : "–" }
    END {
      if (groups == 0) { printf "none"; exit }
      for (g = 1; g <= groups; g++) {
        k = order[g]
        printf "%s%s ×%d (SIGTERM %s, removal %s, exit %s s)", (g > 1) ? "; " : "", k, count[k], range(k, 6), range(k, 7), range(k, 8)
      }
    }' "$1/failures.csv"
}

# wrk_counts WRK_OUTPUT: "errors requests kinds". wrk counts completed responses as requests;
# its errors are socket errors (connect, read, write, timeout) and answers of 400 or more.
wrk_counts() {
  awk '/requests in/ {total = $1}
    /Socket errors/ {gsub(",", ""); kinds = ""; for (i = 3; i <= 9; i += 2) if ($(i + 1) > 0) {kinds = kinds sep $i " " $(i + 1); sep = ", "}; failed += $4 + $6 + $8 + $10}
    /Non-2xx or 3xx responses/ {failed += $NF; kinds = kinds sep "status >= 400: " $NF; sep = ", "}
    END {printf "%d %d %s", failed, total, kinds}' "$1"
}

# hey_counts HEY_OUTPUT: "errors requests kinds". hey counts every request once: an answer (by
# status) or an error of Go's HTTP client (refused, reset, EOF, timeout).
hey_counts() {
  awk '/Status code distribution/ {on = 1; next} /Error distribution/ {on = 2; next}
    on == 1 && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); total += $2; if ($1 + 0 >= 400) {failed += $2; kind[$1 " ×"] += $2}}
    on == 2 && /\[[0-9]+\]/ {gsub(/[\[\]]/, "", $1); total += $1; failed += $1
      k = /connection refused/ ? "refused" : /connection reset/ ? "reset" : /EOF/ ? "EOF" : /[Tt]imeout|deadline/ ? "timeout" : "other"
      kind[k] += $1}
    END {printf "%d %d", failed, total; sep = " "; for (k in kind) {printf "%s%s %d", sep, k, kind[k]; sep = ", "}}' "$1"
}

# failed_over TOTAL KINDS: "failed / total (kinds)", the kinds only when there are some.
failed_over() {
  local failed=$1 total=$2 kinds=$3
  if [[ -n "${kinds}" ]]; then
    echo "${failed} / ${total} (${kinds})"
  else
    echo "${failed} / ${total}"
  fi
}

# new_replica_starts RUN: each new replica's launch to readiness, and how its warm-up ended
# (when it had one); for one that never became ready, how long the run waited for it.
new_replica_starts() {
  local run=$1 slot dir starts=""
  for ((slot = replicas + 1; slot <= replicas + swaps; slot++)); do
    dir="${run}/replica-${slot}"
    [[ -s "${dir}/launch_ms" ]] || continue
    if [[ -s "${dir}/ready_ms" ]]; then
      starts+="$(awk -v a="$(cat "${dir}/launch_ms")" -v b="$(cat "${dir}/ready_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s"
      if [[ -n "$(warmup_end "${dir}/app.log")" ]]; then
        starts+=" ($(warmup_end "${dir}/app.log") $(awk -v m="$(warmup_millis "${dir}/app.log")" 'BEGIN {printf "%.1f", m / 1000}') s)"
      fi
    else
      starts+="not ready after $(awk -v a="$(cat "${dir}/launch_ms")" -v b="$(cat "${run}/failed_at_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s"
    fi
    starts+=" "
  done
  echo "${starts:-– }"
}

# summarize ENTRY: the run's table row (row.md), verdict (verdict.txt) and lost requests (failed).
summarize() {
  local scenario topology level lag round run title
  read -r scenario topology level lag round <<<"$1"
  run=$(run_dir "$1")
  title=$(scenario_title "${scenario}")
  ((rounds > 1)) && title+=", round ${round}"
  if run_failed "${run}"; then
    printf '| %s | %s | %s | %s s | failed: %s | – | – | – | – | – | – | – | – | – | – | – | %s| – |\n' "${title}" \
      "$(topology_title "${topology}")" "${level}" "${lag}" "$(tr '|\n' '/ ' <"${run}/failure.txt" | sed 's/ *$//')" "$(new_replica_starts "${run}")" >"${run}/row.md"
    echo "Run failed: $(cat "${run}/failure.txt")" >"${run}/verdict.txt"
    echo 0 >"${run}/failed"
    return
  fi
  timeline "${run}"
  buckets "${run}"
  local t0 client client_total client_failed framing exits stops delays killed rollout rate slowest total failed
  local wrk_failed wrk_total wrk_kinds hey_failed hey_total hey_kinds
  t0=$(cat "${run}/t0_ms")
  read -r wrk_failed wrk_total wrk_kinds <<<"$(wrk_counts "${run}/wrk.txt")"
  read -r hey_failed hey_total hey_kinds <<<"$(hey_counts "${run}/hey.txt")"
  client=$(awk -F, 'NR > 1 {t[$2]++; if ($3 != "ok") f[$2]++}
    END {printf "%d / %d | %d / %d | %d / %d", f["keepalive"], t["keepalive"], f["newconn"], t["newconn"], f["slow"], t["slow"]}' "${run}/events.csv")
  client_total=$(awk 'END {print NR - 1}' "${run}/events.csv")
  client_failed=$(awk -F, 'NR > 1 && $3 != "ok" {n++} END {print n + 0}' "${run}/events.csv")
  framing=$(awk -F, 'NR > 1 && $3 == "ok" {n[$6]++} END {for (f in n) {printf "%s%s %d", sep, f, n[f]; sep = ", "}}' "${run}/events.csv")
  exits=""
  stops=""
  delays=""
  killed=0
  slowest=0
  local slot dir
  for ((slot = 1; slot <= swaps; slot++)); do
    dir="${run}/replica-${slot}"
    exits+="$(awk -v a="$(cat "${dir}/term_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s ($(cat "${dir}/exit")) "
    stops+="$(awk -v a="$(cat "${dir}/delete_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}') s "
    slowest=$(awk -v s="${slowest}" -v a="$(cat "${dir}/term_ms")" -v b="$(cat "${dir}/exit_ms")" 'BEGIN {d = (b - a) / 1000; printf "%.1f", (d > s) ? d : s}')
    # "delay 3.1 s (quiet period reached, 12 requests arrived, ...)" from the starter's report line
    delays+="$(sed -n 's/.*Shutdown complete in .*, delay \([0-9.]* m\{0,1\}s\) (\([^,)]*\).*/\1 (\2)/p' "${dir}/app.log" | head -n 1)"
    delays+="; "
    [[ -f "${dir}/killed" ]] && killed=$((killed + 1))
  done
  delays=${delays%; }
  [[ "${delays//[; ]/}" == "" ]] && delays="–"
  rollout=$(awk -v a="$((t0 + 3000))" -v b="$(cat "${run}/old_exited_ms")" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  echo "${rollout}" >"${run}/rollout_s"
  if (($(cat "${run}/old_exited_ms") > t0 + duration * 1000)); then
    rollout+=" s (load ended first: raise --duration)"
  else
    rollout+=" s"
  fi
  total=$((wrk_total + hey_total + client_total))
  rate=$(awk -v n="${total}" -v a="${t0}" -v b="$(cat "${run}/load_end_ms")" -v r="${replicas}" 'BEGIN {printf "%.0f", n / ((b - a) / 1000) / r}')
  failed=$((wrk_failed + hey_failed + client_failed))
  echo "Verdict: lost ${failed} of ${total} requests (timestamped client ${client_failed} of ${client_total}, wrk ${wrk_failed} of ${wrk_total}, hey ${hey_failed} of ${hey_total}); slowest SIGTERM-to-exit ${slowest} s; SIGKILLs ${killed}; timestamped answers framed by ${framing:-nothing}" >"${run}/verdict.txt"
  echo "${failed}" >"${run}/failed"
  printf '| %s | %s | %s | %s s | done | %s | %s | %s | %s | %s | %s| %s| %s | %s | %s| %s |\n' "${title}" \
    "$(topology_title "${topology}")" "${level}" "${lag}" "${rate}" "${client}" "$(failures_explained "${run}")" \
    "$(failed_over "${wrk_failed}" "${wrk_total}" "${wrk_kinds}")" "$(failed_over "${hey_failed}" "${hey_total}" "${hey_kinds}")" \
    "${exits}" "${stops}" "${delays}" "${killed}" "$(new_replica_starts "${run}")" "${rollout}" >"${run}/row.md"
}

# Buckets of the timestamped client's outcomes and the replicas' events, for gnuplot.
buckets() {
  local run=$1 bucket
  bucket=$(cat "${run}/bucket_ms")
  awk -F, -v t0="$(cat "${run}/t0_ms")" -v w="${bucket}" 'NR > 1 {b = int(($1 - t0) / w); if ($3 == "ok") ok[b]++; else bad[b]++; if (b > max) max = b}
    END {for (i = 0; i <= max; i++) printf "%.1f %d %d\n", i * w / 1000, ok[i], bad[i]}' "${run}/events.csv" >"${run}/buckets.dat"
}

# whole_rollout: per scenario, balancer, level and lag, the medians over the rounds of the whole
# rollout (first new replica's launch to the last old replica's exit), of each new replica's
# launch to readiness and of each old replica's pod deletion to exit; and the requests lost.
# Failed runs count in no median: their round says "failed".
whole_rollout() {
  local entry other scenario topology level lag round s t l g run slot rollouts starts stops lost seen=" "
  echo "| scenario | balancer | traffic | endpoint lag | whole rollout, median | each round | new replica launch to ready, median | pod deletion to exit, median | lost requests |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for entry in "${done_runs[@]}"; do
    read -r scenario topology level lag round <<<"${entry}"
    [[ "${seen}" == *" ${scenario}/${topology}/${level}/${lag} "* ]] && continue
    seen+="${scenario}/${topology}/${level}/${lag} "
    rollouts="" starts="" stops="" lost=0
    for other in "${done_runs[@]}"; do
      read -r s t l g _ <<<"${other}"
      [[ "${s} ${t} ${l} ${g}" == "${scenario} ${topology} ${level} ${lag}" ]] || continue
      run=$(run_dir "${other}")
      if run_failed "${run}"; then
        rollouts+="failed "
        continue
      fi
      rollouts+="$(cat "${run}/rollout_s") "
      lost=$((lost + $(cat "${run}/failed")))
      for ((slot = 1; slot <= swaps; slot++)); do
        stops+="$(($(cat "${run}/replica-${slot}/exit_ms") - $(cat "${run}/replica-${slot}/delete_ms"))) "
        starts+="$(($(cat "${run}/replica-$((replicas + slot))/ready_ms") - $(cat "${run}/replica-$((replicas + slot))/launch_ms"))) "
      done
    done
    printf '| %s | %s | %s | %s s | %s | %s | %s | %s | %s |\n' "$(scenario_title "${scenario}")" "$(topology_title "${topology}")" \
      "${level}" "${lag}" "$(seconds_median "${rollouts//failed/}" 1)" "${rollouts% }" \
      "$(seconds_median "${starts}" 1000)" "$(seconds_median "${stops}" 1000)" "${lost}"
  done
}
# seconds_median "NUMBERS" DIVISOR: their median over DIVISOR, in seconds, or – without numbers.
seconds_median() {
  if [[ -z "${1// /}" ]]; then
    echo "–"
  else
    tr ' ' '\n' <<<"$1" | grep . | median | awk -v d="$2" '{printf "%.1f s", $1 / d}'
  fi
}

chart() {
  local png=$1 entry scenario topology level lag round run event color dash cols rows
  local -a charted=()
  for entry in "${done_runs[@]}"; do
    run_failed "$(run_dir "${entry}")" || charted+=("${entry}")
  done
  ((${#charted[@]} > 0)) || return 0
  cols=${#topologies[@]}
  ((cols > ${#charted[@]})) && cols=${#charted[@]}
  rows=$(((${#charted[@]} + cols - 1) / cols))
  {
    echo "set terminal pngcairo size $((640 * cols)),$((230 * rows + 40)) font 'sans,9'"
    echo "set output '${png}'"
    echo "set multiplot layout ${rows},${cols} title 'Timestamped client (keep-alive, new-connection, slow requests) during a rolling restart of ${replicas} replicas; lines per old replica: SIGTERM (dashed grey), endpoint removal (dotted blue), exit (solid orange); red: failed requests'"
    echo "set xlabel 'seconds since load start'; set ylabel 'requests per bucket'; set key top right; set grid"
    echo "set style fill solid 1.0 noborder"
    for entry in "${charted[@]}"; do
      read -r scenario topology level lag round <<<"${entry}"
      run=$(run_dir "${entry}")
      echo "set title '$(run_title "${scenario}" "${topology}" "${level}" "${lag}" "${round}") ($(cat "${run}/bucket_ms") ms buckets)'"
      echo "unset arrow"
      while IFS=, read -r _ event _ seconds; do
        case "${event}" in
          sigterm) color='#555555' dash=2 ;;
          removal) color='#1f77b4' dash=3 ;;
          exit) color='#ff7f0e' dash=1 ;;
          *) continue ;;
        esac
        echo "set arrow from ${seconds}, graph 0 to ${seconds}, graph 1 nohead dashtype ${dash} linecolor rgb '${color}'"
      done < <(tail -n +2 "${run}/replica-events.csv")
      echo "plot '${run}/buckets.dat' using 1:2 with lines linecolor rgb '#2e8b57' title 'ok', '' using 1:3 with boxes linecolor rgb '#d62728' title 'failed', '' using 1:(\$3 > 0 ? \$3 : 1/0) with points pointtype 7 pointsize 0.6 linecolor rgb '#d62728' notitle"
    done
    echo "unset multiplot"
  } >"${work}/chart.gp"
  gnuplot "${work}/chart.gp"
}

# write_results: the table of every run done so far, their verdicts and the whole-rollout
# medians (table.md; NAME.md and NAME.png too unless --smoke). Called after each run, so that a
# run that fails, or an interrupted matrix, keeps what the runs before it measured.
write_results() {
  local table="${work}/table.md" entry
  {
    echo "| scenario | balancer | traffic | endpoint lag | run | load (req/s per replica) | timestamped client, failed / requests: keep-alive | new-connection | slow requests | timestamped failures by stream and outcome (seconds from the nearest SIGTERM, removal, exit) | wrk keep-alive: errors / requests (kinds) | hey new connections: errors / requests (kinds) | SIGTERM to exit per replica (exit code) | pod deletion to exit per replica | delay per replica (why it ended) | SIGKILLs | new replica launch to ready (warm-up) | rollout (first new replica to last old exit) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for entry in "${done_runs[@]}"; do
      cat "$(run_dir "${entry}")/row.md"
    done
    echo
    for entry in "${done_runs[@]}"; do
      read -r scenario topology level lag round <<<"${entry}"
      echo "- $(run_title "${scenario}" "${topology}" "${level}" "${lag}" "${round}"): $(cat "$(run_dir "${entry}")/verdict.txt")"
    done
    echo
    echo "The timestamped client records each request once: ok is an answer below 400; its failures are answers of 400 or more (http_error), refused, reset, closed_before_response, closed_during_response, timeout (10 s), bad_response and io_error, each placed against the nearest SIGTERM, endpoint removal and exit (failures.csv; negative: before it). wrk counts completed responses as requests, and as errors its socket errors (connect, read, write, timeout: a read error is a connection that failed or closed, with or without a request in flight) and its answers of 400 or more; hey counts each request once, as an answer (400 or more failed) or an error of Go's HTTP client."
    echo
    echo "Whole rollout (first new replica's launch to the last old replica's exit), by scenario; medians of ${rounds} round(s):"
    echo
    whole_rollout
  } >"${table}"
  if [[ "${smoke}" != true ]]; then
    cp "${table}" "${out}/${results_name}.md"
    [[ "${draw_chart}" == true ]] && chart "${out}/${results_name}.png"
  fi
  return 0
}

# stop_run RUN: what a run that failed left running: its replicas' JVMs, then the load, HAProxy
# and Prometheus (the run's background jobs).
stop_run() {
  local run=$1 dir
  for dir in "${run}"/replica-*; do
    if [[ -s "${dir}/pid" && ! -s "${dir}/exit" ]]; then
      kill -KILL "$(cat "${dir}/pid")" 2>/dev/null || true
    fi
  done
  jobs -p | xargs -r kill 2>/dev/null || true
}

ensure_tools haproxy wrk hey curl
[[ "${prometheus}" == true ]] && ensure_tools prometheus jq
[[ "${smoke}" == true || "${draw_chart}" == false ]] || ensure_tools gnuplot
[[ -n "${jar}" ]] || ensure_jar
mkdir -p "${work}" "${out}"
if [[ -z "${client_classpath}" ]]; then
  log "Copying Apache HttpClient 5 for the timestamped client"
  rm -rf "${work}/client-lib"
  if ! "${REPOSITORY}/mvnw" -B -q -f "${BENCH_DIR}/rollout-client.pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="${work}/client-lib" >"${work}/client-lib.log" 2>&1; then
    cat "${work}/client-lib.log" >&2
    fail "Maven could not copy the timestamped client's libraries (${work}/client-lib.log)"
  fi
  client_classpath="${work}/client-lib/*"
fi
rm -rf "${work}/classes"
javac -cp "${client_classpath}" -d "${work}/classes" "${BENCH_DIR}/RolloutClient.java"
client_classpath="${work}/classes:${client_classpath}"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
base_java=${JAVA}
base_jar=${JAR}
base_jvm_opts=("${JVM_OPTS[@]}")
# quiet-aot's replicas start from the jar extracted and trained here once, at the same paths; if
# that fails, so do the quiet-aot runs, with its reason, and the others go on.
aot_failure=""
if [[ " ${runs[*]%% *} " == *" quiet-aot"* ]]; then
  # The paths train_aot_cache gives, which its subshell cannot hand back.
  AOT_JAR="${work}/aot/app/$(basename "${base_jar}")"
  AOT_CACHE="${work}/aot/app/app.aot"
  rm -f "${work}/aot-failure.txt"
  if ! (FAILURE_FILE="${work}/aot-failure.txt" && train_aot_cache "${java25}" "${base_jar}" "${work}/aot" "${base_jvm_opts[@]}"); then
    aot_failure=$(cat "${work}/aot-failure.txt" 2>/dev/null || echo "the AOT cache training failed")
  fi
fi

started=$(date +%s)
base=${base_port}
done_runs=()
failed_runs=0
for entry in "${runs[@]}"; do
  if [[ -n "${budget}" ]] && (($(date +%s) - started > budget * 60)); then
    log "Budget of ${budget} minutes spent: skipping the other $((${#runs[@]} - ${#done_runs[@]})) run(s)"
    break
  fi
  read -r scenario topology level lag round <<<"${entry}"
  run=$(run_dir "${entry}")
  rm -rf "${run}"
  mkdir -p "${run}"
  # Each run in its own shell: whatever stops it (fail, an unexpected error) stops only it, and
  # its trap stops what it started.
  set +e
  (
    set -e
    FAILURE_FILE="${run}/failure.txt"
    trap 'stop_run "${run}"' EXIT
    if [[ "${scenario}" == quiet-aot* && -n "${aot_failure}" ]]; then
      fail "${aot_failure}"
    fi
    run_scenario "${scenario}" "${topology}" "${level}" "${lag}" "${round}" "${base}"
  )
  run_exit=$?
  set -e
  if ((run_exit != 0)); then
    now_ms >"${run}/failed_at_ms"
    [[ -s "${run}/failure.txt" ]] || echo "stopped with exit code ${run_exit} (see the log above)" >"${run}/failure.txt"
    failed_runs=$((failed_runs + 1))
  fi
  done_runs+=("${entry}")
  summarize "${entry}"
  log "$(run_title "${scenario}" "${topology}" "${level}" "${lag}" "${round}"): $(cat "${run}/verdict.txt")"
  write_results
  base=$((base + 40))
done

cat "${work}/table.md"
total_failed=0
for entry in "${done_runs[@]}"; do
  read -r scenario topology level lag round <<<"${entry}"
  run=$(run_dir "${entry}")
  [[ "${scenario}" == vanilla || "${scenario}" == prestop ]] || total_failed=$((total_failed + $(cat "${run}/failed")))
  if [[ -s "${run}/failures.csv" ]] && (($(wc -l <"${run}/failures.csv") > 1)); then
    echo "Failed timestamped requests of ${run##*/} (${run}/failures.csv):"
    head -n 11 "${run}/failures.csv"
  fi
done
log "Took $(($(date +%s) - started)) s"
[[ "${smoke}" == true ]] || log "Wrote ${out}/${results_name}.md$([[ "${draw_chart}" == true ]] && echo " and ${out}/${results_name}.png")"

if ((failed_runs > 0)); then
  echo "${failed_runs} of ${#done_runs[@]} run(s) failed: their rows say why" >&2
  exit 1
fi
if [[ "${smoke}" == true ]]; then
  if ((total_failed > 0)); then
    echo "SMOKE FAILED: the starter lost ${total_failed} request(s)" >&2
    exit 1
  fi
  echo "Smoke passed: no request lost in a swap of the defaults at high traffic and of the quiet period at low traffic"
fi
