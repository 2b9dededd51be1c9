#!/usr/bin/env bash
# Formats every C++ source the repository tracks with .clang-format (clang-format 14, Debian 12).
#   scripts/format.sh           rewrite the files in place
#   scripts/format.sh --check   change nothing; list the files that differ and exit 1 if any do
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--check" ]; then
    differ=()
    for f in "${files[@]}"; do
        clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || differ+=("$f")
    done
    if ((${#differ[@]})); then
        echo "These files differ from .clang-format (run scripts/format.sh, then commit):"
        printf '  %s\n' "${differ[@]}"
        exit 1
    fi
    echo "clang-format: ${#files[@]} files as .clang-format wants them"
else
    clang-format -i "${files[@]}"
fi
