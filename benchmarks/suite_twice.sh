#!/usr/bin/env bash
# The suite, twice at once on one machine, from this checkout: each run must pass, neither
# disturbing the other (each has its own PostgreSQL database per worker, its own SQLite
# files, its own rate-limit keys in Redis). Prints each run's exit status and time; exits 1
# if either failed. About ten minutes on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
bin/setup-venv test >/dev/null  # installed once, before the two runs start
for run in 1 2; do
  ( start=$(date +%s); bin/test >"$out/run$run.log" 2>&1; status=$?
    echo "$status $(( $(date +%s) - start ))" >"$out/run$run.result" ) &
done
wait
failed=0
for run in 1 2; do
  read -r status seconds <"$out/run$run.result"
  summaries="$(grep -E '^=+ [0-9]+ passed' "$out/run$run.log" | tr -d '=' | xargs)"
  echo "run $run: exit $status in ${seconds}s: ${summaries:-no suite passed} (log $out/run$run.log)"
  [ "$status" = 0 ] || failed=1
done
exit $failed
