#!/usr/bin/env bash
# Builds QuietWire and runs the whole test suite:
#   1. a normal build with warnings as errors, the sources checked against .clang-format and
#      the includes against the layers (scripts/check-layers.sh),
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/),
#   3. every libFuzzer target for FUZZ_SECONDS (default 45) each (build-fuzz/),
# then ctest on the normal build, the Debian packages built and checked (scripts/package.sh;
# QUIETWIRE_PACKAGE_INSTALL=1 also installs and purges them, as CI does on its throwaway
# machine), and ctest on the sanitizer build. QUIETWIRE_QUICK=1 runs only the normal build and
# its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step with the minutes spent so far, so that a slow CI run shows where its time went.
step() { echo "== $* (after $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }
step "the build"
bash scripts/build.sh -DQUIETWIRE_WERROR=ON
bash scripts/format.sh --check
bash scripts/check-layers.sh
if [ "${QUIETWIRE_QUICK:-0}" = 1 ]; then
    exec ctest --test-dir build --output-on-failure --parallel 2 "$@"
fi
# -O1 and line tables only (-g1), as AddressSanitizer's own documentation suggests: the reports keep
# their file:line stacks, and the build takes about half the time of -O2 -g.
step "the sanitizer build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIETWIRE_SANITIZE=ON -DQUIETWIRE_WERROR=ON \
      -DQUIETWIRE_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
cmake --build build-asan --parallel "$(nproc)"
step "the fuzzers"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
step "ctest"
ctest --test-dir build --output-on-failure --parallel 2 "$@"
step "the packages"
if [ "${QUIETWIRE_PACKAGE_INSTALL:-0}" = 1 ]; then
    bash scripts/package.sh --install
else
    bash scripts/package.sh
fi
step "ctest under AddressSanitizer and UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
    ctest --test-dir build-asan --output-on-failure --parallel 2 --timeout 1500 "$@"
step "done"
