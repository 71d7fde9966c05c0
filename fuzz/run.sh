#!/usr/bin/env bash
# Runs cargo-fuzz targets one at a time for a bounded time each, one process each.
# Usage: fuzz/run.sh [seconds per target] [target...]   (default: 180 s, every target)
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags. rtctl has no `unsafe`, so
# the targets run without a sanitizer (`-s none`): panics, overflow checks (debug
# assertions are on) and the targets' own assertions are what is caught.
# New corpus entries go to fuzz/corpus-work/<target> (ignored by git); the small committed
# seeds are in fuzz/corpus/<target>. Crashes land in fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-180}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(eio_decode sio_decode ws_frames token_verify fleet_file publish_body)
fi
export RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus-work/$t"
    echo "== $t: ${secs}s"
    cargo fuzz run -s none "$t" "fuzz/corpus-work/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -print_final_stats=1 2>&1 | tee "fuzz/corpus-work/$t.log" \
        | grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|thread)' || true
done
