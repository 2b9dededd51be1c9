#!/usr/bin/env bash
# Builds QuietWire and starts the server with its data in ./run/server (console on this terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p run
exec build/bin/quietwired --data-dir run/server "$@"
