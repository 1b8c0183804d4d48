# Shared by scripts/run.sh and scripts/run-prod.sh (sourced, not run): they
# start background servers, record their pids and stop them all on exit.
# shellcheck shell=bash

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

wait_for() { # url, name, logs
  for _ in $(seq 1 120); do
    if curl -fs "$1" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$2 did not start; see $3" >&2
  exit 1
}
