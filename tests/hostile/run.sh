#!/usr/bin/env bash
# Hostile files: generates each one, runs `huiqi import --dry-run` on it in its own process, and
# prints the table (input, outcome code, exit, time, peak RSS). Fails when a file is not refused
# as expected, takes too long, or a process peaks above 300 MB.
#   tests/hostile/run.sh [TABLE.md]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] && export HOSTILE_TABLE="$(realpath -m "$1")"
cargo test -p huiqi-cli --test hostile -- --nocapture
