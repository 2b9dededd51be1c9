#!/usr/bin/env bash
# Builds QuietWire with warnings as errors and runs the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DQUIETWIRE_WERROR=ON
ctest --test-dir build --output-on-failure --parallel 2 "$@"
