#!/usr/bin/env bash
# Plain Boot beside the starter on a scheduled job at shutdown: the sample app's job
# (sample.job.duration) gets SIGTERM one second after it started, and the table says how the
# job ended, when the process exited and what the shutdown report said.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/background-work.sh [--rounds N] [--out DIR]

Runs the packaged sample app (built when missing) once per set-up and round, each with a
scheduled job, and sends SIGTERM 1 s into the job's first run (grace period 30 s):

  plain          plain Boot (--lifecycle.enabled=false), 12 s job
  starter-k8s    the starter with the Kubernetes defaults (delay 5 s), 12 s job
  starter        the starter outside Kubernetes (delay 0), 12 s job
  plain-long     plain Boot, 60 s job: longer than the grace period
  starter-long   the starter, 60 s job

  --rounds N   runs of each set-up (default 1)
  --out DIR    where the logs and results.md go (default bench/results/background-work-<time>)

Writes a Markdown table to DIR/results.md and prints it.
USAGE
}

rounds=1
out="${BENCH_DIR}/results/background-work-$(date +%Y%m%d-%H%M%S)"
while (($# > 0)); do
  case "$1" in
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "${rounds}" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: --rounds must be a whole number of 1 or more, was ${rounds}" >&2
  exit 2
fi

ensure_tools curl
ensure_jar
trap stop_all_replicas EXIT
mkdir -p "${out}"

setup_args() {
  case "$1" in
    plain) echo "--lifecycle.enabled=false --sample.job.duration=12s" ;;
    starter-k8s) echo "--spring.main.cloud-platform=kubernetes --sample.job.duration=12s" ;;
    starter) echo "--sample.job.duration=12s" ;;
    plain-long) echo "--lifecycle.enabled=false --sample.job.duration=60s" ;;
    starter-long) echo "--sample.job.duration=60s" ;;
  esac
}

# job_outcome LOG: how the job's first run ended, from its own log line.
job_outcome() {
  grep -o 'Job report-1 \(finished\|interrupted\|ignored an interrupt\) after [0-9]* ms' "$1" | head -n 1 |
    sed -E 's/Job report-1 (.*) after ([0-9]+) ms/\1 after \2 ms/' || true
}

# report LOG: the tasks part of the starter's report line, or Boot's own word on the phase.
report() {
  local line
  line=$(grep -o 'abandoned [0-9]*, tasks finished .*, close' "$1" | sed 's/, close$//' | head -n 1 || true)
  if [[ -z "${line}" ]]; then
    line=$(grep -o 'Shutdown phase [0-9]* ends with .* still running after timeout of [0-9]*ms' "$1" | head -n 1 || true)
  fi
  echo "${line:-–}"
}

{
  echo "| set-up | round | SIGTERM into the job | the job | process exit after SIGTERM | exit code | shutdown report |"
  echo "|---|---|---|---|---|---|---|"
} >"${out}/results.md"

port=18080
for setup in plain starter-k8s starter plain-long starter-long; do
  for round in $(seq 1 "${rounds}"); do
    dir="${out}/${setup}-${round}"
    read -r -a args <<<"$(setup_args "${setup}")"
    log "${setup}, round ${round}"
    start_replica "${dir}" "${port}" $((port + 1)) --lifecycle.warmup.enabled=false --sample.job.interval=1h \
      --sample.job.initial-delay=4s "${args[@]}"
    wait_ready "${dir}" $((port + 1))
    until grep -q 'Job report-1 started' "${dir}/app.log"; do
      if [[ -s "${dir}/exit" ]]; then
        echo "error: the app exited before its job started" >&2
        exit 1
      fi
      sleep 0.02
    done
    job_start=$(now_ms)
    sleep 1
    sigterm=$(now_ms)
    kill -TERM "$(cat "${dir}/pid")"
    until [[ -s "${dir}/exit" ]]; do
      sleep 0.05
    done
    exit_ms=$(($(cat "${dir}/exit_ms") - sigterm))
    printf '| %s | %s | %d ms | %s | %d.%01d s | %s | %s |\n' "${setup}" "${round}" $((sigterm - job_start)) \
      "$(job_outcome "${dir}/app.log")" $((exit_ms / 1000)) $((exit_ms % 1000 / 100)) "$(cat "${dir}/exit")" \
      "$(report "${dir}/app.log")" >>"${out}/results.md"
  done
done
cat "${out}/results.md"
