#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and LeakSanitizer (in its own build folder),
# failing on any memory error or leak outside the few suppressed in Tools/lsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
export LSAN_OPTIONS="suppressions=$PWD/Tools/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1"
swift test --sanitize=address --scratch-path .build-asan "$@"
