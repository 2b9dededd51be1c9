#!/usr/bin/env bash
# Takes docs/screenshots/chat.png, search.png and files.png of the real window: a throw-away quietwired with
# three members who chatted in general and in a room, sent a file into it and uploaded files, and the desktop client's MainWindow as alice under Xvfb (shown by
# quietwire-screenshots, a tool of the build tree, so the product binary carries no screenshot code).
set -euo pipefail
cd "$(dirname "$0")/.."
extra=(xvfb xauth fonts-dejavu-core)
missing=()
for p in "${extra[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ -x build/bin/quietwire-screenshots ] || bash scripts/build.sh

bin="$PWD/build/bin"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$bin/quietwired" --data-dir "$work/server" --listen 127.0.0.1 --port 0 --session-ports 47401-47420 \
    </dev/null >"$work/server.out" 2>"$work/server.log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "Listening on" "$work/server.out" && break; sleep 0.1; done
port="$(sed -n 's/.*port \([0-9]*\) (handshake).*/\1/p' "$work/server.out")"
server="127.0.0.1:$port"

for user in alice bob carol; do
    "$bin/quietwire-cli" --config-dir "$work/$user" key >/dev/null 2>&1
    "$bin/quietwired" allow --data-dir "$work/server" "$(cut -d' ' -f1 "$work/$user/identity.pub")" "$user" >/dev/null
done
sleep 1.2
say() { "$bin/quietwire-cli" --config-dir "$work/$1" chat "$server" --trust-new --send "$2" >/dev/null 2>&1; }
say bob "Morning! The measurements from yesterday are on the server."
say carol "Thanks Bob. Alice, can you check the calibration table before the meeting?"
say alice "On it. I'll upload the corrected version in ten minutes."
say bob "Great, the meeting moved to 11:30 by the way."

files() { "$bin/quietwire-cli" --config-dir "$work/alice" files "$server" --trust-new "$@" >/dev/null 2>&1; }
mkdir -p "$work/upload" "$work/local/Documents"
head -c 2400000 /dev/urandom >"$work/upload/measurements-2024-05.csv"
head -c 830000 /dev/urandom >"$work/upload/calibration-table.ods"
head -c 5200000 /dev/urandom >"$work/upload/lab-report-draft.pdf"
printf 'Meeting at 11:30, room 2.14\n' >"$work/upload/notes.txt"
files mkdir "Photos"
files mkdir "Shared with Carol"
for f in "$work"/upload/*; do files put "$f"; done
head -c 1500000 /dev/urandom >"$work/local/slides.pdf"
head -c 64000 /dev/urandom >"$work/local/budget.ods"
cp "$work/upload/notes.txt" "$work/local/notes.txt"

# A room with a file sent into it, and a direct conversation alice has not read yet.
room() { "$bin/quietwire-cli" --config-dir "$work/$1" room "$server" --trust-new "${@:2}" >/dev/null 2>&1; }
room bob create lab --topic "Calibration and measurements"
room bob invite lab alice
room bob invite lab carol
lab() { "$bin/quietwire-cli" --config-dir "$work/$1" chat "$server" --trust-new --room lab --send "$2" >/dev/null 2>&1; }
lab bob "New calibration run finished, numbers look stable."
lab carol "Nice. Same settings as last week?"
lab bob "Yes, only the temperature probe was replaced."
"$bin/quietwire-cli" --config-dir "$work/bob" send-file "$server" --trust-new --room lab \
    "$work/upload/calibration-table.ods" --text "The calibration table, corrected." >/dev/null 2>&1
lab carol "Thanks, I'll compare it with the old one."
"$bin/quietwire-cli" --config-dir "$work/bob" chat "$server" --trust-new --to alice \
    --send "Can you look at the calibration table before 11:30?" >/dev/null 2>&1
"$bin/quietwire-cli" --config-dir "$work/bob" chat "$server" --trust-new --to alice \
    --send "No rush, the meeting can wait five minutes." >/dev/null 2>&1

# Bob and Carol stay in the room, so the member list is not empty.
for user in bob carol; do
    "$bin/quietwire-cli" --config-dir "$work/$user" chat "$server" --trust-new --listen 1000 >/dev/null 2>&1 &
    pids+=($!)
done
sleep 1

mkdir -p docs/screenshots
xvfb-run -a -s "-screen 0 1280x800x24" "$bin/quietwire-screenshots" --config-dir "$work/alice" --connect "$server" \
    --local-dir "$work/local" "$@" "$PWD/docs/screenshots"
ls -l docs/screenshots
