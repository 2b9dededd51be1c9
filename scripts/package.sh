#!/usr/bin/env bash
# Builds the two Debian packages (quietwire, quietwired) from build/ with CPack and checks them:
#   1. dependencies and contents (dpkg-deb),
#   2. the packages unpacked into a throwaway folder (dpkg-deb -x): every program answers
#      --version and --help from there, and the unpacked server listens and answers the unpacked
#      client (allow, chat, a file round trip, SIGHUP),
#   3. systemd-analyze verify (and the offline security report) on the unit.
# With --install (CI does this on its throwaway machine) it also installs both packages with apt,
# checks the service user and data dir, runs the installed server as that user the way the unit
# does, administers it as root, and removes the packages again.
# Run scripts/build.sh first (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
[ "${1:-}" = "--install" ] && install=1

fail() { echo "package check FAILED: $*" >&2; exit 1; }
step() { echo "-- $*"; }

step "cmake --install into a throwaway prefix"
staging=$(mktemp -d)
cmake --install build --prefix "$staging/opt/qw" >/dev/null
for f in bin/quietwire bin/quietwire-cli bin/quietwired share/quietwire/translations/quietwire_ru.qm \
         share/applications/quietwire.desktop share/icons/hicolor/scalable/apps/quietwire.svg \
         share/doc/quietwired/ADMIN.md share/doc/quietwire/README.md lib/systemd/system/quietwired.service; do
    [ -e "$staging/opt/qw/$f" ] || fail "cmake --install did not install $f"
done
grep -q "^ExecStart=$staging/opt/qw/bin/quietwired " "$staging/opt/qw/lib/systemd/system/quietwired.service" \
    || fail "the installed unit does not name the installed program"
rm -rf "$staging"

rm -rf build/packages
cpack --config build/CPackConfig.cmake -B build/packages >build/packages.log 2>&1 \
    || { cat build/packages.log; fail "cpack"; }
client_deb=$(ls build/packages/quietwire_*.deb)
server_deb=$(ls build/packages/quietwired_*.deb)
step "built $(basename "$client_deb") ($(stat -c %s "$client_deb") bytes), $(basename "$server_deb") ($(stat -c %s "$server_deb") bytes)"

step "dependencies"
client_depends=$(dpkg-deb -f "$client_deb" Depends)
server_depends=$(dpkg-deb -f "$server_deb" Depends)
echo "   quietwire:  $client_depends"
echo "   quietwired: $server_depends"
for dep in libqt6core6 libqt6network6 libqt6gui6 libqt6widgets6 libssl3 libc6 libstdc++6; do
    grep -q "\b$dep\b" <<<"$client_depends" || fail "quietwire does not depend on $dep"
done
for dep in libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-sqlite libssl3 libc6 libstdc++6 adduser; do
    grep -q "\b$dep\b" <<<"$server_depends" || fail "quietwired does not depend on $dep"
done
for dep in libqt6gui6 libqt6widgets6; do
    if grep -q "\b$dep\b" <<<"$server_depends"; then fail "the server should not pull in $dep"; fi
done
[ "$(dpkg-deb -f "$client_deb" Package)" = quietwire ] || fail "client package name"
[ "$(dpkg-deb -f "$server_deb" Package)" = quietwired ] || fail "server package name"

step "contents"
client_files=$(dpkg-deb -c "$client_deb" | awk '{print $6}')
server_files=$(dpkg-deb -c "$server_deb" | awk '{print $6}')
for f in ./usr/bin/quietwire ./usr/bin/quietwire-cli ./usr/share/quietwire/translations/quietwire_ru.qm \
         ./usr/share/applications/quietwire.desktop ./usr/share/icons/hicolor/scalable/apps/quietwire.svg \
         ./usr/share/icons/hicolor/64x64/apps/quietwire.png ./usr/share/icons/hicolor/256x256/apps/quietwire.png \
         ./usr/share/doc/quietwire/README.md ./usr/share/doc/quietwire/docs/PROTOCOL.md \
         ./usr/share/doc/quietwire/docs/SECURITY.md ./usr/share/doc/quietwire/docs/screenshots/chat.png \
         ./usr/share/doc/quietwire/copyright ./usr/share/doc/quietwire/changelog.gz \
         ./usr/share/man/man1/quietwire.1.gz ./usr/share/man/man1/quietwire-cli.1.gz; do
    grep -qx "$f" <<<"$client_files" || fail "quietwire lacks $f"
done
for f in ./usr/bin/quietwired ./usr/lib/systemd/system/quietwired.service ./usr/share/doc/quietwired/ADMIN.md \
         ./usr/share/doc/quietwired/SECURITY.md ./usr/share/doc/quietwired/PROTOCOL.md \
         ./usr/share/doc/quietwired/copyright ./usr/share/doc/quietwired/changelog.gz ./usr/share/man/man8/quietwired.8.gz; do
    grep -qx "$f" <<<"$server_files" || fail "quietwired lacks $f"
done
if grep -q quietwired <<<"$client_files"; then fail "the client package holds server files"; fi
if grep -q "bin/quietwire$\|quietwire-cli" <<<"$server_files"; then fail "the server package holds client files"; fi
if grep -q "/usr/local" <<<"$client_files$server_files"; then fail "a package installs under /usr/local"; fi
for script in postinst prerm postrm; do
    dpkg-deb -I "$server_deb" "$script" >/dev/null || fail "quietwired has no $script"
done
dpkg-deb -I "$server_deb" postinst | sh -n || fail "postinst is not valid sh"
echo "   $(wc -l <<<"$client_files") + $(wc -l <<<"$server_files") entries as expected"

step "lintian"
# Errors and warnings fail the check; the remaining informational tags are listed in ADMIN.md.
lintian_out=$(lintian --tag-display-limit 0 "$client_deb" "$server_deb" 2>&1 | grep -v "root privileges" || true)
if grep -q "^[EW]:" <<<"$lintian_out"; then fail "lintian: $lintian_out"; fi
echo "   no errors or warnings ($(grep -c "^I:" <<<"$(lintian -I --tag-display-limit 0 "$client_deb" "$server_deb" 2>&1)") informational tags)"

work=$(mktemp -d)
server_pid=""
quietwired_pid=""
cleanup() {
    [ -n "$quietwired_pid" ] && kill "$quietwired_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"
dpkg-deb -x "$client_deb" "$root"
dpkg-deb -x "$server_deb" "$root"
bin="$root/usr/bin"

step "unpacked programs: --version and --help"
for program in quietwired quietwire-cli quietwire; do
    # No display for the desktop client: --help and --version must not need one.
    version=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$bin/$program" --version) \
        || fail "$program --version"
    grep -q "^$program [0-9]" <<<"$version" || fail "$program --version printed: $version"
    grep -q "Noise_XX_25519_ChaChaPoly_SHA256" <<<"$version" || fail "$program --version names no protocol"
    help=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$bin/$program" --help) || fail "$program --help"
    grep -q -- "--version" <<<"$help" || fail "$program --help lists no --version"
    echo "   $(head -1 <<<"$version")"
done
# The unpacked desktop client, in Russian, opens its catalogue from the unpacked share/ folder.
timeout 10 strace -f -qq -e trace=openat -o "$work/gui.trace" env QT_QPA_PLATFORM=offscreen \
    "$bin/quietwire" --language ru --config-dir "$work/gui" >/dev/null 2>&1 || true
grep -q "openat(.*\"$root/usr/share/quietwire/translations/quietwire_ru.qm\", O_RDONLY.*= [0-9]" "$work/gui.trace" \
    || fail "the unpacked desktop client did not load share/quietwire/translations/quietwire_ru.qm"
echo "   quietwire --language ru loaded $root/usr/share/quietwire/translations/quietwire_ru.qm"

step "unpacked server answers the unpacked client"
data="$work/server"
first=$((20000 + RANDOM % 30000))
# Under strace: every system call it makes must pass the unit's SystemCallFilter (below). As the
# unit runs it, as a user of its own (nobody here), never root: as root, SQLite would fchown its
# WAL file, a call the unit forbids and never needs.
run_as=()
mkdir -m 700 "$data" "$work/trace"
if [ "$(id -u)" = 0 ]; then
    chmod 711 "$work"
    chown nobody:nogroup "$data" "$work/trace"
    run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
"${run_as[@]}" strace -f -qq -o "$work/trace/server" \
    "$bin/quietwired" --data-dir "$data" --listen 127.0.0.1 --port 0 --session-ports "$first-$((first + 3))" \
    </dev/null >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "Type \`help\`" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^Listening on: .* port \([0-9]*\) (handshake).*/\1/p' "$work/server.out")
[ -n "$port" ] || { cat "$work/server.out" "$work/server.log"; fail "the unpacked server did not start"; }
cli() { "$bin/quietwire-cli" --config-dir "$work/$1" "${@:2}"; }
"$bin/quietwired" --data-dir "$data" allow "$(cli alice key 2>/dev/null)" alice >/dev/null
"$bin/quietwired" --data-dir "$data" allow "$(cli bob key 2>/dev/null)" bob >/dev/null
# strace passes no fatal signal on (it blocks them with -o FILE PROG): signal the server itself.
quietwired_pid=$(sed -n 's/^QuietWire server .* (pid \([0-9]*\))$/\1/p' "$work/server.out")
[ -n "$quietwired_pid" ] || fail "the server printed no pid"
kill -HUP "$quietwired_pid"
cli bob chat "127.0.0.1:$port" --trust-new --listen 1 >"$work/bob.out" 2>"$work/bob.err" &
listener=$!
for _ in $(seq 100); do grep -q "joined as" "$work/bob.err" 2>/dev/null && break; sleep 0.1; done
cli alice chat "127.0.0.1:$port" --trust-new --send "hello from the package" 2>"$work/alice.err" \
    || { cat "$work/alice.err" "$work/server.log"; fail "the unpacked client could not send"; }
wait "$listener" || true
grep -q "hello from the package" "$work/bob.out" || { cat "$work/bob.out" "$work/bob.err"; fail "bob did not get the message"; }
head -c 300000 /dev/urandom >"$work/blob"
cli alice files "127.0.0.1:$port" put "$work/blob" blob >/dev/null 2>&1 || fail "files put"
cli alice files "127.0.0.1:$port" get blob "$work/blob.back" >/dev/null 2>&1 || fail "files get"
cmp -s "$work/blob" "$work/blob.back" || fail "the file came back different"
cli alice files "127.0.0.1:$port" mkdir dir >/dev/null 2>&1 || fail "files mkdir"
cli alice files "127.0.0.1:$port" mv blob dir/ >/dev/null 2>&1 || fail "files mv"
cli alice files "127.0.0.1:$port" rm dir/blob >/dev/null 2>&1 || fail "files rm"
grep -q "SIGHUP: whitelist re-read: 2 key(s)" "$work/server.log" || fail "SIGHUP did not re-read the whitelist"
"$bin/quietwired" --data-dir "$data" console whitelist | grep -q "^bob " || fail "quietwired console whitelist"
kill "$quietwired_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; quietwired_pid=""
echo "   listened on port $port; chat relayed, 300 kB round trip identical, SIGHUP re-read the whitelist, console answered"

step "systemd-analyze verify"
unit="$root/usr/lib/systemd/system/quietwired.service"
grep -q "^ExecStart=/usr/bin/quietwired " "$unit" || fail "the unit does not start /usr/bin/quietwired"
# verify wants the programs the unit names to exist: point ExecStart at the unpacked one.
mkdir -p "$work/units"
sed "s|^ExecStart=/usr/bin/quietwired|ExecStart=$bin/quietwired|" "$unit" >"$work/units/quietwired.service"
# It exits 0 even for unknown keys and bad values, so any output at all counts as a failure.
verify=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$work/units/quietwired.service" 2>&1) \
    && [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
exposure=$(systemd-analyze security --offline=yes "$work/units/quietwired.service" 2>&1 | grep "Overall exposure" || true)
echo "   verify: no complaints; ${exposure#→ }"

step "the unit's system call filter lets through every call the server made"
# Expands a systemd syscall group (groups hold groups) into system call names.
expand() {
    systemd-analyze syscall-filter "$1" | tail -n +2 | grep -v '^ *#' | tr -d ' ' | grep . |
        while read -r name; do case $name in @*) expand "$name" ;; *) echo "$name" ;; esac; done
}
allowed=$(for group in $(sed -n 's/^SystemCallFilter=\(@.*\)/\1/p' "$unit"); do expand "$group"; done | sort -u)
denied=$(for group in $(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$unit"); do expand "$group"; done | sort -u)
# strace -f prefixes lines with the PID only once the server has more than one thread.
used=$(grep -vE '^([0-9]+ +)?execve\(' "$work/trace/server" | sed -nE 's/^([0-9]+ +)?([a-z0-9_]+)\(.*/\2/p' | sort -u)
[ "$(wc -l <<<"$used")" -gt 20 ] || fail "the server trace holds too few system calls: $used"
blocked=$(comm -23 <(echo "$used") <(comm -23 <(echo "$allowed") <(echo "$denied")))
[ -z "$blocked" ] || fail "the unit's SystemCallFilter would kill the server on: $blocked"
echo "   $(wc -l <<<"$used") distinct calls, all allowed (chat, files, SIGHUP, console)"

if [ "$install" = 1 ]; then
    step "apt install of both packages"
    if dpkg-query -W quietwired >/dev/null 2>&1 || [ -e /var/lib/quietwired ]; then
        fail "--install wants a machine without quietwired: purge it and remove /var/lib/quietwired first"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "./$server_deb" "./$client_deb" >"$work/apt.log" 2>&1 \
        || { cat "$work/apt.log"; fail "apt install"; }
    getent passwd quietwired >/dev/null || fail "no user quietwired after install"
    [ "$(stat -c %U:%a /var/lib/quietwired)" = "quietwired:700" ] || fail "/var/lib/quietwired is $(stat -c %U:%a /var/lib/quietwired)"
    verify=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify /usr/lib/systemd/system/quietwired.service 2>&1) \
        && [ -z "$verify" ] || fail "systemd-analyze verify on the installed unit: $verify"
    # As the unit runs it: the service user, its data dir. Root administers it meanwhile.
    setpriv --reuid=quietwired --regid=quietwired --clear-groups -- /usr/bin/quietwired --data-dir /var/lib/quietwired --listen 127.0.0.1 --port 0 \
        --session-ports "$first-$((first + 3))" </dev/null >"$work/service.out" 2>"$work/service.log" &
    server_pid=$!
    for _ in $(seq 100); do grep -q "Type \`help\`" "$work/service.out" 2>/dev/null && break; sleep 0.1; done
    port=$(sed -n 's/^Listening on: .* port \([0-9]*\) (handshake).*/\1/p' "$work/service.out")
    [ -n "$port" ] || { cat "$work/service.out" "$work/service.log"; fail "the installed server did not start"; }
    quietwired allow "$(quietwire-cli --config-dir "$work/carol" key 2>/dev/null)" carol >/dev/null \
        || fail "root's quietwired allow"
    [ "$(stat -c %U /var/lib/quietwired/authorized_keys)" = quietwired ] || fail "authorized_keys is not the service's"
    quietwired fingerprint | grep -q SHA256: || fail "root's quietwired fingerprint"
    for _ in $(seq 50); do grep -q "whitelist loaded: 1 key" "$work/service.log" && break; sleep 0.1; done
    quietwired console whitelist | grep -q "^carol " || fail "root's quietwired console"
    quietwire-cli --config-dir "$work/carol" chat "127.0.0.1:$port" --trust-new --send "hello, service" 2>"$work/carol.err" \
        || { cat "$work/carol.err" "$work/service.log"; fail "the installed client could not reach the installed server"; }
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    apt-get purge -y -q quietwire quietwired >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt purge"; }
    [ -d /var/lib/quietwired ] || fail "purge removed the server's data"
    rm -rf /var/lib/quietwired
    userdel quietwired 2>/dev/null || true
    echo "   installed, user and data dir made, server run as quietwired, allowed and consoled by root, reached, purged"
fi
echo "package checks passed: $client_deb $server_deb"
