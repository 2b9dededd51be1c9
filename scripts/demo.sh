#!/usr/bin/env bash
# The first command: builds everything, starts a local quietwired (data in ./run/server, log in
# ./run/server.log), allows this computer's QuietWire key on it, and opens the desktop client
# connected to it. Closing the client stops the server. Extra arguments go to the client,
# e.g. `scripts/demo.sh --language ru`. QUIETWIRE_DEMO_PORT chooses another port than 7400.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

port="${QUIETWIRE_DEMO_PORT:-7400}"
bin=build/bin
mkdir -p run
"$bin/quietwired" --data-dir run/server --listen 127.0.0.1 --port "$port" \
    --session-ports "$((port + 1))-$((port + 16))" </dev/null >run/server.out 2>run/server.log &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    grep -q "Listening on" run/server.out 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat run/server.out run/server.log >&2; exit 1; }
    sleep 0.1
done
cat run/server.out

# This user's key: the one quietwire-cli and the desktop client share (created on first use).
if ! line="$("$bin/quietwire-cli" key 2>/dev/null)"; then
    # A key protected by a passphrase: its public half is in identity.pub next to it.
    line="$(cat "${XDG_CONFIG_HOME:-$HOME/.config}/QuietWire/quietwire/identity.pub")"
fi
key="${line%% *}"
name="$(printf '%s' "${USER:-me}" | tr -cd 'A-Za-z0-9._-' | cut -c1-32)"
if ! "$bin/quietwired" whitelist --data-dir run/server | grep -qF "$key"; then
    # --same-person: a key of an earlier run under this name (before Keys > Regenerate) was this
    # same user's.
    "$bin/quietwired" allow --data-dir run/server "$key" "${name:-me}" --same-person
fi

# Someone to talk to: a demo member says hello, so the chat shows a message at once.
"$bin/quietwire-cli" --config-dir run/demo-member key >/dev/null 2>&1
demo_key="$(cut -d' ' -f1 run/demo-member/identity.pub)"
if ! "$bin/quietwired" whitelist --data-dir run/server | grep -qF "$demo_key"; then
    "$bin/quietwired" allow --data-dir run/server "$demo_key" quietwire-demo --same-person
fi
sleep 1.2 # the server applies whitelist edits within a second
"$bin/quietwire-cli" --config-dir run/demo-member chat "127.0.0.1:$port" --trust-new \
    --send "Welcome to QuietWire, ${name:-me}! Type below and press Enter; the Files tab moves files." \
    >/dev/null 2>&1 || echo "(the demo member could not say hello; see run/server.log)"

echo "Opening the desktop client; closing it stops this server."
"$bin/quietwire" --connect "127.0.0.1:$port" --trust-new "$@"
