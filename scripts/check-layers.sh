#!/usr/bin/env bash
# Checks that no file includes a header from a layer above its own (docs/ARCHITECTURE.md).
# The build enforces the same for shared/ (each layer is a library that sees only the folders
# below it); this check states the whole rule in one place, programs included, and names the
# offending line. Exit 1 if any include breaks it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The folders a file in each folder may include from (besides system and Qt headers).
declare -A allowed=(
    [shared/base]="shared/base"
    [shared/crypto]="shared/base shared/crypto"
    [shared/protocol]="shared/base shared/crypto shared/protocol"
    [shared/net]="shared/base shared/crypto shared/protocol shared/net"
    [shared/client]="shared/base shared/crypto shared/protocol shared/net shared/client"
    [server]="shared/base shared/crypto shared/protocol shared/net server"
    [client-cli]="shared/base shared/crypto shared/protocol shared/net shared/client client-cli"
    [client-gui]="shared/base shared/crypto shared/protocol shared/net shared/client client-gui"
)

layer_of() { # the layer folder of a path, or nothing for tests/, bench/, fuzz/
    case "$1" in
    shared/*) echo "$1" | cut -d/ -f1-2 ;;
    server/* | client-cli/* | client-gui/*) echo "${1%%/*}" ;;
    esac
}

# Where each header lives (header names are unique in the tree: includes are flat).
declare -A home
while read -r path; do
    home[$(basename "$path")]=$(layer_of "$path")
done < <(git ls-files '*.h')

bad=0
checked=0
while read -r file; do
    layer=$(layer_of "$file")
    [ -n "$layer" ] || continue
    checked=$((checked + 1))
    while IFS=: read -r line header; do
        target=${home[$header]:-}
        [ -n "$target" ] || continue # a generated or system header
        if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
            echo "$file:$line: includes $header from $target, a layer $layer may not use"
            bad=1
        fi
    done < <(grep -n '^#include "' "$file" | sed -E 's/^([0-9]+):#include "([^"]*)".*/\1:\2/')
done < <(git ls-files '*.h' '*.cpp')

if ((bad)); then
    echo "Includes break the layers (docs/ARCHITECTURE.md): move the code to the right layer."
    exit 1
fi
echo "layers: $checked files include only their own layer and the ones below"
