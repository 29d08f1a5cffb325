#!/usr/bin/env bash
# Checks the Prometheus rules with Prometheus's own tool, and that the PrometheusRule is
# generated from them. ./mvnw -B verify runs it (MonitoringRulesTests) when promtool is installed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rules="${here}/lifecycle-rules.yaml"
tests="${here}/lifecycle-rules.test.yaml"
prometheus_rule="${here}/prometheus-rule.yaml"

usage() {
  cat <<'USAGE'
Usage: k8s/monitoring/check.sh [--write]

  1. prometheus-rule.yaml, the PrometheusRule for the Prometheus Operator, must be
     lifecycle-rules.yaml under spec: the rule file is the one to edit.
  2. promtool check rules lifecycle-rules.yaml: the syntax, and that every expression parses.
  3. promtool test rules lifecycle-rules.test.yaml: each alert fires, or stays silent, on the
     series given, and each recording rule records what is expected.

  --write   regenerate prometheus-rule.yaml from lifecycle-rules.yaml first

promtool comes with Debian's prometheus package; when it is missing and this runs as root
with apt-get, the package is installed without starting its service (.ci/apt-install).
USAGE
}

write=false
case "${1:-}" in
  "") ;;
  --write) write=true ;;
  -h | --help) usage; exit 0 ;;
  *) echo "unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac

generated_prometheus_rule() {
  cat <<'HEADER'
# Generated from lifecycle-rules.yaml by check.sh --write: edit that file, not this one.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: lifecycle
spec:
HEADER
  # The rule file as it is, comments included, two spaces in: its groups become spec.groups.
  sed -e 's/^./  &/' "${rules}"
}

if ${write}; then
  generated_prometheus_rule >"${prometheus_rule}"
  echo "Wrote ${prometheus_rule}"
fi
if ! diff -u "${prometheus_rule}" <(generated_prometheus_rule); then
  echo "prometheus-rule.yaml is not generated from lifecycle-rules.yaml: run $0 --write" >&2
  exit 1
fi

if ! command -v promtool >/dev/null 2>&1; then
  installer="${here}/../../.ci/apt-install"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ -x ${installer} ]]; then
    echo "Installing promtool (Debian's prometheus package)"
    apt-get update -qq
    "${installer}" prometheus
  else
    echo "promtool not found: install Debian's prometheus package, or take promtool from a" \
      "Prometheus release (https://prometheus.io/download/)" >&2
    exit 1
  fi
fi

# promtool resolves rule_files against the test file's directory.
promtool check rules "${rules}"
promtool test rules "${tests}"
