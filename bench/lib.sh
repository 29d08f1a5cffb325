# Shared by the bench scripts: tools, the sample app jar, replicas, HAProxy's runtime API.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPOSITORY=$(cd "${BENCH_DIR}/.." && pwd)
JAR="${REPOSITORY}/sample-app/target/sample-app.jar"
# The same sample app built on Spring Boot 3.5 with the Boot 3 starter.
JAR_BOOT3="${REPOSITORY}/sample-app-boot3/target/sample-app-boot3.jar"
# The java that start_replica runs: JAVA=/path/to/bin/java bench/rollout.sh ... picks another JDK.
JAVA=${JAVA:-java}
# Small heaps and the serial collector: several JVMs share two cores.
JVM_OPTS=(-Xmx256m -XX:+UseSerialGC)
# The Java 25 java of the JDK AOT cache runs: JAVA25_HOME's when set, else Temurin 25 as Debian
# installs it; the scripts' --java25 PATH overrides it.
JAVA25=${JAVA25_HOME:+${JAVA25_HOME}/bin/java}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}

now_ms() { date +%s%3N; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# fail MESSAGE: stops the script (or the run's subshell) with "error: MESSAGE", and writes
# MESSAGE to FAILURE_FILE when set: bench/rollout.sh records there why a run failed.
FAILURE_FILE=""
fail() {
  echo "error: $1" >&2
  if [[ -n "${FAILURE_FILE}" ]]; then
    echo "$1" >"${FAILURE_FILE}"
  fi
  exit 1
}

# median: the median of the numbers on standard input, one a line.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Installs the Debian packages the benchmarks drive, when missing.
ensure_tools() {
  local missing=() tool package
  for tool in "$@"; do
    case "${tool}" in
      gnuplot) package=gnuplot-nox ;;
      *) package="${tool}" ;;
    esac
    command -v "${tool}" >/dev/null 2>&1 || missing+=("${package}")
  done
  if ((${#missing[@]} > 0)); then
    log "Installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
      fail "${missing[*]} missing and not root: install them with apt-get"
    fi
    apt-get update -qq
    # No service started: Debian's prometheus package would start a server on port 9090.
    "${REPOSITORY}/.ci/apt-install" "${missing[@]}" >/dev/null
  fi
}

# Builds the sample app jars (Boot 4, and Boot 3.5) when one is missing or older than a source
# or build file, so a benchmark never measures stale code.
ensure_jar() {
  local jar
  for jar in "${JAR}" "${JAR_BOOT3}"; do
    if [[ ! -f "${jar}" ]] || [[ -n $(find "${REPOSITORY}/lifecycle-core" "${REPOSITORY}/lifecycle-starter" \
      "${REPOSITORY}/lifecycle-spring-boot3-starter" "${REPOSITORY}/sample-app" "${REPOSITORY}/sample-app-boot3" \
      "${REPOSITORY}/pom.xml" -path '*/target' -prune -o -type f -newer "${jar}" -print -quit) ]]; then
      log "Building the sample apps"
      (cd "${REPOSITORY}" && ./mvnw -B -q -DskipTests -Dinvoker.skip=true package)
      return
    fi
  done
}

# Every replica started, so that an interrupted run leaves no JVM behind.
REPLICA_PIDS_FILE=$(mktemp)

stop_all_replicas() {
  xargs -r kill -KILL <"${REPLICA_PIDS_FILE}" 2>/dev/null || true
  rm -f "${REPLICA_PIDS_FILE}"
}

# port_free PORT: whether nothing listens on 127.0.0.1:PORT.
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_replica DIR PORT MANAGEMENT_PORT [APP_ARGS...]: starts the jar in the background.
# DIR receives pid, exit and exit_ms (code and time, once it exited) and app.log.
start_replica() {
  local dir=$1 port=$2 management_port=$3
  shift 3
  if ! port_free "${port}" || ! port_free "${management_port}"; then
    fail "port ${port} or ${management_port} is taken: is an earlier run still going?"
  fi
  mkdir -p "${dir}"
  (
    "${JAVA}" "${JVM_OPTS[@]}" -jar "${JAR}" --server.port="${port}" --management.server.port="${management_port}" \
      --logging.level.root=WARN --logging.level.dev.lifecycle=INFO "$@" >"${dir}/app.log" 2>&1 &
    local pid=$!
    echo "${pid}" >"${dir}/pid"
    local code=0
    wait "${pid}" || code=$?
    now_ms >"${dir}/exit_ms"
    echo "${code}" >"${dir}/exit"
  ) &
  local waited=0
  until [[ -s "${dir}/pid" ]] || ((waited > 100)); do
    sleep 0.05
    waited=$((waited + 1))
  done
  cat "${dir}/pid" >>"${REPLICA_PIDS_FILE}"
}

# wait_ready DIR PORT [PATH [TIMEOUT_SECONDS]]: waits for the replica's readiness probe, by
# default Boot's own group on the management port (there with or without the starter), for at
# most TIMEOUT_SECONDS (default 300: a real application's start on a node busy with other pods
# and the load can pass 120 s); fails if the replica died first or is still not ready then.
wait_ready() {
  local dir=$1 port=$2 path=${3:-/actuator/health/readiness} timeout=${4:-300} deadline
  deadline=$(($(date +%s) + timeout))
  until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:${port}${path}"; do
    if [[ -s "${dir}/exit" ]]; then
      tail -n 20 "${dir}/app.log" >&2
      fail "the replica on port ${port} exited (code $(cat "${dir}/exit")) before it was ready (${dir##*/}/app.log)"
    fi
    if (($(date +%s) > deadline)); then
      tail -n 20 "${dir}/app.log" >&2
      fail "the replica on port ${port} was not ready after ${timeout} s (--ready-timeout; ${dir##*/}/app.log)"
    fi
    sleep 0.1
  done
}

# haproxy_api PORT COMMAND: one command on HAProxy's runtime API.
haproxy_api() {
  local port=$1 command=$2
  exec 3<>"/dev/tcp/127.0.0.1/${port}"
  printf '%s\n' "${command}" >&3
  timeout 2 cat <&3 >/dev/null || true
  exec 3>&-
}

# train_aot_cache JAVA UBER_JAR DIR [JVM_OPTIONS...]: the JDK AOT cache as sample-app/Dockerfile
# makes it: the jar's layers extracted into DIR/app, then one training run that refreshes the
# context and exits (-XX:AOTCacheOutput, -Dspring.context.exit=onRefresh), with the JVM options
# the replicas will run with (a cache is only used by a compatible JVM). Sets AOT_JAR, the
# extracted jar, and AOT_CACHE: start the replicas with JAVA, -XX:AOTCache=AOT_CACHE and -jar
# AOT_JAR, this very path (the cache records the class path as given).
train_aot_cache() {
  local java=$1 uber_jar=$2 dir=$3 layer
  shift 3
  if ! command -v "${java}" >/dev/null 2>&1; then
    fail "no Java 25 at ${java}: give --java25 PATH or set JAVA25_HOME"
  fi
  log "Training the JDK AOT cache with $("${java}" -version 2>&1 | head -n 1)"
  rm -rf "${dir}"
  mkdir -p "${dir}/layers" "${dir}/app"
  "${java}" -Djarmode=tools -jar "${uber_jar}" extract --layers --destination "${dir}/layers" >/dev/null
  for layer in dependencies spring-boot-loader snapshot-dependencies application; do
    cp -a "${dir}/layers/${layer}/." "${dir}/app/"
  done
  AOT_JAR="${dir}/app/$(basename "${uber_jar}")"
  AOT_CACHE="${dir}/app/app.aot"
  if ! "${java}" "$@" -XX:AOTCacheOutput="${AOT_CACHE}" -Dspring.context.exit=onRefresh -jar "${AOT_JAR}" \
    >"${dir}/training.log" 2>&1 || [[ ! -s "${AOT_CACHE}" ]]; then
    tail -n 20 "${dir}/training.log" >&2
    fail "the training run made no AOT cache (${dir}/training.log)"
  fi
}

# aot_cache_problems LOG...: the warnings and errors about the AOT cache that the JVM printed in
# these logs, counted. A refused cache is not fatal to the JVM: it starts without, slower.
aot_cache_problems() {
  cat "$@" | grep -c -E '\[(warning|error) *\]\[aot' || true
}

# warmup_end LOG: how the replica's warm-up ended, from its log line: settled, cap, completed
# (a fixed count), timeout or failed.
warmup_end() {
  grep -o -E 'Warm-up (complete in [0-9]+ ms(, the JIT settled|, each path requested its iterations)?|stopped by its budget|stopped after [0-9]+ ms, every path failed)' "$1" |
    sed -E 's/Warm-up complete in [0-9]+ ms, the JIT settled/settled/; s/Warm-up complete in [0-9]+ ms, each path.*/cap/;
      s/Warm-up complete in [0-9]+ ms/completed/; s/Warm-up stopped by its budget/timeout/; s/Warm-up stopped after.*/failed/' |
    tail -n 1
}

# warmup_millis LOG: how long the replica's warm-up took, in ms, from the same line.
warmup_millis() {
  grep -o -E 'Warm-up (complete in|stopped by its budget after|stopped after) [0-9]+ ms' "$1" | grep -o -E '[0-9]+' | tail -n 1
}

# cpu_sample PID: CPU time used so far, in clock ticks: the machine's busy and total time (all
# cores), the JVM's, and its JIT compiler threads' (C1 and C2), on one line.
cpu_sample() {
  local pid=$1 task jit=0 jvm
  for task in /proc/"${pid}"/task/*; do
    [[ "$(cat "${task}/comm" 2>/dev/null)" == "C"[12]" CompilerThre"* ]] || continue
    # Past "pid (comm) ", which may hold spaces: utime and stime are the 12th and 13th fields.
    jit=$((jit + $(sed 's/.*) //' "${task}/stat" 2>/dev/null | awk '{s = $12 + $13} END {print s + 0}')))
  done
  jvm=$(sed 's/.*) //' "/proc/${pid}/stat" | awk '{print $12 + $13}')
  # user nice system idle iowait irq softirq steal (guest time is already in user and nice)
  awk -v jvm="${jvm}" -v jit="${jit}" '$1 == "cpu" {total = 0; for (i = 2; i <= 9; i++) total += $i; print total - $5 - $6, total, jvm, jit; exit}' /proc/stat
}

# cpu_between BEFORE AFTER: from two cpu_sample lines, the machine's CPU busy (% of all cores),
# the JVM's and its JIT compiler threads' CPU time in between (s).
cpu_between() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "%.0f %.2f %.2f", 100 * (y[1] - x[1]) / (y[2] - x[2]), (y[3] - x[3]) / hz, (y[4] - x[4]) / hz}'
}
