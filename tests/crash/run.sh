#!/usr/bin/env bash
# Crash tests at full count: SIGKILL a large import (and a backup, and a notice batch) at random
# moments, then check the database, the batch (all or nothing), the audit chain, the backups and
# the document-number register after every kill. CI runs the same tests at CRASH_RUNS=10 through
# `cargo test -p huiqi-cli`.
#
#   tests/crash/run.sh            # 200 kills of each kind, 20,000-row roster
#   CRASH_RUNS=50 CRASH_ROWS=100000 CRASH_SEED=42 tests/crash/run.sh
#
# The huiqi binary under test is copied first, so a rebuild of target/ during the run does not
# change the program being killed.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRASH_RUNS="${CRASH_RUNS:-200}" CRASH_ROWS="${CRASH_ROWS:-20000}"
cargo build -p huiqi-cli
cargo test -p huiqi-cli --test crash --no-run
bin=$(ls -t target/debug/deps/crash-* | grep -v '\.d$' | head -1)
copy=$(mktemp -d)
cp target/debug/huiqi "$copy/huiqi"
trap 'rm -rf "$copy"' EXIT
HUIQI_BIN="$copy/huiqi" "$bin" --nocapture --test-threads=1
