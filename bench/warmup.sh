#!/usr/bin/env bash
# Warm-up benchmark: a freshly started replica's launch-to-ready time and the latency of its
# first seconds of traffic against the same replica's steady state, side by side for three JVM
# set-ups and three warm-ups, in interleaved rounds; with the CPU time the machine, the JVM and its
# JIT compiler threads used in each measured phase, to tell what limits the first seconds.
#
#   bench/warmup.sh [--rounds 3]     the published matrix: 9 configurations x 3 rounds, about
#                                    25 minutes on 2 cores
#   bench/warmup.sh --smoke          one round of j17 and j25-aot, off and adaptive, 1 s loads and a
#                                    5 s warm-up budget: checks the script, measures nothing
# Options:
#   --jvms LIST        j17 (java on PATH, the uber jar), j25 (Java 25, the uber jar), j25-aot (Java
#                      25, the extracted jar started with a JDK AOT cache trained once per run, as
#                      in sample-app/Dockerfile) (default all three)
#   --warmups LIST     off, fixed (1000 iterations of each path: the sample's setting), adaptive
#                      (until the JIT settled, with the starter's cap of 50000) (default all three)
#   --java25 PATH      the Java 25 java (default: JAVA25_HOME's, else
#                      /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   --first S --settle S --steady S   load phases in seconds (default 5, 20, 5)
#   --warmup-timeout D   the warm-up budget (default 30s, the starter's)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rounds=3
jvms=(j17 j25 j25-aot)
warmups=(off fixed adaptive)
java25=${JAVA25}
first=5
settle=20
steady=5
warmup_timeout=30s
out="${BENCH_DIR}/results"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --jvms) IFS=, read -r -a jvms <<<"$2"; shift 2 ;;
    --warmups) IFS=, read -r -a warmups <<<"$2"; shift 2 ;;
    --java25) java25=$2; shift 2 ;;
    --first) first=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --steady) steady=$2; shift 2 ;;
    --warmup-timeout) warmup_timeout=$2; shift 2 ;;
    --smoke)
      rounds=1 jvms=(j17 j25-aot) warmups=(off adaptive) first=1 settle=1 steady=1 warmup_timeout=5s
      out="${BENCH_DIR}/work/warmup-smoke"
      shift ;;
    -h | --help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

work="${BENCH_DIR}/work/warmup"
ensure_tools hey curl
ensure_jar
rm -rf "${work}"
mkdir -p "${work}" "${out}"
trap 'stop_all_replicas; jobs -p | xargs -r kill 2>/dev/null || true' EXIT
uber_jar="${JAR}"
base_jvm_opts=("${JVM_OPTS[@]}")

# The AOT cache as sample-app/Dockerfile makes it, trained once with the benchmark's JVM options.
if [[ " ${jvms[*]} " == *" j25-aot "* ]]; then
  train_aot_cache "${java25}" "${uber_jar}" "${work}/aot" "${base_jvm_opts[@]}"
fi

# percentile_ms FILE P: hey's latency distribution line "P% in X secs", in ms.
percentile_ms() { awk -v p="$2%" '$1 == p && $2 == "in" {printf "%.1f", $3 * 1000}' "$1"; }

: >"${work}/results.txt"
for ((round = 1; round <= rounds; round++)); do
  for jvm in "${jvms[@]}"; do
    for warmup in "${warmups[@]}"; do
      config="${jvm}/${warmup}"
      dir="${work}/${jvm}-${warmup}-${round}"
      JVM_OPTS=("${base_jvm_opts[@]}")
      case "${jvm}" in
        j17) JAVA=java; JAR="${uber_jar}" ;;
        j25) JAVA="${java25}"; JAR="${uber_jar}" ;;
        j25-aot)
          JAVA="${java25}"; JAR="${AOT_JAR}"
          JVM_OPTS+=(-XX:AOTCache="${AOT_CACHE}") ;;
        *) echo "unknown JVM ${jvm}" >&2; exit 2 ;;
      esac
      args=()
      case "${warmup}" in
        off) args+=(--lifecycle.warmup.enabled=false) ;;
        fixed) args+=(--lifecycle.warmup.until=iterations --lifecycle.warmup.iterations=1000) ;;
        adaptive) args+=(--lifecycle.warmup.until=jit-settled --lifecycle.warmup.iterations=50000) ;;
        *) echo "unknown warm-up ${warmup}" >&2; exit 2 ;;
      esac
      args+=(--lifecycle.warmup.timeout="${warmup_timeout}")
      launched=$(now_ms)
      start_replica "${dir}" 21102 21103 "${args[@]}"
      # Readiness on the main port, as the kubelet sees it: with warm-up it waits for it.
      wait_ready "${dir}" 21102 /readyz
      ready_s=$(awk -v a="${launched}" -v b="$(now_ms)" 'BEGIN {printf "%.2f", (b - a) / 1000}')
      # What limits the first seconds: the CPU the machine, the JVM and its JIT compiler threads
      # used in each measured phase.
      pid=$(cat "${dir}/pid")
      before=$(cpu_sample "${pid}")
      hey -z "${first}s" -c 4 "http://127.0.0.1:21102/hello" >"${dir}/first.txt"
      first_cpu=$(cpu_between "${before}" "$(cpu_sample "${pid}")")
      hey -z "${settle}s" -c 4 "http://127.0.0.1:21102/hello" >/dev/null
      before=$(cpu_sample "${pid}")
      hey -z "${steady}s" -c 4 "http://127.0.0.1:21102/hello" >"${dir}/steady.txt"
      steady_cpu=$(cpu_between "${before}" "$(cpu_sample "${pid}")")
      kill -TERM "$(cat "${dir}/pid")"
      until [[ -s "${dir}/exit" ]]; do sleep 0.1; done
      # A cache the JVM refused would make j25-aot a plain j25 run: say so in the row.
      aot_problems=$(aot_cache_problems "${dir}/app.log")
      end=- warmup_s=0
      if [[ "${warmup}" != off ]]; then
        end=$(warmup_end "${dir}/app.log")
        warmup_s=$(awk -v m="$(warmup_millis "${dir}/app.log")" 'BEGIN {printf "%.2f", m / 1000}')
      fi
      # config ready p50 p99 steady-p99 end aot-problems warm-up-s, then busy-% JVM-s JIT-s of the first phase and of the steady one
      echo "${config} ${ready_s} $(percentile_ms "${dir}/first.txt" 50) $(percentile_ms "${dir}/first.txt" 99) $(percentile_ms "${dir}/steady.txt" 99) ${end:-?} ${aot_problems} ${warmup_s} ${first_cpu} ${steady_cpu}" >>"${work}/results.txt"
      log "round ${round} ${config}: $(tail -n 1 "${work}/results.txt")"
    done
  done
done

column_median() { awk -v c="$1" -v k="$2" '$1 == c {print $k}' "${work}/results.txt" | median; }
row() {
  local config=$1 ready p50 p99 steady ends aot took cpu
  ready=$(column_median "${config}" 2)
  p50=$(column_median "${config}" 3)
  p99=$(column_median "${config}" 4)
  steady=$(column_median "${config}" 5)
  ends=$(awk -v c="${config}" '$1 == c {print $6}' "${work}/results.txt" | sort | uniq -c | awk '{printf "%s%s×%s", (NR > 1) ? " " : "", $1, $2}')
  aot=$(awk -v c="${config}" '$1 == c {s += $7} END {print s + 0}' "${work}/results.txt")
  took=$(column_median "${config}" 8)
  cpu="$(column_median "${config}" 9) %, JVM $(column_median "${config}" 10) s, JIT $(column_median "${config}" 11) s |"
  cpu+=" $(column_median "${config}" 12) %, JVM $(column_median "${config}" 13) s, JIT $(column_median "${config}" 14) s"
  printf '| %s | %s s | %s ms | %s ms | %s ms | %s | %s | %s s | %s |%s\n' "${config}" "${ready}" "${p50}" "${p99}" "${steady}" \
    "$(awk -v a="${p99}" -v b="${steady}" 'BEGIN {printf "%.2f", a / b}')" "${ends}" "${took}" "${cpu}" \
    "$(if ((aot > 0)); then echo " ${aot} AOT cache warnings: see app.log |"; fi)"
}
{
  echo "| JVM / warm-up | launch to ready | first ${first} s p50 | first ${first} s p99 | steady-state p99 | first p99 / steady p99 | warm-up ended | warm-up took | first ${first} s: machine CPU busy, the JVM's and its JIT threads' CPU time | steady state: the same |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for jvm in "${jvms[@]}"; do
    for warmup in "${warmups[@]}"; do
      row "${jvm}/${warmup}"
    done
  done
  echo
  echo "Medians of ${rounds} interleaved rounds; JVM options ${base_jvm_opts[*]}; load: hey -c 4 on /hello right after"
  echo "/readyz answered 200 (${first} s), ${settle} s more, then ${steady} s for the steady state. Java 25: $("${java25}" -version 2>&1 | head -n 1)."
  echo "CPU: busy share of the machine's $(nproc) cores, and CPU seconds of the JVM and of its C1/C2 compiler threads, over each phase"
  echo "(hey runs on the same cores). Raw rows: bench/work/warmup/results.txt."
} >"${out}/warmup.md"
cat "${out}/warmup.md"
