#!/usr/bin/env bash
# A rolling restart of three Kafka or RabbitMQ consumers under a steady producer, plain Boot
# beside the starter: counts the messages produced, processed, lost (never processed) and
# processed twice, the longest gap in processing, and when each old replica exited.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/consumers.sh [--setups LIST] [--brokers LIST] [--rate N] [--processing DURATION]
                          [--grace DURATION] [--out DIR]

Starts a real Kafka broker (KRaft, from spring-kafka-test, in its own JVM) and a real RabbitMQ
node (Debian's rabbitmq-server, installed when missing, run as a plain process), then for each
set-up and broker, on a fresh topic or queue:

  1. three replicas of the packaged sample-messaging consume it, each message taking
     --processing, each replica recording the ids it finished;
  2. a producer (sample-messaging with sample.consume=false) sends --rate messages a second;
  3. a rolling restart: a new replica starts and becomes ready before each old one gets
     SIGTERM, as a Deployment's rollout does;
  4. the producer stops, the new replicas work off the backlog.

  plain     plain Boot (--lifecycle.enabled=false)
  starter   the starter with the Kubernetes defaults (delay 5 s)
  other     the same with the starter jar --starter-jar names in place of this build's, to
            compare with an earlier version

  --setups LIST       set-ups to run, space-separated (default "plain starter")
  --brokers LIST      brokers to run, space-separated (default "kafka rabbitmq")
  --rate N            messages a second (default 10)
  --processing D      time a listener takes per message (default 200ms)
  --starter-jar PATH  the starter jar of the "other" set-up
  --grace SECONDS     termination grace period of the replicas; one still running this
                      long after SIGTERM gets SIGKILL, as from the kubelet (default 30)
  --out DIR           where the logs, journals, results.md and consumers.png go
                      (default bench/results/consumers-<time>)

Lost: produced and never processed. Processed twice: an id finished by two listeners, or twice
by one. Longest gap: the longest time between two messages finished, across all replicas,
from the first SIGTERM until the last old replica exited. Writes a Markdown table to
DIR/results.md and prints it, and a chart of the messages finished per second to
DIR/consumers.png.
USAGE
}

setups="plain starter"
brokers="kafka rabbitmq"
rate=10
processing=200ms
grace=30
starter_jar=""
out="${BENCH_DIR}/results/consumers-$(date +%Y%m%d-%H%M%S)"
while (($# > 0)); do
  case "$1" in
    --setups) setups=${2:?--setups needs a list}; shift 2 ;;
    --brokers) brokers=${2:?--brokers needs a list}; shift 2 ;;
    --rate) rate=${2:?--rate needs a number}; shift 2 ;;
    --processing) processing=${2:?--processing needs a duration}; shift 2 ;;
    --starter-jar) starter_jar=${2:?--starter-jar needs a path}; shift 2 ;;
    --grace) grace=${2:?--grace needs a number of seconds}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "${rate}" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: --rate must be a whole number of 1 or more, was ${rate}" >&2
  exit 2
fi
if ! [[ "${grace}" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: --grace must be a whole number of seconds, 1 or more, was ${grace}" >&2
  exit 2
fi
for setup in ${setups}; do
  [[ "${setup}" =~ ^(plain|starter|other)$ ]] || { echo "error: unknown set-up ${setup} (plain, starter, other)" >&2; exit 2; }
done
if [[ " ${setups} " == *" other "* ]] && [[ ! -f "${starter_jar}" ]]; then
  echo "error: the other set-up needs --starter-jar PATH to a starter jar" >&2
  exit 2
fi
for broker in ${brokers}; do
  [[ "${broker}" =~ ^(kafka|rabbitmq)$ ]] || { echo "error: unknown broker ${broker} (kafka, rabbitmq)" >&2; exit 2; }
done

MESSAGING="${REPOSITORY}/sample-messaging"
JAR="${MESSAGING}/target/sample-messaging.jar"

# The packaged sample and its test classes, which hold the broker launchers, built when
# missing or older than a source or build file.
ensure_messaging_build() {
  if [[ ! -f "${JAR}" ]] || [[ ! -f "${MESSAGING}/target/test-classpath" ]] ||
    [[ -n $(find "${REPOSITORY}/lifecycle-starter" "${MESSAGING}" "${REPOSITORY}/pom.xml" \
      -path '*/target' -prune -o -type f -newer "${JAR}" -print -quit) ]]; then
    log "Building sample-messaging"
    (cd "${REPOSITORY}" && ./mvnw -B -q -DskipTests -Dinvoker.skip=true -pl sample-messaging -am install &&
      ./mvnw -B -q -pl sample-messaging dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="${MESSAGING}/target/test-classpath")
  fi
}

# start_broker NAME CLASS ARGS...: runs a broker launcher of the test classes in the
# background; it runs until its standard input, a FIFO held open here, closes.
start_broker() {
  local name=$1 class=$2
  shift 2
  mkfifo "${out}/${name}.in"
  "${JAVA}" -Xmx512m -cp "${MESSAGING}/target/test-classes:$(cat "${MESSAGING}/target/test-classpath")" \
    "dev.lifecycle.sample.messaging.brokers.${class}" "$@" <"${out}/${name}.in" >"${out}/${name}.log" 2>&1 &
  echo $! >"${out}/${name}.pid"
}

# broker_value NAME KEY: waits for the KEY=value line the launcher prints once its broker is up.
broker_value() {
  local name=$1 key=$2 deadline=$(($(date +%s) + 180)) value
  until value=$(grep -m 1 -o "^${key}=.*" "${out}/${name}.log" 2>/dev/null | cut -d= -f2-) && [[ -n "${value}" ]]; do
    if ! kill -0 "$(cat "${out}/${name}.pid")" 2>/dev/null || (($(date +%s) > deadline)); then
      echo "error: the ${name} broker did not start:" >&2
      tail -n 30 "${out}/${name}.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "${value}"
}

stop_brokers() {
  stop_all_replicas
  # Closing the FIFOs ends the launchers, which stop their brokers.
  exec 7>&- 8>&- 2>/dev/null || true
  local name pid
  for name in kafka rabbitmq; do
    [[ -f "${out}/${name}.pid" ]] || continue
    pid=$(cat "${out}/${name}.pid")
    for _ in $(seq 1 300); do
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
  done
}

# journal_stats DIR BROKER T0 T1: produced, processed, unique, lost, doubled, longest gap (ms)
# between T0 and T1 (epoch ms), from the journals of one run.
journal_stats() {
  cat "$1"/journal/*.csv | gawk -F, -v broker="$2" -v t0="$3" -v t1="$4" '
    $2 != broker { next }
    $1 == "produced" { produced[$3] = 1 }
    $1 == "processed" {
      processed++; seen[$3]++
      if ($4 >= t0 && $4 <= t1) { times[++n] = $4 }
    }
    END {
      unique = 0; doubled = 0; lost = 0; np = 0
      for (id in seen) { unique++; if (seen[id] > 1) doubled += seen[id] - 1 }
      for (id in produced) { np++; if (!(id in seen)) lost++ }
      # The gap from t0 to the first message, between messages, and from the last to t1.
      gap = 0; previous = t0
      asort(times)
      for (i = 1; i <= n; i++) { if (times[i] - previous > gap) gap = times[i] - previous; previous = times[i] }
      if (t1 - previous > gap) gap = t1 - previous
      printf "%d %d %d %d %d %d\n", np, processed, unique, lost, doubled, gap
    }'
}

# report LOG: the messages part of the starter's report line, or Boot's own word on the phase.
report() {
  local line
  line=$(grep -o 'messages finished [^,]*, redelivered [0-9]*[^,]*' "$1" | head -n 1 || true)
  if [[ -z "${line}" ]]; then
    line=$(grep -o 'Shutdown phase [0-9]* ends with .* still running after timeout of [0-9]*ms' "$1" | head -n 1 || true)
  fi
  echo "${line:-–}"
}

# rate_per_second DIR BROKER T0: messages finished per second since T0 (epoch ms), for the chart.
rate_per_second() {
  cat "$1"/journal/*.csv | gawk -F, -v broker="$2" -v t0="$3" '
    $1 == "processed" && $2 == broker { s = int(($4 - t0) / 1000); if (s >= -10) { n[s]++; if (s > max) max = s } }
    END { for (i = -10; i <= max; i++) printf "%d %d\n", i, n[i] }' >"$1/rate.dat"
}

# chart PNG: per broker, messages finished per second in each set-up's run, from the first
# SIGTERM; the old replicas' SIGTERMs and exits as lines.
chart() {
  local png=$1 broker setup dir color dash event at first
  {
    echo "set terminal pngcairo size 1280,$((300 * $(wc -w <<<"${brokers}") + 40)) font 'sans,9'"
    echo "set output '${png}'"
    echo "set multiplot layout $(wc -w <<<"${brokers}"),1 title 'Messages finished per second during a rolling restart of 3 consumers (${rate}/s produced, ${processing} each); lines: SIGTERM (dashed) and exit (solid) of each old replica'"
    echo "set xlabel 'seconds since the first SIGTERM'; set ylabel 'messages per second'; set key top right; set grid; set yrange [0:*]"
    for broker in ${brokers}; do
      echo "set title '${broker}'"
      echo "unset arrow"
      plots=""
      for setup in ${setups}; do
        dir="${out}/${setup}-${broker}"
        [[ -f "${dir}/rate.dat" ]] || continue
        case "${setup}" in plain) color='#d62728' ;; other) color='#1f77b4' ;; *) color='#2e8b57' ;; esac
        first=$(cat "${dir}/first_sigterm")
        while read -r event at; do
          case "${event}" in sigterm) dash=2 ;; *) dash=1 ;; esac
          echo "set arrow from $(((at - first) / 1000)).$(((at - first) % 1000 / 100)), graph 0 to $(((at - first) / 1000)).$(((at - first) % 1000 / 100)), graph 1 nohead dashtype ${dash} linecolor rgb '${color}'"
        done <"${dir}/events"
        plots+="${plots:+, }'${dir}/rate.dat' using 1:2 with steps linecolor rgb '${color}' title '${setup}'"
      done
      echo "plot ${plots}"
    done
    echo "unset multiplot"
  } >"${out}/chart.gp"
  gnuplot "${out}/chart.gp"
}

ensure_tools curl gawk gnuplot
[[ -x /usr/sbin/rabbitmq-server ]] || [[ " ${brokers} " != *" rabbitmq "* ]] || ensure_tools rabbitmq-server
ensure_messaging_build
mkdir -p "${out}"
trap stop_brokers EXIT

broker_args_kafka=()
broker_args_rabbitmq=()
if [[ " ${brokers} " == *" kafka "* ]]; then
  log "Starting a Kafka broker (KRaft)"
  start_broker kafka KafkaBroker
  exec 7>"${out}/kafka.in"
  broker_args_kafka=(--spring.kafka.bootstrap-servers="$(broker_value kafka BOOTSTRAP_SERVERS)")
fi
if [[ " ${brokers} " == *" rabbitmq "* ]]; then
  log "Starting a RabbitMQ node"
  start_broker rabbitmq RabbitMqBroker
  exec 8>"${out}/rabbitmq.in"
  broker_args_rabbitmq=(--spring.rabbitmq.port="$(broker_value rabbitmq AMQP_PORT)")
fi

{
  echo "| set-up | broker | produced | processed | lost | processed twice | longest gap in processing | old replicas' exit after SIGTERM (grace ${grace} s) | shutdown reports |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"${out}/results.md"

setup_args() {
  case "$1" in
    plain) echo "--lifecycle.enabled=false" ;;
    starter | other) echo "--spring.main.cloud-platform=kubernetes" ;;
  esac
}

# The sample jar with another starter jar in place of this build's, for the other set-up.
# Boot reads nested jars only when stored uncompressed: zip -0.
other_jar() {
  local nested staging="${out}/other-jar"
  nested=$(unzip -Z1 "${built_jar}" | grep '^BOOT-INF/lib/lifecycle-spring-boot-starter-.*\.jar$')
  mkdir -p "${staging}/$(dirname "${nested}")"
  cp "${built_jar}" "${out}/sample-messaging-other.jar"
  cp "${starter_jar}" "${staging}/${nested}"
  (cd "${staging}" && zip -q -0 "${out}/sample-messaging-other.jar" "${nested}")
  echo "${out}/sample-messaging-other.jar"
}
built_jar=${JAR}

port=19080
for broker in ${brokers}; do
  for setup in ${setups}; do
    run="${setup}-${broker}"
    dir="${out}/${run}"
    mkdir -p "${dir}/journal"
    if [[ "${broker}" == kafka ]]; then
      broker_args=("${broker_args_kafka[@]}" --sample.kafka-topic="bench-${run}" --spring.kafka.consumer.group-id="bench-${run}")
    else
      broker_args=("${broker_args_rabbitmq[@]}" --sample.rabbit-queue="bench-${run}")
    fi
    read -r -a args <<<"$(setup_args "${setup}")"
    consumer_jar=${built_jar}
    [[ "${setup}" == other ]] && consumer_jar=$(other_jar)
    JAR=${consumer_jar}
    common=(--sample.journal="${dir}/journal" --sample.processing="${processing}"
      --lifecycle.termination-grace-period="${grace}s" "${broker_args[@]}")
    log "${run}: three consumers"
    for replica in old-1 old-2 old-3; do
      start_replica "${dir}/${replica}" "${port}" $((port + 1)) "${args[@]}" "${common[@]}"
      wait_ready "${dir}/${replica}" $((port + 1))
      port=$((port + 2))
    done
    log "${run}: producer, ${rate}/s"
    JAR=${built_jar}
    start_replica "${dir}/producer" "${port}" $((port + 1)) --lifecycle.enabled=false --sample.consume=false \
      --sample.produce-rate="${rate}" --sample.produce-count=1000000 --sample.journal="${dir}/journal" "${broker_args[@]}"
    wait_ready "${dir}/producer" $((port + 1))
    port=$((port + 2))
    sleep 10
    first_sigterm=0
    exits=()
    for replica in 1 2 3; do
      log "${run}: rolling restart, replica ${replica}"
      JAR=${consumer_jar}
      start_replica "${dir}/new-${replica}" "${port}" $((port + 1)) "${args[@]}" "${common[@]}"
      wait_ready "${dir}/new-${replica}" $((port + 1))
      port=$((port + 2))
      sigterm=$(now_ms)
      ((first_sigterm > 0)) || first_sigterm=${sigterm}
      echo "sigterm ${sigterm}" >>"${dir}/events"
      kill -TERM "$(cat "${dir}/old-${replica}/pid")"
      # As the kubelet does: SIGKILL once the grace period is over.
      killed=""
      until [[ -s "${dir}/old-${replica}/exit" ]]; do
        if (($(now_ms) - sigterm > grace * 1000)) && [[ -z "${killed}" ]]; then
          kill -KILL "$(cat "${dir}/old-${replica}/pid")" 2>/dev/null || true
          killed=" (SIGKILL)"
        fi
        sleep 0.05
      done
      echo "exit $(cat "${dir}/old-${replica}/exit_ms")" >>"${dir}/events"
      exit_ms=$(($(cat "${dir}/old-${replica}/exit_ms") - sigterm))
      exits+=("$(printf '%d.%01d s%s' $((exit_ms / 1000)) $((exit_ms % 1000 / 100)) "${killed}")")
    done
    last_exit=$(cat "${dir}/old-3/exit_ms")
    sleep 5
    log "${run}: producer stops; the new replicas work off the backlog"
    kill -TERM "$(cat "${dir}/producer/pid")"
    until [[ -s "${dir}/producer/exit" ]]; do
      sleep 0.05
    done
    # Until every produced id was processed, or nothing moved for 30 s.
    previous=-1
    idle=0
    while ((idle < 30)); do
      read -r produced processed unique lost doubled gap <<<"$(journal_stats "${dir}" "${broker}" "${first_sigterm}" "${last_exit}")"
      ((lost == 0)) && break
      if ((processed == previous)); then idle=$((idle + 1)); else idle=0; fi
      previous=${processed}
      sleep 1
    done
    read -r produced processed unique lost doubled gap <<<"$(journal_stats "${dir}" "${broker}" "${first_sigterm}" "${last_exit}")"
    echo "${first_sigterm}" >"${dir}/first_sigterm"
    rate_per_second "${dir}" "${broker}" "${first_sigterm}"
    reports=""
    for replica in 1 2 3; do
      reports+="${reports:+; }$(report "${dir}/old-${replica}/app.log")"
    done
    printf '| %s | %s | %d | %d (%d distinct) | %d | %d | %d.%01d s | %s | %s |\n' "${setup}" "${broker}" "${produced}" \
      "${processed}" "${unique}" \
      "${lost}" "${doubled}" $((gap / 1000)) $((gap % 1000 / 100)) "${exits[*]}" "${reports}" >>"${out}/results.md"
    for replica in 1 2 3; do
      kill -TERM "$(cat "${dir}/new-${replica}/pid")" 2>/dev/null || true
    done
    for replica in 1 2 3; do
      until [[ -s "${dir}/new-${replica}/exit" ]]; do
        sleep 0.1
      done
    done
  done
done
chart "${out}/consumers.png"
cat "${out}/results.md"
