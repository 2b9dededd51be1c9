#!/usr/bin/env bash
# Installs the Debian 12 packages QuietWire needs to build and test, when any is missing.
set -euo pipefail

packages=(cmake ninja-build g++ clang clang-format libclang-rt-14-dev qt6-base-dev qt6-tools-dev qt6-l10n-tools
          qt6-tools-dev-tools qt6-translations-l10n libssl-dev libgl-dev openssl
          libqt6sql6-sqlite sqlite3  # the chat store (QSQLITE); the sqlite3 shell for bench/ and tests
          libqt6sql6-psql postgresql-15 haproxy  # several nodes (QPSQL); the tests' own cluster and proxy
          dpkg-dev systemd adduser help2man lintian strace)  # building and checking the .deb packages
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "Installing missing packages: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
