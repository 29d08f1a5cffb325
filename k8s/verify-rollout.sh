#!/usr/bin/env bash
# Proves that a rolling restart loses no request, on the cluster of the current kubectl
# context: starts an in-cluster load generator against the Service, restarts the
# Deployment, waits for the rollout, and counts what the clients saw. The defaults name what
# k8s/overlays/http deploys; the load is HTTP, so it does not fit the gRPC sample.
set -euo pipefail

readonly DEFAULT_IMAGE="fortio/fortio:latest"

namespace="default"
deployment="sample-app"
service="sample-app"
port="8080"
path="/hello"
duration="120"
qps="100"
connections="4"
rollout_timeout="300"
image="${DEFAULT_IMAGE}"
dry_run=false

usage() {
  cat <<USAGE
Usage: $(basename "$0") [options]

Runs a load generator Job in the cluster against the Service, restarts the Deployment with
'kubectl rollout restart', waits with 'kubectl rollout status', and prints how many requests
failed. Exits 0 when none failed and the rollout completed, 1 otherwise, 2 on bad usage.

Two client types run side by side, as in production: keep-alive clients and clients that
open a new connection per request. The defaults are the HTTP sample as k8s/overlays/http
deploys it.

Options:
  -n, --namespace NAME      namespace of the Deployment and Service   (default: ${namespace})
  -d, --deployment NAME     Deployment to restart                      (default: ${deployment})
  -s, --service NAME        Service the load goes through              (default: ${service})
  -p, --port PORT           Service port                               (default: ${port})
      --path PATH           request path                               (default: ${path})
      --duration SECONDS    how long the load runs; must outlast the rollout (default: ${duration})
      --qps N               requests per second per client type        (default: ${qps})
      --connections N       concurrent connections per client type     (default: ${connections})
      --timeout SECONDS     'kubectl rollout status' timeout            (default: ${rollout_timeout})
      --image IMAGE         load generator image (fortio)              (default: ${DEFAULT_IMAGE})
      --dry-run             print the kubectl commands and the Job, run nothing
  -h, --help                show this help
USAGE
}

die_usage() {
  echo "error: $1" >&2
  echo "Try '$(basename "$0") --help'." >&2
  exit 2
}

require_value() {
  [[ $# -ge 2 && -n "$2" ]] || die_usage "$1 needs a value"
}

require_number() {
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die_usage "$1 must be a positive whole number, got '$2'"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --namespace) require_value "$@"; namespace="$2"; shift 2 ;;
    -d | --deployment) require_value "$@"; deployment="$2"; shift 2 ;;
    -s | --service) require_value "$@"; service="$2"; shift 2 ;;
    -p | --port) require_value "$@"; require_number "$1" "$2"; port="$2"; shift 2 ;;
    --path) require_value "$@"; path="$2"; shift 2 ;;
    --duration) require_value "$@"; require_number "$1" "$2"; duration="$2"; shift 2 ;;
    --qps) require_value "$@"; require_number "$1" "$2"; qps="$2"; shift 2 ;;
    --connections) require_value "$@"; require_number "$1" "$2"; connections="$2"; shift 2 ;;
    --timeout) require_value "$@"; require_number "$1" "$2"; rollout_timeout="$2"; shift 2 ;;
    --image) require_value "$@"; image="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done
[[ "${path}" == /* ]] || die_usage "--path must start with /, got '${path}'"

job="verify-rollout-$(date +%s)"
url="http://${service}.${namespace}.svc:${port}${path}"

# Prints the command in dry-run mode, runs it otherwise.
run() {
  if [[ "${dry_run}" == true ]]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

job_manifest() {
  cat <<MANIFEST
apiVersion: batch/v1
kind: Job
metadata:
  name: ${job}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: verify-rollout
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: verify-rollout
    spec:
      restartPolicy: Never
      containers:
      - name: keepalive
        image: ${image}
        args: ["load", "-c", "${connections}", "-qps", "${qps}", "-t", "${duration}s", "${url}"]
        securityContext:
          allowPrivilegeEscalation: false
      - name: newconn
        image: ${image}
        args: ["load", "-keepalive=false", "-c", "${connections}", "-qps", "${qps}", "-t", "${duration}s", "${url}"]
        securityContext:
          allowPrivilegeEscalation: false
MANIFEST
}

cleanup() {
  if [[ "${dry_run}" == true ]]; then
    run kubectl delete job "${job}" --namespace "${namespace}" --ignore-not-found --wait=false
  else
    kubectl delete job "${job}" --namespace "${namespace}" --ignore-not-found --wait=false >/dev/null || true
  fi
}

# Waits until the Job completed or failed (a failed load still has counts to read).
wait_for_job_end() {
  local deadline=$(( $(date +%s) + duration + 120 ))
  local conditions
  while (( $(date +%s) < deadline )); do
    conditions=$(kubectl get job "${job}" --namespace "${namespace}" \
      --output jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
    if [[ "${conditions}" == *Complete* || "${conditions}" == *Failed* ]]; then
      return 0
    fi
    sleep 2
  done
  echo "error: the load generator Job did not finish within $((duration + 120))s" >&2
  return 1
}

# Reads fortio's summary: "All done N calls ..." and "Code 200 : M (...)".
count_calls() {
  sed -n 's/^All done \([0-9][0-9]*\) calls.*/\1/p' | tail -n 1
}

count_ok() {
  sed -n 's/^Code 200 : \([0-9][0-9]*\) .*/\1/p' | tail -n 1
}

if [[ "${dry_run}" == false ]]; then
  command -v kubectl >/dev/null || { echo "error: kubectl not found on PATH" >&2; exit 1; }
  echo "Context: $(kubectl config current-context)  Namespace: ${namespace}"
  kubectl get deployment "${deployment}" --namespace "${namespace}" >/dev/null
  kubectl get service "${service}" --namespace "${namespace}" >/dev/null
fi

trap cleanup EXIT

echo "Starting load generator Job ${job} against ${url} for ${duration}s"
if [[ "${dry_run}" == true ]]; then
  echo "+ kubectl apply --namespace ${namespace} -f - <<'JOB'"
  job_manifest
  echo "JOB"
else
  job_manifest | kubectl apply --namespace "${namespace}" -f -
fi
run kubectl wait --namespace "${namespace}" --for=condition=Ready pod --selector "job-name=${job}" --timeout=120s
load_started=$(date +%s)
# Let both clients warm up before the first pod is replaced.
[[ "${dry_run}" == true ]] || sleep 5

echo "Restarting deployment/${deployment}"
rollout_started=$(date +%s)
run kubectl rollout restart "deployment/${deployment}" --namespace "${namespace}"
rollout_ok=true
run kubectl rollout status "deployment/${deployment}" --namespace "${namespace}" --timeout="${rollout_timeout}s" \
  || rollout_ok=false
rollout_seconds=$(( $(date +%s) - rollout_started ))

if [[ "${dry_run}" == true ]]; then
  run kubectl get job "${job}" --namespace "${namespace}" --output 'jsonpath={.status.conditions}'
  run kubectl logs "job/${job}" --namespace "${namespace}" --container keepalive
  run kubectl logs "job/${job}" --namespace "${namespace}" --container newconn
  exit 0
fi

wait_for_job_end
failed_total=0
printf '\n%-12s %10s %10s %10s\n' "client" "requests" "ok" "failed"
for client in keepalive newconn; do
  logs=$(kubectl logs "job/${job}" --namespace "${namespace}" --container "${client}")
  calls=$(count_calls <<<"${logs}")
  ok=$(count_ok <<<"${logs}")
  if [[ -z "${calls}" ]]; then
    echo "error: no fortio summary in the ${client} client's log:" >&2
    echo "${logs}" | tail -n 20 >&2
    exit 1
  fi
  failed=$(( calls - ${ok:-0} ))
  failed_total=$(( failed_total + failed ))
  printf '%-12s %10d %10d %10d\n' "${client}" "${calls}" "${ok:-0}" "${failed}"
done
echo

load_seconds=$(( $(date +%s) - load_started ))
if [[ "${rollout_ok}" != true ]]; then
  echo "FAIL: the rollout did not complete within ${rollout_timeout}s"
  exit 1
fi
if (( rollout_seconds + 5 > duration )); then
  echo "FAIL: the rollout took ${rollout_seconds}s but the load ran ${duration}s: part of the rollout had no load; raise --duration"
  exit 1
fi
if (( failed_total > 0 )); then
  echo "FAIL: ${failed_total} request(s) failed during a ${rollout_seconds}s rollout (load ran ${load_seconds}s)"
  exit 1
fi
echo "OK: no request failed during a ${rollout_seconds}s rollout of deployment/${deployment}"
