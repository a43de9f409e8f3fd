#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60) and print execs per target.
#   src-tauri/core/fuzz/run.sh 600                 optimised, AddressSanitizer (a cold build ≈ 19 min on 2 cores)
#   FUZZ_QUICK=1 src-tauri/core/fuzz/run.sh 20     debug build, no sanitizer: builds much faster, still
#                                                 catches panics and overflow (what tests/run does)
# cargo-fuzz needs nightly compiler features; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them
# (`cargo install cargo-fuzz --locked` once). Crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${1:-60}"
export RUSTC_BOOTSTRAP=1
# Build against the versions the app ships with.
[ -f Cargo.lock ] || cp ../../../Cargo.lock Cargo.lock
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2; exit 2; }
mkdir -p corpus/csv_reader corpus/normalize corpus/header corpus/xls_scan corpus/ods_scan
# Seeds: the sample CSVs and a few typical cells.
for f in ../../../tests/fixtures/park-sheets/*.csv; do [ -f "$f" ] && cp -n "$f" corpus/csv_reader/ || true; done
printf '2023.5.1' > corpus/normalize/date1; printf '2023年5月1日' > corpus/normalize/date2; printf '12.5万' > corpus/normalize/amt
printf '￥1,234.00' > corpus/normalize/amt2; printf '914403001922038216' > corpus/normalize/uscc; printf '45000' > corpus/normalize/serial
printf '序号|企业名称（全称）|统一社会信用代码（18位）|注册资本（万元）\n1|南京某某|914403001922038216|12.5' > corpus/header/h1
# The .xls and .ods look-aheads: the workbook stream of the legacy sample, a small content.xml.
# (the BIFF records from the file's first BOF on: its sectors lie in order in a small file)
python3 - ../../../tests/fixtures/park-sheets/rent-subsidy-applications-legacy.xls corpus/xls_scan/legacy <<'PY' 2>/dev/null || true
import sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"\x09\x08\x10\x00\x00\x06")
open(sys.argv[2], "wb").write(data[max(at, 0):][:65536])
PY
printf '<office:document-content><office:body><office:spreadsheet><table:table table:name="a"><table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2" table:number-rows-spanned="2" office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>' > corpus/ods_scan/c1
flags=()
[ "${FUZZ_QUICK:-0}" = 1 ] && flags=(--dev --sanitizer none)
status=0
for t in csv_reader normalize header xls_scan ods_scan; do
  echo "== $t: ${SECONDS_EACH}s"
  log="artifacts/$t.log"; mkdir -p artifacts
  if ! cargo fuzz run "${flags[@]}" "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tee "$log" | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|Done)" ; then
    status=1
  fi
  if grep -q -E "ERROR|panicked|deadly signal" "$log"; then echo "!! $t found a crash: see artifacts/$t/"; status=1; fi
done
exit $status
