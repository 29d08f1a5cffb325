# Shared by the bench scripts: tools, the sample app jar, replicas, HAProxy's runtime API.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPOSITORY=$(cd "${BENCH_DIR}/.." && pwd)
JAR="${REPOSITORY}/sample-app/target/sample-app.jar"
# The java that start_replica runs: JAVA=/path/to/bin/java bench/rollout.sh ... picks another JDK.
JAVA=${JAVA:-java}
# Small heaps and the serial collector: several JVMs share two cores.
JVM_OPTS=(-Xmx256m -XX:+UseSerialGC)

now_ms() { date +%s%3N; }

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

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
      echo "error: ${missing[*]} missing and not root: install them with apt-get" >&2
      exit 1
    fi
    apt-get update -qq
    # No service started: Debian's prometheus package would start a server on port 9090.
    "${REPOSITORY}/.ci/apt-install" "${missing[@]}" >/dev/null
  fi
}

# Builds the sample app jar when it is missing or older than a source or build file, so a
# benchmark never measures stale code.
ensure_jar() {
  if [[ ! -f "${JAR}" ]] || [[ -n $(find "${REPOSITORY}/lifecycle-starter" "${REPOSITORY}/sample-app" "${REPOSITORY}/pom.xml" \
    -path '*/target' -prune -o -type f -newer "${JAR}" -print -quit) ]]; then
    log "Building the sample app"
    (cd "${REPOSITORY}" && ./mvnw -B -q -DskipTests package)
  fi
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
    echo "error: port ${port} or ${management_port} is taken: is an earlier run still going?" >&2
    exit 1
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

# wait_ready DIR PORT [PATH]: waits for the replica's readiness probe, by default Boot's own
# group on the management port (there with or without the starter), failing if the replica
# died first.
wait_ready() {
  local dir=$1 port=$2 path=${3:-/actuator/health/readiness} deadline=$(($(date +%s) + 120))
  until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:${port}${path}"; do
    if [[ -s "${dir}/exit" ]] || (($(date +%s) > deadline)); then
      echo "error: the replica on port ${port} did not become ready:" >&2
      tail -n 20 "${dir}/app.log" >&2
      exit 1
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
