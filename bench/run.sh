#!/usr/bin/env bash
# bench/run.sh: QuietWire side by side with OpenSSH (scp, sftp), OpenSSL (TLS 1.3 handshakes,
# AEAD speed) and raw loopback TCP (iperf3), in one run on one machine. Writes
# docs/PERFORMANCE.md and docs/performance.png.
#
#   bench/run.sh              the full figures (about 25-30 minutes on 2 cores)
#   bench/run.sh --quick      small sizes, few repeats (a few minutes): checks that it all works
#   bench/run.sh --only chat  only the chat store (bench/chat-store.sh: about 6 minutes; with --quick
#                             under one); replaces only its section of docs/PERFORMANCE.md
#   bench/run.sh --only tree  only a folder of 1,000 files of 4 KiB: put -r against scp -r and sftp put -r
#                             (bench/tree-upload.sh: about a minute); replaces only its section
#   bench/run.sh --only gui-stall  only the event-loop stalls of a resumed 1 GiB transfer and a history load
#                             (bench/gui-stall.sh: a few minutes); replaces only its section
#   bench/run.sh --only fanout  only the chat fan-out, 500 members, beside ngircd over TLS (bench/fanout.sh:
#                             about 5 minutes); replaces only its section
#   bench/run.sh --only sessions  only 10,000 sessions on one server and the memory per idle session
#                             (bench/many-sessions.sh: about 4 minutes); replaces only its section
#   bench/run.sh --only bulk  only bulk against the floor and scp (every cipher, scp and scp -O, then alternating
#                             runs) and parallel transfers (bench/bulk.sh: about 10 minutes); replaces only its part
#                             of section 1
#   bench/run.sh --only handshakes  only QuietWire set-ups against TLS 1.3 handshakes (bench/handshakes.sh:
#                             about 3 minutes); replaces only its section
#   bench/run.sh --only storm only the restart storm: 2,000 chat clients, the server restarted
#                             (bench/restart-storm.sh: 3 restarts, 3-4 minutes each; --quick one); replaces only its section
#   bench/run.sh --only cluster  only one and three nodes on PostgreSQL behind HAProxy, against one node on SQLite
#                             (bench/cluster.sh: about 15 minutes); replaces only its section
#
# Options: --no-build (use build/bin as it is), --no-install (never call apt-get),
#          --keep (keep the work directories), --out DIR (write the report there; default docs/)
#
# Everything runs on 127.0.0.1: a quietwired with a temporary data dir on tmpfs, a throwaway
# sshd (own config, host key and authorized key) on a free port, openssl s_server, iperf3.
# Nothing of the machine's own SSH setup is used or changed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=full
DO_BUILD=1
DO_INSTALL=1
KEEP=0
OUT=$ROOT/docs
ONLY=""
while (($#)); do
    case $1 in
    --quick) MODE=quick ;;
    --no-build) DO_BUILD=0 ;;
    --no-install) DO_INSTALL=0 ;;
    --keep) KEEP=1 ;;
    --out) OUT=$2; shift ;;
    --only)
        ONLY=$2; shift
        case $ONLY in chat | tree | gui-stall | bulk | fanout | sessions | handshakes | storm | cluster) ;; *) echo "run.sh: --only takes chat, tree, gui-stall, bulk, fanout, sessions, handshakes, storm or cluster" >&2; exit 2 ;; esac
        ;;
    -h | --help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# ---------------------------------------------------------------------------------------------
# Parameters of the two modes
if [ "$MODE" = full ]; then
    SIZES="4K 64K 1M 16M 256M 1G"   # the throughput-by-size sweep
    TABLE_SIZE=1G                    # the bulk table: every tool, every cipher
    QW_REPEAT=5                      # timed runs of QuietWire at TABLE_SIZE
    SSH_REPEAT=3                     # scp runs per cipher at TABLE_SIZE
    SFTP_REPEAT=2                    # sftp runs per cipher at TABLE_SIZE
    SWEEP_REPEAT=5                   # runs per size below 256M
    SWEEP_REPEAT_LARGE=3             # runs at 256M
    IPERF_SECONDS=5; IPERF_REPEAT=3
    SPEED_SECONDS=2
    BIG_SIZE=10G; MEM_SIZES="16M 1G"
    STALL_SIZE=1G; STALL_REPEAT=3
    PROFILE_SIZE=256M
else
    SIZES="4K 1M 16M"
    TABLE_SIZE=16M
    QW_REPEAT=3; SSH_REPEAT=1; SFTP_REPEAT=1
    SWEEP_REPEAT=2; SWEEP_REPEAT_LARGE=2
    IPERF_SECONDS=1; IPERF_REPEAT=1
    SPEED_SECONDS=1
    BIG_SIZE=256M; MEM_SIZES="16M"
    STALL_SIZE=64M; STALL_REPEAT=1
    PROFILE_SIZE=64M
fi

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Packages
need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    [ "$DO_INSTALL" = 1 ] || die "missing packages: ${missing[*]} (run without --no-install)"
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # The packages' own services (sshd on port 22, the iperf3 daemon) are not wanted here.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod +x $policy && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
        || { $sudo apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
            --no-install-recommends "${missing[@]}" >&2; }
    [ $own_policy = 0 ] || $sudo rm -f $policy
}
[ "$DO_INSTALL" = 0 ] || bash "$ROOT/scripts/deps.sh" >&2
if [ "$ONLY" = chat ] || [ "$ONLY" = gui-stall ] || [ "$ONLY" = sessions ] || [ "$ONLY" = storm ]; then
    need_packages sqlite3 procps iproute2
elif [ "$ONLY" = fanout ]; then
    need_packages ngircd openssl procps iproute2
elif [ "$ONLY" = cluster ]; then
    need_packages sqlite3 postgresql-15 haproxy procps iproute2
elif [ "$ONLY" = handshakes ]; then
    need_packages openssl procps iproute2
else
    need_packages openssh-server openssh-client openssl iperf3 gnuplot-nox procps iproute2 sqlite3 ngircd postgresql-15 haproxy
fi

BIN=$ROOT/build/bin
if [ "$DO_BUILD" = 1 ]; then
    log "building (Release) quietwired quietwire-cli quietwire-bench quietwire-gui-bench"
    cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    # -j1: the machine may be shared; the build is incremental after the first time.
    ninja -C "$ROOT/build" -j1 quietwired quietwire-cli quietwire-bench quietwire-gui-bench >&2
fi
for b in quietwired $(case $ONLY in chat | gui-stall | fanout | sessions | handshakes | storm | cluster) ;; *) echo quietwire-cli ;; esac) quietwire-bench \
    $([ "$ONLY" = gui-stall ] && echo quietwire-gui-bench); do [ -x "$BIN/$b" ] || die "$BIN/$b is missing"; done
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$ROOT/build/CMakeCache.txt")
# Taken now: by the time the report is written, docs/ holds this run's own output.
QW_REVISION=$(git -C "$ROOT" describe --always --dirty 2>/dev/null)

# ---------------------------------------------------------------------------------------------
# Work directories, processes, clean-up
WORK=$(mktemp -d /dev/shm/quietwire-bench.XXXXXX)   # tmpfs: sources, servers' files, downloads
BIGDIR=""                                          # disk: the server side of the big transfer
CHATDIR=""                                         # disk: the chat stores (bench/chat-store.sh)
CLUSTERDIR=""                                      # disk: the SQLite reference store (bench/cluster.sh)
CLUSTER_PG_STATE=""                                # the PostgreSQL cluster (bench/cluster.sh)
RES=$WORK/results.tsv; : >"$RES"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -z "$CLUSTER_PG_STATE" ] || bash "$ROOT/tests/postgres/pg-cluster.sh" stop "$CLUSTER_PG_STATE" || true
    if [ "$KEEP" = 1 ]; then
        log "kept $WORK ${BIGDIR} ${CHATDIR} ${CLUSTERDIR}"
    else
        rm -rf "$WORK" ${BIGDIR:+"$BIGDIR"} ${CHATDIR:+"$CHATDIR"} ${CLUSTERDIR:+"$CLUSTERDIR"}
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget_pid() { local keep=() p; for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; forget_pid "$1"; }

# Results: one "metric<TAB>value" line per sample; stats prints "median min max count".
rec() { printf '%s\t%s\n' "$1" "$2" >>"$RES"; }
stats() {
    awk -F'\t' -v m="$1" '$1 == m { print $2 }' "$RES" | sort -g | awk '
        { a[NR] = $1 }
        END {
            if (NR == 0) { print "- - - 0"; exit }
            med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            print med, a[1], a[NR], NR
        }'
}
med() { stats "$1" | cut -d' ' -f1; }
# field KEY < line: the value of KEY=value in a quietwire-bench line
field() { tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1; }
# fmt VALUE [DECIMALS]
fmt() { if [ "$1" = - ] || [ -z "$1" ]; then echo "n/a"; else LC_ALL=C printf "%.${2:-0}f" "$1"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
size_to_bytes() {
    local s=$1 n u
    n=${s%[KMG]}; u=${s#"$n"}
    case $u in K) echo $((n << 10)) ;; M) echo $((n << 20)) ;; G) echo $((n << 30)) ;; *) echo "$n" ;; esac
}
now_ns() { date +%s%N; }
S() { stats "$1"; }
cell() { # metric [decimals] -> "median (min-max)"
    local m mn mx n
    read -r m mn mx n <<<"$(S "$1")"
    if [ "$n" = 0 ]; then echo "n/a"; elif [ "$n" = 1 ]; then fmt "$m" "${2:-0}"; else
        echo "$(fmt "$m" "${2:-0}") ($(fmt "$mn" "${2:-0}")-$(fmt "$mx" "${2:-0}"))"; fi
}
runs() { S "$1" | cut -d' ' -f4; }
verdict() { # value op target -> met / NOT met
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
        if (v == "n/a" || v == "-" || v == "") { print "n/a"; exit }
        ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "**met**" : "**not met**" }'
}

CLK_TCK=$(getconf CLK_TCK)
# CPU seconds a process used (own) or collected from its reaped children (children)
cpu_own() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
# cpu_sum PID...: the CPU seconds of several processes together (a process that is gone counts 0)
cpu_sum() { local p; for p; do if [ -r "/proc/$p/stat" ]; then cpu_own "$p"; echo; else echo 0; fi; done | awk '{ s += $1 } END { printf "%.2f", s }'; }
# wait_listening PORT PID LOG WHAT: until something takes connections on 127.0.0.1:PORT; dies (naming WHAT, with the
# end of LOG) when PID is gone or after 10 s
wait_listening() {
    for _ in $(seq 100); do
        (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || die "$4 did not start: $(tail -5 "$3")"
        sleep 0.1
    done
    die "$4 does not take connections on port $1 after 10 s: $(tail -5 "$3")"
}
cpu_children() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($16 + $17) / t }' "/proc/$1/stat"; }
# CPU seconds of the reaped children of this (sub)shell: the builtin times, written to a file
# (inside $(...) it would run in a fresh subshell and report nothing)
parse_times() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.3f", s }' "$1"; }
per_gib() { awk -v c="$1" -v b="$2" 'BEGIN { printf "%.3f", c / (b / 1073741824) }'; }
mbps() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.2f", b / (ns / 1e9) / 1e6 }'; }

used_ports() { ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un; }
# free_range N: N consecutive TCP ports below the ephemeral range that nothing uses now
free_range() {
    local n=$1 base used
    used=$(used_ports)
    for _ in $(seq 100); do
        base=$((20000 + RANDOM % 12000))
        if ! awk -v b="$base" -v n="$n" '$1 >= b && $1 < b + n { f = 1 } END { exit !f }' <<<"$used"; then
            echo "$base-$((base + n - 1))"
            return 0
        fi
    done
    return 1
}
free_port() { free_range 1 | cut -d- -f1; }

# Load of the machine: sampled every 5 s during the run (other builds share the 2 cores).
LOADLOG=$WORK/load.log
(
    while :; do
        others=$(ps -eo comm= | grep -cE '^(cc1plus|ld|ninja|make|ctest|Test[A-Z]|clang)' || true)
        echo "$(date +%s) $(cut -d' ' -f1 /proc/loadavg) $others"
        sleep 5
    done
) >"$LOADLOG" 2>/dev/null &
PIDS+=($!)

# load_during START END: "lowest highest N_of_M" load averages sampled between the two times (seconds since the
# epoch), and in how many samples other developers' compilers or tests ran
load_during() {
    awk -v s="$1" -v e="$2" '$1 >= s && $1 <= e {
        if (n == 0 || $2 < lo) lo = $2; if ($2 > hi) hi = $2; if ($3 > 0) o++; n++ }
        END { printf "%s %s %d_of_%d\n", (n ? lo : "-"), (n ? hi : "-"), o, n }' "$LOADLOG"
}

# ---------------------------------------------------------------------------------------------
# The QuietWire server
KEYS=$WORK/keys
SRV_PID=""; SRV_PORT=""
# start_server NAME FILES_ROOT [DATA_DIR]: a fresh quietwired on 127.0.0.1 (sets SRV_PID, SRV_PORT); its
# data dir is $WORK/NAME (tmpfs) unless DATA_DIR is given
start_server() {
    local name=$1 files=$2 data=${3:-$WORK/$1} range
    SRV_FILES=$files
    mkdir -p "$data" "$files"
    cp "$KEYS/authorized_keys" "$data/"
    # Every server has a new key, and a port may come round again: no stale pins.
    rm -f "$KEYS/known_servers" "$KEYS/0000/known_servers"
    range=$(free_range "${SRV_PORT_COUNT:-128}") || die "no free port range"
    SRV_RANGE=$range
    # The handshake benchmark runs up to 32 set-ups of one key at once: more tickets of one key
    # than a user needs (--max-tickets-per-key, 8 by default) are waiting then.
    env ${SRV_ENV:+"$SRV_ENV"} "${SRV_BIN:-$BIN/quietwired}" --data-dir "$data" --files-root "$files" --listen 127.0.0.1 --port 0 \
        --session-ports "$range" --quota 64G --max-tickets-per-key 64 ${SRV_OPTS:-} </dev/null >"$WORK/$name.out" 2>"$WORK/$name.log" &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    for _ in $(seq 100); do
        grep -q 'Type `help`' "$WORK/$name.out" 2>/dev/null && break
        kill -0 "$SRV_PID" 2>/dev/null || die "quietwired did not start: $(cat "$WORK/$name.log")"
        sleep 0.1
    done
    SRV_PORT=$(sed -n 's/.*port \([0-9]*\) (handshake).*/\1/p' "$WORK/$name.out")
    [ -n "$SRV_PORT" ] || die "quietwired did not report its port"
    log "quietwired $name: pid $SRV_PID, port $SRV_PORT, session ports $range"
}
rss_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# sample_rss PID... : VmRSS of each PID every 0.2 s into $WORK/rss.<pid> until killed
sample_rss() {
    local pid
    while :; do
        for pid in "$@"; do
            [ -r "/proc/$pid/status" ] && rss_kib "$pid" VmRSS >>"$WORK/rss.$pid"
        done
        sleep 0.2
    done
}
bench() { "$BIN/quietwire-bench" --host 127.0.0.1 --port "$SRV_PORT" --keys "$KEYS" --dir "$WORK/client" "$@"; }
# For "bench_bg ... &": exec makes $! the quietwire-bench process itself, not a subshell around it,
# so that stop_pid ends it and sample_rss reads its memory.
bench_bg() { exec "$BIN/quietwire-bench" --host 127.0.0.1 --port "$SRV_PORT" --keys "$KEYS" --dir "$WORK/client" "$@"; }

# start_sshd: a throwaway sshd on a free loopback port (sets SSHD_DIR, SSHD_PORT, SSHD_PID, CIPHERS)
start_sshd() {
    log "starting a throwaway sshd"
    SSHD_DIR=$WORK/sshd
    mkdir -p "$SSHD_DIR"
    ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key"
    ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/client_key"
    cp "$SSHD_DIR/client_key.pub" "$SSHD_DIR/authorized_keys"
    SSHD_PORT=$(free_port)
    cat >"$SSHD_DIR/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_key
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PidFile $SSHD_DIR/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel ERROR
EOF
    cat >"$SSHD_DIR/ssh_config" <<EOF
Host qwbench
  HostName 127.0.0.1
  Port $SSHD_PORT
  User $(id -un)
  IdentityFile $SSHD_DIR/client_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  BatchMode yes
  LogLevel ERROR
EOF
    mkdir -p /run/sshd 2>/dev/null || true   # sshd's privilege separation directory
    /usr/sbin/sshd -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" &
    SSHD_PID=$!; PIDS+=("$SSHD_PID")
    for _ in $(seq 50); do ssh -F "$SSHD_DIR/ssh_config" qwbench true 2>/dev/null && break; sleep 0.2; done
    ssh -F "$SSHD_DIR/ssh_config" qwbench true || die "the throwaway sshd does not answer: $(cat "$SSHD_DIR/sshd.log")"
    SSHD_CIPHERS=$(/usr/sbin/sshd -T -f "$SSHD_DIR/sshd_config" | awk '$1 == "ciphers" { print $2 }' | tr ',' ' ')
    CIPHERS=""
    for c in $(ssh -Q cipher); do case " $SSHD_CIPHERS " in *" $c "*) CIPHERS="$CIPHERS $c" ;; esac; done
    CIPHERS=${CIPHERS# }
    log "sshd on port $SSHD_PORT accepts: $CIPHERS"
}

# replace_section BEGIN END FILE: docs/PERFORMANCE.md gets FILE between the markers BEGIN and END (in place of
# what they held), else before "## Where the time goes", else at the end; the rest of the report stays.
replace_section() {
    local begin=$1 end=$2 section=$3
    mkdir -p "$OUT"
    DOC=$OUT/PERFORMANCE.md
    if [ -f "$DOC" ] && grep -qF "$begin" "$DOC"; then
        awk -v b="$begin" -v e="$end" -v f="$section" '
            $0 == b { while ((getline line < f) > 0) print line; skip = 1; next }
            skip && $0 == e { skip = 0; next }
            !skip' "$DOC" >"$WORK/doc.md"
    elif [ -f "$DOC" ] && grep -q '^## Where the time goes' "$DOC"; then
        awk -v f="$section" '/^## Where the time goes/ && !done {
                while ((getline line < f) > 0) print line; print ""; done = 1 } { print }' "$DOC" >"$WORK/doc.md"
    else
        { [ ! -f "$DOC" ] || cat "$DOC"; echo; cat "$section"; } >"$WORK/doc.md"
    fi
    cp "$WORK/doc.md" "$DOC"
}

mkdir -p "$WORK/client" "$WORK/ssh-remote" "$WORK/ssh-local"
log "mode $MODE, work dir $WORK"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START_TIME=$(date +%s)
# shellcheck source=bench/chat-store.sh
. "$ROOT/bench/chat-store.sh"
# shellcheck source=bench/tree-upload.sh
. "$ROOT/bench/tree-upload.sh"
# shellcheck source=bench/gui-stall.sh
. "$ROOT/bench/gui-stall.sh"
# shellcheck source=bench/fanout.sh
. "$ROOT/bench/fanout.sh"
# shellcheck source=bench/many-sessions.sh
. "$ROOT/bench/many-sessions.sh"
# shellcheck source=bench/bulk.sh
. "$ROOT/bench/bulk.sh"
# shellcheck source=bench/handshakes.sh
. "$ROOT/bench/handshakes.sh"
# shellcheck source=bench/restart-storm.sh
. "$ROOT/bench/restart-storm.sh"
# shellcheck source=bench/cluster.sh
. "$ROOT/bench/cluster.sh"

if [ "$ONLY" = bulk ]; then
    if [ -n "${BULK_REPORT_FROM:-}" ]; then # the report again from a kept run (--keep), measuring nothing
        RES=$BULK_REPORT_FROM/results.tsv; LOADLOG=$BULK_REPORT_FROM/load.log
        # shellcheck source=/dev/null
        . "$BULK_REPORT_FROM/bulk.state"
    else
        "$BIN/quietwire-bench" keygen --keys "$KEYS" --count 1 >/dev/null
        start_server bulk "$WORK/bulk-files"
        start_sshd
        SSH_OPTS=(-F "$SSHD_DIR/ssh_config")
        # The sources, and the server's copies for the downloads (a first download would upload its file
        # itself, inside the server's CPU of that run).
        for s in $BULK_SIZE $PAR_SIZE; do
            bench download "$s" --repeat 1 >/dev/null || die "download of $s failed"
        done
        bulk_scan "$BULK_SCAN_REPEAT"
        bulk_measure
        stop_pid "$SRV_PID"
    fi
    bulk_report >"$WORK/bulk-section.md"
    replace_section "$BULK_BEGIN" "$BULK_END" "$WORK/bulk-section.md"
    log "wrote the bulk part of section 1 of $DOC"
    exit 0
fi
# only_section KEY_COUNT MEASURE REPORT BEGIN END WHAT: one part alone (--only): its keys, its measurements, and its
# section of docs/PERFORMANCE.md in place of the old one; then the run ends.
only_section() {
    "$BIN/quietwire-bench" keygen --keys "$KEYS" --count "$1" >/dev/null
    "$2"
    "$3" >"$WORK/section.md"
    replace_section "$4" "$5" "$WORK/section.md"
    log "wrote the $6 section of $DOC"
    exit 0
}
tree_upload_alone() {
    start_sshd
    SSH_OPTS=(-F "$SSHD_DIR/ssh_config")
    tree_upload_measure
}
SESSION_KEYS=$((IDLE_FILES > MANY_KEYS ? IDLE_FILES : MANY_KEYS))
case $ONLY in
chat) only_section "$CHAT_SENDERS" chat_store_measure chat_store_report "$CHAT_BEGIN" "$CHAT_END" "chat store" ;;
gui-stall) only_section 1 gui_stall_measure gui_stall_report "$GUI_STALL_BEGIN" "$GUI_STALL_END" "GUI stall" ;;
tree) only_section 1 tree_upload_alone tree_upload_report "$TREE_BEGIN" "$TREE_END" "folder upload" ;;
fanout) only_section "$FANOUT_MEMBERS" fanout_measure fanout_report "$FANOUT_BEGIN" "$FANOUT_END" "fan-out" ;;
sessions) only_section "$SESSION_KEYS" sessions_measure sessions_report "$SESSIONS_BEGIN" "$SESSIONS_END" "many-sessions" ;;
handshakes) only_section 1 handshakes_measure handshakes_report "$HS_BEGIN" "$HS_END" "handshakes" ;;
storm) only_section "$STORM_CLIENTS" storm_measure storm_report "$STORM_BEGIN" "$STORM_END" "restart storm" ;;
cluster) only_section "$CLUSTER_KEYS" cluster_measure cluster_report "$CLUSTER_BEGIN" "$CLUSTER_END" "cluster" ;;
esac
"$BIN/quietwire-bench" keygen --keys "$KEYS" --count $((SESSION_KEYS > FANOUT_MEMBERS ? SESSION_KEYS : FANOUT_MEMBERS)) >/dev/null
start_server main "$WORK/main-files"
MAIN_PID=$SRV_PID; MAIN_PORT=$SRV_PORT

# Sources: the same files for every tool.
for s in $SIZES $TABLE_SIZE $PAR_SIZE $STALL_SIZE $PROFILE_SIZE $MEM_SIZES; do
    [ -e "$WORK/client/src-$s" ] && continue
    bench download "$s" --repeat 1 >/dev/null || die "download of $s failed"   # also seeds the server's copy
done

# ---------------------------------------------------------------------------------------------
# 1. Limits: raw loopback TCP (iperf3) and the AEAD and hash speed of this CPU (openssl speed)
log "raw TCP: iperf3 on loopback"
IPERF_PORT=$(free_port)
iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >/dev/null 2>&1 &
IPERF_PID=$!; PIDS+=("$IPERF_PID")
sleep 0.5
iperf_run() { # streams -> MB/s received
    iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t "$IPERF_SECONDS" -P "$1" -f m 2>/dev/null \
        | awk '/receiver/ && ($0 ~ /SUM/ || P == 1) { v = $(NF - 2); u = $(NF - 1) } END {
            if (u == "Gbits/sec") v *= 1000; printf "%.1f", v / 8 }' P="$1"
}
for _ in $(seq "$IPERF_REPEAT"); do
    rec tcp_1 "$(iperf_run 1)"
    rec tcp_par "$(iperf_run "$PAR_N")"
done
stop_pid "$IPERF_PID"

log "openssl speed"
speed() { # algorithm -> MB/s on 16 KiB buffers
    openssl speed -mr -seconds "$SPEED_SECONDS" -bytes 16384 -evp "$1" 2>/dev/null \
        | awk -F: '/^\+F:/ { printf "%.1f", $4 / 1e6 }'
}
for a in chacha20-poly1305 aes-128-gcm aes-256-gcm sha256; do rec "speed_$a" "$(speed $a)"; done

# ---------------------------------------------------------------------------------------------
# 2. OpenSSH: a throwaway sshd on a free loopback port
start_sshd
SSH_OPTS=(-F "$SSHD_DIR/ssh_config")
# What every scp/sftp command pays before the first byte: connect, key exchange, auth, exit.
for _ in $(seq 5); do
    t0=$(now_ns); ssh "${SSH_OPTS[@]}" qwbench true; t1=$(now_ns)
    rec ssh_setup_ms "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e6 }')"
done

# qw_cli DIRECTION SIZE -> MB/s of one whole quietwire-cli command, like scp
QW_CLI_CONFIG=$KEYS/0000
qw_cli() {
    local dir=$1 size=$2 bytes t0 t1
    bytes=$(size_to_bytes "$size")
    t0=$(now_ns)
    if [ "$dir" = up ]; then
        "$BIN/quietwire-cli" --config-dir "$QW_CLI_CONFIG" --trust-new files "127.0.0.1:$SRV_PORT" put \
            "$WORK/client/src-$size" "cli-$size" >/dev/null 2>&1 || die "quietwire-cli put $size failed"
    else
        "$BIN/quietwire-cli" --config-dir "$QW_CLI_CONFIG" --trust-new files "127.0.0.1:$SRV_PORT" get \
            "dl-$size" "$WORK/ssh-local/cli-$size" >/dev/null 2>&1 || die "quietwire-cli get $size failed"
        rm -f "$WORK/ssh-local/cli-$size"
    fi
    t1=$(now_ns)
    mbps "$bytes" $((t1 - t0))
}
# ---------------------------------------------------------------------------------------------
# 3. Bulk transfer at TABLE_SIZE: QuietWire, then scp / sftp with every cipher sshd accepts
log "bulk $TABLE_SIZE: QuietWire"
qw_bench up "$TABLE_SIZE" "$QW_REPEAT"
qw_bench down "$TABLE_SIZE" "$QW_REPEAT"
for _ in $(seq "$SWEEP_REPEAT_LARGE"); do
    rec "cli_up_$TABLE_SIZE" "$(qw_cli up "$TABLE_SIZE")"
    rec "cli_down_$TABLE_SIZE" "$(qw_cli down "$TABLE_SIZE")"
done
bulk_scan "$SSH_REPEAT"   # scp and scp -O with every cipher
for c in $CIPHERS; do
    log "bulk $TABLE_SIZE: sftp with $c"
    for _ in $(seq "$SFTP_REPEAT"); do
        rec "sftp_up_${TABLE_SIZE}_$c" "$(ssh_copy sftp up "$c" "$TABLE_SIZE")"
        rec "sftp_down_${TABLE_SIZE}_$c" "$(ssh_copy sftp down "$c" "$TABLE_SIZE")"
    done
done
# The fastest scp cipher of this run (by the better of its upload and download medians).
BEST_CIPHER=""; BEST_SCP=0
for c in $CIPHERS; do
    for d in up down; do
        v=$(med "scp_${d}_${TABLE_SIZE}_$c")
        if awk -v v="$v" -v b="$BEST_SCP" 'BEGIN { exit !(v > b) }'; then BEST_SCP=$v; BEST_CIPHER=$c; fi
    done
done
log "fastest scp cipher: $BEST_CIPHER"

# ---------------------------------------------------------------------------------------------
# 4. Throughput by file size: QuietWire (tool and CLI), scp and sftp with the fastest cipher
for s in $SIZES; do
    [ "$s" = "$TABLE_SIZE" ] && continue
    r=$SWEEP_REPEAT
    [ "$(size_to_bytes "$s")" -ge $((256 << 20)) ] && r=$SWEEP_REPEAT_LARGE
    log "size $s: QuietWire, quietwire-cli, scp, sftp ($r runs)"
    qw_bench up "$s" "$r"
    qw_bench down "$s" "$r"
    for _ in $(seq "$r"); do
        rec "cli_up_$s" "$(qw_cli up "$s")"
        rec "cli_down_$s" "$(qw_cli down "$s")"
        rec "scp_up_${s}_$BEST_CIPHER" "$(ssh_copy scp up "$BEST_CIPHER" "$s")"
        rec "scp_down_${s}_$BEST_CIPHER" "$(ssh_copy scp down "$BEST_CIPHER" "$s")"
        rec "sftp_up_${s}_$BEST_CIPHER" "$(ssh_copy sftp up "$BEST_CIPHER" "$s")"
        rec "sftp_down_${s}_$BEST_CIPHER" "$(ssh_copy sftp down "$BEST_CIPHER" "$s")"
    done
done

# ---------------------------------------------------------------------------------------------
# 5. Against the floor, QuietWire and the fastest scp and scp -O alternating, parallel transfers (bench/bulk.sh)
bulk_measure

# ---------------------------------------------------------------------------------------------
# 6. Event-loop stalls during a transfer in the loop's own thread (figure 5)
log "event-loop stalls: $STALL_SIZE"
for _ in $(seq "$STALL_REPEAT"); do
    for d in download upload; do
        line=$(bench "stall-$d" "$STALL_SIZE") || die "stall-$d failed"
        rec "stall_max_$d" "$(field max_gap_ms <<<"$line")"
        rec "stall_p99_$d" "$(field p99_gap_ms <<<"$line")"
        rec "stall_over16_$d" "$(field gaps_over_16ms <<<"$line")"
        rec "stall_idle_$d" "$(field idle_max_gap_ms <<<"$line")"
        rec "stall_mbps_$d" "$(field MBps <<<"$line")"
    done
done

# ---------------------------------------------------------------------------------------------
# 7. Handshakes: QuietWire session set-ups against TLS 1.3 full handshakes (bench/handshakes.sh)
handshakes_measure
# The restart storm: 2,000 chat clients, the server restarted (bench/restart-storm.sh)
storm_measure

# ---------------------------------------------------------------------------------------------
# 8. Chat fan-out beside ngircd (bench/fanout.sh)
stop_pid "$MAIN_PID"
fanout_measure

# ---------------------------------------------------------------------------------------------
# 9. Many sessions on one server, memory per idle session (bench/many-sessions.sh)
sessions_measure
# Several nodes on PostgreSQL behind HAProxy (bench/cluster.sh)
cluster_measure

# ---------------------------------------------------------------------------------------------
# 10. Memory during transfers of growing size, ending with BIG_SIZE
# The big upload reads a sparse file on tmpfs (zeros: no RAM used, the same work for the cipher
# and the hash) and the server writes real data to disk, where BIG_SIZE fits.
BIG_BYTES=$(size_to_bytes "$BIG_SIZE")
BIGDIR=$(mktemp -d /var/tmp/quietwire-bench.XXXXXX)
if [ "$(df -B1 --output=avail "$BIGDIR" | tail -1)" -lt $((BIG_BYTES + (2 << 30))) ]; then
    rm -rf "$BIGDIR"; BIGDIR=""
    die "not enough disk space in /var/tmp for a $BIG_SIZE transfer"
fi
BIG_TARGET="disk ($(df --output=source "$BIGDIR" | tail -1), $(df -T "$BIGDIR" | awk 'NR == 2 { print $2 }'))"
start_server memory "$BIGDIR/files"
truncate -s "$BIG_SIZE" "$WORK/client/src-$BIG_SIZE-sparse"
mem_transfer() { # size source-file -> records peak RSS of both ends
    local size=$1 src=$2 spid bpid line
    echo 5 >"/proc/$SRV_PID/clear_refs"   # restarts the server's VmHWM from its current RSS
    rec "mem_${size}_server_start_kib" "$(rss_kib "$SRV_PID" VmRSS)"
    bench_bg upload "$size" --file "$src" --repeat 1 >"$WORK/mem-$size.out" &
    bpid=$!; PIDS+=("$bpid")
    sample_rss "$SRV_PID" "$bpid" &
    spid=$!; PIDS+=("$spid")
    wait "$bpid" || die "upload of $size failed: $(cat "$WORK/mem-$size.out")"
    forget_pid "$bpid"
    stop_pid "$spid"
    line=$(grep '^transfer_summary' "$WORK/mem-$size.out")
    rec "mem_${size}_server_hwm_kib" "$(rss_kib "$SRV_PID" VmHWM)"
    rec "mem_${size}_server_sampled_kib" "$(sort -n "$WORK/rss.$SRV_PID" | tail -1)"
    rec "mem_${size}_client_hwm_kib" "$(field client_hwm_kib <<<"$line")"
    rec "mem_${size}_client_sampled_kib" "$(sort -n "$WORK/rss.$bpid" 2>/dev/null | tail -1)"
    rec "mem_${size}_mbps" "$(field median_MBps <<<"$line")"
    rm -f "$WORK/rss.$SRV_PID" "$WORK/rss.$bpid"
}
for s in $MEM_SIZES; do
    log "memory during a $s upload"
    mem_transfer "$s" "$WORK/client/src-$s"
done
log "memory during the $BIG_SIZE upload (to $BIG_TARGET)"
mem_transfer "$BIG_SIZE" "$WORK/client/src-$BIG_SIZE-sparse"
rm -f "$WORK/client/src-$BIG_SIZE-sparse"
stop_pid "$SRV_PID"
rm -rf "$BIGDIR"; BIGDIR=""

# ---------------------------------------------------------------------------------------------
# 11. The chat store: durable messages per second, history and search, memory against history
chat_store_measure
# A folder of many small files: put -r, scp -r, sftp put -r
tree_upload_measure

# ---------------------------------------------------------------------------------------------
# 12. Where the time goes: perf profiles of both ends during one upload and one download
PROFILE=""
if command -v perf >/dev/null && perf record -o "$WORK/perf.test" -- true >/dev/null 2>&1; then
    log "profiling a $PROFILE_SIZE upload and download with perf"
    start_server profile "$WORK/profile-files"
    # Seeds ~/dl-SIZE, so the profiled downloads read it and do not upload it first.
    bench download "$PROFILE_SIZE" --repeat 1 >/dev/null
    profile_one() { # kind: upload or download
        local kind=$1 sp
        perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf.server.$kind" -p "$SRV_PID" >/dev/null 2>&1 &
        sp=$!
        sleep 0.3
        perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf.client.$kind" -- \
            "$BIN/quietwire-bench" --host 127.0.0.1 --port "$SRV_PORT" --keys "$KEYS" --dir "$WORK/client" \
            "$kind" "$PROFILE_SIZE" --repeat 2 --keep >/dev/null 2>&1
        kill -INT "$sp"; wait "$sp" 2>/dev/null || true
    }
    profile_one upload
    profile_one download
    stop_pid "$SRV_PID"
    # Inclusive share of the frames that name a step of the pipeline (libcrypto has no symbols of
    # its own, so its work is counted through its exported entry points and QuietWire's callers).
    FRAMES='QuietWire::|SHA256_Update|EVP_(En|De)cryptUpdate|QFSFileEngine::(read|write)|QRingBuffer::read'
    FRAMES="$FRAMES|QCborValue::fromCbor|QByteArray::(mid|insert)|sock_(read|write)_iter|shmem_file_(read|write)_iter"
    FRAMES="$FRAMES|QEventDispatcherGlib::(un)?registerSocketNotifier|__memmove_avx_unaligned_erms"
    key_frames() { # perf data -> markdown rows: inclusive %, frame
        perf report -i "$1" --children --sort sym -g none --stdio 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | grep -E "$FRAMES" \
            | grep -vE 'QuietWire::(Bench::|EncryptedTcpSocket::(onReadyRead|bytesWritten|messageReceived|processFrame)|FileTransfer::(onRawMessage|pumpUpload)|FileService::(handle|pumpDownload)|ServiceClient::onMessage)' \
            | awk '{ pct = $1; $1 = ""; $2 = ""; $3 = ""; sym = substr($0, 4); gsub(/\|/, "\\|", sym);
                     if (seen[sym]++ || n++ >= 14) next; printf "| %s | `%s` |\n", pct, sym }'
    }
    PROFILE=$WORK/profile.md
    {
        for kind in upload download; do
            for end in server client; do
                echo "#### $kind of $PROFILE_SIZE: $([ $end = server ] && echo quietwired || echo "the client, quietwire-bench")"
                echo
                echo "| inclusive | frame |"; echo "|---:|---|"
                key_frames "$WORK/perf.$end.$kind"
                echo
            done
        done
    } >"$PROFILE"
fi

END_TIME=$(date +%s)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "measurements done in $(((END_TIME - START_TIME) / 60)) min; writing the report"

# ---------------------------------------------------------------------------------------------
# The plot: throughput by file size, upload and download
PLOT_DATA=$WORK/plot.dat
{
    echo "# bytes qw_up qw_down cli_up cli_down scp_up scp_down sftp_up sftp_down"
    for s in $SIZES; do
        row="$(size_to_bytes "$s")"
        for k in "qw_up_$s" "qw_down_$s" "cli_up_$s" "cli_down_$s" "scp_up_${s}_$BEST_CIPHER" \
            "scp_down_${s}_$BEST_CIPHER" "sftp_up_${s}_$BEST_CIPHER" "sftp_down_${s}_$BEST_CIPHER"; do
            v=$(med "$k"); [ "$v" = - ] && v=NaN
            row="$row $v"
        done
        echo "$row"
    done
} >"$PLOT_DATA"
TCP_1=$(med tcp_1)
AEAD=$(med speed_chacha20-poly1305)
mkdir -p "$OUT"
PNG=$OUT/performance.png
gnuplot <<EOF
set terminal pngcairo noenhanced size 1400,640 font "DejaVu Sans,11"
set output "$PNG"
set logscale xy
set grid xtics ytics mytics lc rgb "#dddddd"
set xlabel "file size"
set ylabel "MB/s (million bytes per second, log scale)"
set xtics ("4K" 4096, "64K" 65536, "1M" 1048576, "16M" 16777216, "256M" 268435456, "1G" 1073741824)
set key bottom right font ",10" box opaque
set yrange [0.001:10000]
set multiplot layout 1,2 title "QuietWire vs OpenSSH on loopback, tmpfs to tmpfs ($(date +%Y-%m-%d), $(nproc) cores, mode $MODE)"
set title "upload"
plot "$PLOT_DATA" using 1:2 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "QuietWire (quietwire-bench, in process)", \
     "" using 1:4 with linespoints lw 2 pt 5 lc rgb "#17becf" title "QuietWire (quietwire-cli, whole command)", \
     "" using 1:6 with linespoints lw 2 pt 9 lc rgb "#d62728" title "scp -c $BEST_CIPHER", \
     "" using 1:8 with linespoints lw 2 pt 11 lc rgb "#ff7f0e" title "sftp -c $BEST_CIPHER", \
     $TCP_1 with lines dt 2 lc rgb "#555555" title "raw TCP, iperf3 1 stream", \
     $AEAD with lines dt 3 lc rgb "#2ca02c" title "ChaCha20-Poly1305, openssl speed, 1 core"
set title "download"
plot "$PLOT_DATA" using 1:3 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "QuietWire (quietwire-bench, in process)", \
     "" using 1:5 with linespoints lw 2 pt 5 lc rgb "#17becf" title "QuietWire (quietwire-cli, whole command)", \
     "" using 1:7 with linespoints lw 2 pt 9 lc rgb "#d62728" title "scp -c $BEST_CIPHER", \
     "" using 1:9 with linespoints lw 2 pt 11 lc rgb "#ff7f0e" title "sftp -c $BEST_CIPHER", \
     $TCP_1 with lines dt 2 lc rgb "#555555" title "raw TCP, iperf3 1 stream", \
     $AEAD with lines dt 3 lc rgb "#2ca02c" title "ChaCha20-Poly1305, openssl speed, 1 core"
unset multiplot
EOF

# ---------------------------------------------------------------------------------------------
# The report
# cpu_cell PREFIX -> "client + server" CPU seconds per GiB (medians)
cpu_cell() {
    local c sv
    c=$(med "${1}_cpu_client"); sv=$(med "${1}_cpu_server")
    if [ "$c" = - ] || [ "$sv" = - ]; then echo "n/a"; return; fi
    awk -v c="$c" -v s="$sv" 'BEGIN { printf "%.2f + %.2f = **%.2f**", c, s, c + s }'
}
cpu_total() { awk -v c="$(med "${1}_cpu_client")" -v s="$(med "${1}_cpu_server")" 'BEGIN { if (c == "-" || s == "-") print "-"; else printf "%.3f", c + s }'; }

# Bulk: per direction against the fastest scp of that direction (any cipher, scp or scp -O);
# the headline is the weaker direction. quietwire-cli against scp is the like-for-like pair
# (whole commands); quietwire-bench leaves out starting a process.
best_scp() { # direction -> "MB/s label"
    local d=$1 best=0 label="" c v t
    for c in $CIPHERS; do
        for t in scp scpO; do
            v=$(med "${t}_${d}_${TABLE_SIZE}_$c")
            if awk -v v="$v" -v b="$best" 'BEGIN { exit !(v > b) }'; then
                best=$v; label="$([ $t = scpO ] && echo "scp -O" || echo scp) $c"
            fi
        done
    done
    echo "$best $label"
}
read -r SCP_UP SCP_UP_LABEL <<<"$(best_scp up)"
read -r SCP_DOWN SCP_DOWN_LABEL <<<"$(best_scp down)"
minof() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || a == "-") print b; else if (b == "n/a" || b == "-") print a; else print (a + 0 < b + 0) ? a : b }'; }
R_CLI=$(minof "$(ratio "$(med "cli_up_$TABLE_SIZE")" "$SCP_UP")" "$(ratio "$(med "cli_down_$TABLE_SIZE")" "$SCP_DOWN")")
R_BENCH=$(minof "$(ratio "$(med "qw_up_$TABLE_SIZE")" "$SCP_UP")" "$(ratio "$(med "qw_down_$TABLE_SIZE")" "$SCP_DOWN")")
R_SCP=$R_CLI
QW_BEST=$(minof "$(med "qw_up_$TABLE_SIZE")" "$(med "qw_down_$TABLE_SIZE")")   # the slower direction counts
R_TCP=$(ratio "$QW_BEST" "$TCP_1")
handshakes_summary
FAN_P99=$(med fan_qw_0_p99_ms)
IDLE_PER=$(med idle_files_per_session_kib)
IDLE_CHAT_PER=$(med idle_chat_per_session_kib)
MEM_SPREAD_S=$(for s in $MEM_SIZES $BIG_SIZE; do med "mem_${s}_server_hwm_kib"; done | sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", (b - a) / 1024 }')
MEM_SPREAD_C=$(for s in $MEM_SIZES $BIG_SIZE; do med "mem_${s}_client_hwm_kib"; done | sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", (b - a) / 1024 }')
MEM_SPREAD=$(awk -v a="$MEM_SPREAD_S" -v b="$MEM_SPREAD_C" 'BEGIN { print (a > b) ? a : b }')
STALL_MAX=$(for d in download upload; do S "stall_max_$d" | cut -d' ' -f3; done | sort -g | tail -1)
LOAD_MIN=$(awk '{ print $2 }' "$LOADLOG" | sort -g | head -1)
LOAD_MAX=$(awk '{ print $2 }' "$LOADLOG" | sort -g | tail -1)
OTHERS=$(awk '$3 > 0 { n++ } END { printf "%d of %d", n, NR }' "$LOADLOG")
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_TOTAL=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
QT_VERSION=$(dpkg-query -W -f='${Version}' qt6-base-dev 2>/dev/null || echo "?")
DURATION_MIN=$(((END_TIME - START_TIME + 59) / 60))

DOC=$OUT/PERFORMANCE.md
{
cat <<EOF
# Performance: QuietWire side by side with OpenSSH, OpenSSL and raw TCP

Written by \`bench/run.sh\`$([ "$MODE" = quick ] && echo " **--quick** (small sizes, few repeats: a smoke test, not the figures)") on
$(date -u '+%Y-%m-%d %H:%M UTC'). Every figure below comes from this one run on this one machine; compare
the ratios, which hold up better than the absolute numbers on a shared machine.

## The machine

| | |
|---|---|
| CPU | $CPU, $(nproc) cores |
| memory | $MEM_TOTAL |
| kernel | $(uname -r) |
| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |
| QuietWire | $QW_REVISION, build type $BUILD_TYPE |
| Qt / OpenSSL | $QT_VERSION / $(openssl version | cut -d' ' -f2) |
| OpenSSH | $(ssh -V 2>&1 | cut -d, -f1) |
| iperf3 | $(iperf3 --version 2>/dev/null | head -1 | cut -d' ' -f2) |
| load average | $LOAD_BEFORE before, $LOAD_AFTER after; between $LOAD_MIN and $LOAD_MAX during the run |
| other work | compilers or test runs of other developers were seen in $OTHERS load samples (every 5 s) |
| duration | $DURATION_MIN minutes |

The machine is shared: other builds ran on the same 2 cores during parts of the run (see *other work*),
so absolute numbers are lower and noisier than on an idle machine; each figure is the median of
repeated runs with its minimum and maximum in parentheses, and each comparison is made within the run.

## Targets

| target | measured | verdict |
|---|---|---|
| bulk transfer ≥ 3x the fastest scp cipher | $TABLE_SIZE, whole commands: quietwire-cli $(fmt "$(med "cli_up_$TABLE_SIZE")") up / $(fmt "$(med "cli_down_$TABLE_SIZE")") down MB/s vs the fastest scp $(fmt "$SCP_UP") up (\`$SCP_UP_LABEL\`) / $(fmt "$SCP_DOWN") down (\`$SCP_DOWN_LABEL\`): **${R_CLI}x** in the weaker direction (quietwire-bench, in process: ${R_BENCH}x) | $(verdict "$R_SCP" ">=" 3) |
| bulk transfer ≥ half of raw loopback TCP | quietwire-bench $(fmt "$QW_BEST") MB/s (weaker direction) vs iperf3 $(fmt "$TCP_1") MB/s (1 stream): **${R_TCP}x** | $(verdict "$R_TCP" ">=" 0.5) |
| handshakes/s ≥ 3x TLS 1.3 \`s_time -new\` | $(fmt "$HS_BEST") set-ups/s ($HS_BEST_N concurrent loops) vs $(fmt "$TLS_BEST") TLS handshakes/s: **${R_HS}x** | $(verdict "$R_HS" ">=" 3) |
| fan-out p99 < 20 ms with $FANOUT_MEMBERS members | p99 $(fmt "$FAN_P99" 1) ms (p50 $(fmt "$(med fan_qw_0_p50_ms)" 1) ms; ngircd over TLS p99 $(fmt "$(med fan_irc_0_p99_ms)" 1) ms) | $(verdict "$FAN_P99" "<" 20) |
| ≤ 64 KiB resident per idle session | $(fmt "$IDLE_PER" 1) KiB per files session ($IDLE_FILES), $(fmt "$IDLE_CHAT_PER" 1) KiB per chat session ($IDLE_CHAT) | $(verdict "$(awk -v a="$IDLE_PER" -v b="$IDLE_CHAT_PER" 'BEGIN { print (a > b) ? a : b }')" "<" 64.01) |
| memory flat (within 32 MiB) whatever the file size | peak RSS spread over $(echo $MEM_SIZES $BIG_SIZE | sed 's/ /, /g') uploads: server $MEM_SPREAD_S MiB, client $MEM_SPREAD_C MiB | $(verdict "$MEM_SPREAD" "<" 32.01) |
| GUI event-loop stalls < 50 ms | longest gap between 5 ms ticks during a $STALL_SIZE transfer: $(fmt "$STALL_MAX" 1) ms | $(verdict "$STALL_MAX" "<" 50) |

CPU cost, which the load of the shared machine hardly affects (both ends, CPU seconds per GiB moved at
$TABLE_SIZE): QuietWire $(fmt "$(cpu_total "qw_up_$TABLE_SIZE")" 2) up / $(fmt "$(cpu_total "qw_down_$TABLE_SIZE")" 2) down; scp with
\`$BEST_CIPHER\` $(fmt "$(cpu_total "scp_up_${TABLE_SIZE}_$BEST_CIPHER")" 2) / $(fmt "$(cpu_total "scp_down_${TABLE_SIZE}_$BEST_CIPHER")" 2), that is
$(ratio "$(cpu_total "scp_up_${TABLE_SIZE}_$BEST_CIPHER")" "$(cpu_total "qw_up_$TABLE_SIZE")")x / $(ratio "$(cpu_total "scp_down_${TABLE_SIZE}_$BEST_CIPHER")" "$(cpu_total "qw_down_$TABLE_SIZE")")x the CPU of QuietWire. A full handshake costs QuietWire
$(fmt "$(med "hs_qw_cpu_$HS_BEST_N")" 2) ms of CPU (both ends) against $(fmt "$(med "tls_cpu_ec_$TLS_BEST_N")" 2) ms for TLS 1.3 with ECDSA.

## 1. Bulk transfer, $TABLE_SIZE, tmpfs to tmpfs

MB/s = 10^6 bytes per second. QuietWire (quietwire-bench): wall clock from the \`upload()\`/\`download()\` call
(a new session: TCP connect, Noise handshake, session-port hand-off) to the verified finish (the server's
SHA-256 matched for an upload; the local file hashed, fsynced and renamed for a download), $QW_REPEAT runs.
quietwire-cli, scp and sftp: the whole command (process start, connection, authentication, copy, close),
like a user types it. OpenSSH 9.2's \`scp\` speaks the SFTP protocol; \`scp -O\` is the legacy SCP protocol.
The "remote" side of every tool is the same machine and the same tmpfs. A bare \`ssh host true\` (connect,
key exchange, authentication, exit) takes $(cell ssh_setup_ms 0) ms here, which every scp and sftp command
includes; quietwire-cli's own start and session set-up are in its rows too.

| tool | cipher | upload MB/s | download MB/s | runs | upload CPU s/GiB, client + server | download CPU s/GiB |
|---|---|---:|---:|---:|---:|---:|
| **QuietWire**, quietwire-bench | ChaCha20-Poly1305 (Noise) | **$(cell "qw_up_$TABLE_SIZE")** | **$(cell "qw_down_$TABLE_SIZE")** | $(runs "qw_up_$TABLE_SIZE") | $(cpu_cell "qw_up_$TABLE_SIZE") | $(cpu_cell "qw_down_$TABLE_SIZE") |
| QuietWire, quietwire-cli | ChaCha20-Poly1305 (Noise) | $(cell "cli_up_$TABLE_SIZE") | $(cell "cli_down_$TABLE_SIZE") | $(runs "cli_up_$TABLE_SIZE") | | |
EOF
for c in $CIPHERS; do
    echo "| scp | \`$c\` | $(cell "scp_up_${TABLE_SIZE}_$c") | $(cell "scp_down_${TABLE_SIZE}_$c") | $(runs "scp_up_${TABLE_SIZE}_$c") | $(cpu_cell "scp_up_${TABLE_SIZE}_$c") | $(cpu_cell "scp_down_${TABLE_SIZE}_$c") |"
done
for c in $CIPHERS; do
    echo "| scp -O (legacy) | \`$c\` | $(cell "scpO_up_${TABLE_SIZE}_$c") | $(cell "scpO_down_${TABLE_SIZE}_$c") | $(runs "scpO_up_${TABLE_SIZE}_$c") | $(cpu_cell "scpO_up_${TABLE_SIZE}_$c") | $(cpu_cell "scpO_down_${TABLE_SIZE}_$c") |"
done
for c in $CIPHERS; do
    echo "| sftp | \`$c\` | $(cell "sftp_up_${TABLE_SIZE}_$c") | $(cell "sftp_down_${TABLE_SIZE}_$c") | $(runs "sftp_up_${TABLE_SIZE}_$c") | $(cpu_cell "sftp_up_${TABLE_SIZE}_$c") | $(cpu_cell "sftp_down_${TABLE_SIZE}_$c") |"
done
cat <<EOF

CPU s/GiB: CPU time (user + system) of both ends per GiB moved, from getrusage of quietwire-bench and
\`/proc/PID/stat\` of quietwired, and for OpenSSH from the shell's \`times\` (scp, sftp, ssh) and the reaped
children of the sshd listener (the session sshd and sftp-server). Unlike MB/s, this hardly depends on what
else runs on the machine. Loopback TCP work shows up in whichever end's system call triggered it.
EOF
cat <<EOF

Limits of this machine, same run:

| limit | MB/s |
|---|---:|
| raw TCP on loopback, iperf3, 1 stream | $(cell tcp_1) |
| raw TCP on loopback, iperf3, $PAR_N streams | $(cell tcp_par) |
| ChaCha20-Poly1305, \`openssl speed -evp\`, 16 KiB blocks, 1 core | $(cell speed_chacha20-poly1305) |
| AES-128-GCM, same | $(cell speed_aes-128-gcm) |
| AES-256-GCM, same | $(cell speed_aes-256-gcm) |
| SHA-256, same (QuietWire hashes every file on both ends) | $(cell speed_sha256) |

EOF
bulk_report
cat <<EOF

### Throughput by file size

![Throughput by file size](performance.png)

| size | QuietWire up | QuietWire down | quietwire-cli up | quietwire-cli down | scp up | scp down | sftp up | sftp down |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
for s in $SIZES; do
    d=1; [ "$(size_to_bytes "$s")" -lt 1048576 ] && d=2
    echo "| $s | $(cell "qw_up_$s" $d) | $(cell "qw_down_$s" $d) | $(cell "cli_up_$s" $d) | $(cell "cli_down_$s" $d) | $(cell "scp_up_${s}_$BEST_CIPHER" $d) | $(cell "scp_down_${s}_$BEST_CIPHER" $d) | $(cell "sftp_up_${s}_$BEST_CIPHER" $d) | $(cell "sftp_down_${s}_$BEST_CIPHER" $d) |"
done
cat <<EOF

scp and sftp with \`$BEST_CIPHER\`, the fastest scp cipher of this run. Small files measure the set-up:
quietwire-bench times one new session per transfer inside a running process, the command-line rows
include starting the program.

EOF
handshakes_report
cat <<EOF

EOF
fanout_report
echo
sessions_report
echo
cluster_report
cat <<EOF

### Peak memory during one upload

Peak resident memory during one upload (fresh server, its VmHWM reset with \`/proc/PID/clear_refs\` before
each; the client's VmHWM is its whole life). The $BIG_SIZE upload reads a sparse file on tmpfs (zeros:
the same work for cipher and hash, no RAM for the source) and the server writes the real
$BIG_SIZE to $BIG_TARGET, because tmpfs is RAM.

| upload | server peak RSS | client peak RSS | MB/s |
|---|---:|---:|---:|
EOF
for s in $MEM_SIZES $BIG_SIZE; do
    echo "| $s | $(med "mem_${s}_server_hwm_kib") KiB | $(med "mem_${s}_client_hwm_kib") KiB | $(fmt "$(med "mem_${s}_mbps")") |"
done
cat <<EOF

## 5. Event-loop stalls during a transfer (the GUI's situation)

\`quietwire-bench stall-download\` / \`stall-upload\`: a \`QTimer\` ticking every 5 ms (\`Qt::PreciseTimer\`) in
the thread that runs \`FileClient\`/\`FileTransfer\` for a $STALL_SIZE transfer, which is what the desktop
client does in its GUI thread; the gap between two ticks is how long the event loop was busy. No widgets
are drawn (the desktop client is not in this tree yet), so painting is not included.

| transfer | longest gap | p99 gap | gaps > 16.7 ms | idle loop, longest gap | MB/s meanwhile | runs |
|---|---:|---:|---:|---:|---:|---:|
| download $STALL_SIZE | $(cell stall_max_download 1) ms | $(cell stall_p99_download 1) ms | $(med stall_over16_download) | $(fmt "$(med stall_idle_download)" 1) ms | $(fmt "$(med stall_mbps_download)") | $(runs stall_max_download) |
| upload $STALL_SIZE | $(cell stall_max_upload 1) ms | $(cell stall_p99_upload 1) ms | $(med stall_over16_upload) | $(fmt "$(med stall_idle_upload)" 1) ms | $(fmt "$(med stall_mbps_upload)") | $(runs stall_max_upload) |

EOF
chat_store_report
echo
tree_upload_report
echo
storm_report
echo
if [ -f "$ROOT/bench/ANALYSIS.md" ]; then
    cat "$ROOT/bench/ANALYSIS.md"
    echo
fi
if [ -n "$PROFILE" ]; then
    cat <<EOF
### Profiles of this run

\`perf record --call-graph dwarf -F 499\` on \`quietwired\` and on \`quietwire-bench\` during two ${PROFILE_SIZE}
uploads and two downloads. Share of each process's samples spent in a frame and its callees, for the
frames that name a step of the pipeline (the shares overlap where one step calls another).

EOF
    cat "$PROFILE"
fi
cat <<EOF
## How to run it

\`\`\`sh
bench/run.sh            # this report: about $DURATION_MIN minutes here
bench/run.sh --quick    # small sizes and few repeats: checks that everything works
bench/run.sh --only chat [--quick]   # only section 6, the chat store; replaces that section here
bench/run.sh --only tree [--quick]   # only section 7, a folder of small files; replaces that section here
bench/run.sh --only fanout [--quick] # only section 3, the fan-out beside ngircd; replaces that section here
bench/run.sh --only sessions [--quick] # only section 4, many sessions and the idle memory; replaces that section here
bench/run.sh --only handshakes [--quick]  # only section 2, set-ups against TLS 1.3; replaces that section here
bench/run.sh --only storm [--quick]  # only section 9, the restart storm; replaces that section here
\`\`\`

The script installs what is missing (openssh-server, iperf3, gnuplot-nox, ngircd; the packages' own services are
not started), builds Release with \`ninja -j1\`, starts every server on 127.0.0.1 with throwaway keys in a
temporary directory under /dev/shm, and removes it all at the end. \`build/bin/quietwire-bench --help\`
describes the load tool; its lines are \`record key=value ...\`.
EOF
} >"$DOC"
log "wrote $DOC and $PNG"
