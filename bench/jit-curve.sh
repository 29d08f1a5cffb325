#!/usr/bin/env bash
# JIT curve: how the JVM's total compilation time grows while the sample app warms up, the data
# behind lifecycle.warmup.settle-window and settle-threshold. The warm-up is held open (huge cap,
# until=iterations) for --seconds; jstat samples the compilation every 250 ms. Prints, every
# second of the warm-up: seconds since it began, methods compiled, total compilation time (s),
# and the compilation added over the trailing --window (ms).
#
#   bench/jit-curve.sh [--java PATH] [--seconds 30] [--window 2] [--jvm-opts "..."]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

seconds=30
window=2
extra_jvm_opts=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --java) JAVA=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --jvm-opts) read -r -a extra_jvm_opts <<<"$2"; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ensure_tools curl
ensure_jar
jstat="$(dirname "$(readlink -f "$(command -v "${JAVA}")")")/jstat"
work="${BENCH_DIR}/work/jit-curve"
rm -rf "${work}"
mkdir -p "${work}"
trap 'kill "${jstat_pid:-}" 2>/dev/null; stop_all_replicas' EXIT

JVM_OPTS+=("${extra_jvm_opts[@]}")
start_replica "${work}" 21402 21403 \
  --lifecycle.warmup.until=iterations --lifecycle.warmup.iterations=100000000 \
  --lifecycle.warmup.timeout="${seconds}s"
pid=$(cat "${work}/pid")
until "${jstat}" -compiler "${pid}" >/dev/null 2>&1; do kill -0 "${pid}" || exit 1; sleep 0.05; done
"${jstat}" -compiler -t "${pid}" 250 >"${work}/jstat.txt" &
jstat_pid=$!
wait_ready "${work}" 21402 /readyz
kill "${jstat_pid}"
kill -TERM "${pid}"
until [[ -s "${work}/exit" ]]; do sleep 0.1; done

# The warm-up begins at ApplicationReadyEvent: Boot's "process running for" in the Started line.
began=$(grep -o 'process running for [0-9.]*' "${work}/app.log" | awk '{print $4}')
echo "# seconds-into-warm-up methods-compiled compilation-s added-over-last-${window}s-ms"
awk -v began="${began}" -v window="${window}" '
  NR > 1 && $1 + 0 > 0 { t[n] = $1; compiled[n] = $2; total[n] = $5; n++ }
  END {
    next_second = 0
    for (i = 0; i < n; i++) {
      if (t[i] - began < next_second) continue
      next_second = int(t[i] - began) + 1
      base = -1
      for (j = i; j >= 0; j--) if (t[i] - t[j] >= window - 0.01) { base = j; break }
      printf "%5.1f %6d %7.2f %6s\n", t[i] - began, compiled[i], total[i], (base >= 0) ? sprintf("%.0f", (total[i] - total[base]) * 1000) : "-"
    }
  }' "${work}/jstat.txt"
