#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on loopback, in a temporary directory.
#
#   tests/postgres/pg-cluster.sh start STATE_DIR [ADDRESS]   start one; STATE_DIR/url then holds
#                                                           postgresql://quietwire@ADDRESS:PORT/postgres
#   tests/postgres/pg-cluster.sh stop STATE_DIR              stop it and remove its data
#   tests/postgres/pg-cluster.sh restart STATE_DIR           stop and start it again (same port, same data)
#   tests/postgres/pg-cluster.sh kill STATE_DIR              SIGKILL the postmaster (crash recovery on start)
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the unprivileged user "postgres"
# (Debian's postgresql-common makes it), otherwise to the caller. Authentication is "trust" for the
# loopback addresses only: a test cluster nobody else reaches, never a set-up to copy (docs/SCALING.md
# has the real one). Where PostgreSQL 15 is not installed, `start` writes STATE_DIR/unavailable with
# the reason and exits 0: the tests then report themselves skipped with that reason, never passed.
#
# The tests' cluster runs with fsync=off in /tmp. A benchmark sets PG_DURABLE=1 (fsync on, as
# PostgreSQL ships) and PG_PARENT=DIR (where the data directory is made: a disk, not tmpfs).
set -euo pipefail

command=${1:?usage: pg-cluster.sh start|stop|restart|kill STATE_DIR [ADDRESS]}
state=${2:?usage: pg-cluster.sh start|stop|restart|kill STATE_DIR [ADDRESS]}
address=${3:-127.0.0.1}
bin=/usr/lib/postgresql/15/bin

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_ctl_start() {
    local data port
    data=$(cat "$state/data")
    port=$(cat "$state/port")
    local fsync=off
    [ "$(cat "$state/durable" 2>/dev/null)" != 1 ] || fsync=on
    as_owner "$bin/pg_ctl" -D "$data" -l "$data/../server.log" -w -t 60 \
        -o "-c listen_addresses=$address -p $port -k $data/.. -c fsync=$fsync -c max_connections=200" start >/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 20000))
        if ! ss -Htln "sport = :$port" | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

case $command in
start)
    mkdir -p "$state"
    rm -f "$state/unavailable" "$state/url"
    if [ ! -x "$bin/initdb" ]; then
        echo "PostgreSQL 15 is not installed ($bin/initdb missing; Debian: apt-get install postgresql-15)" \
            >"$state/unavailable"
        exit 0
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "there is no unprivileged user postgres to run PostgreSQL as (Debian's postgresql-common makes it)" \
            >"$state/unavailable"
        exit 0
    fi
    if [ -f "$state/data" ] && [ -d "$(cat "$state/data")" ]; then
        "$0" stop "$state" || true
    fi
    # The data directory lives in /tmp: the unprivileged owner may not reach the build directory.
    root=$(mktemp -d "${PG_PARENT:-/tmp}/quietwire-pg.XXXXXX")
    echo "${PG_DURABLE:-0}" >"$state/durable"
    chmod 0755 "$root"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$root"
    as_owner "$bin/initdb" -D "$root/data" -U quietwire --auth=trust -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 || {
        echo "initdb failed: $(tail -n 3 "$root/initdb.log" | tr '\n' ' ')" >"$state/unavailable"
        exit 0
    }
    # Loopback only, every database and role, no password: see the header.
    printf 'local all all trust\nhost all all 127.0.0.0/8 trust\n' | as_owner tee "$root/data/pg_hba.conf" >/dev/null
    echo "$root/data" >"$state/data"
    free_port >"$state/port"
    if ! pg_ctl_start; then
        echo "PostgreSQL did not start: $(tail -n 3 "$root/server.log" | tr '\n' ' ')" >"$state/unavailable"
        exit 0
    fi
    echo "postgresql://quietwire@$address:$(cat "$state/port")/postgres" >"$state/url"
    ;;
stop)
    [ -f "$state/data" ] || exit 0
    data=$(cat "$state/data")
    if [ -d "$data" ]; then
        as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$(dirname "$data")"
    fi
    rm -f "$state/data" "$state/url" "$state/port" "$state/durable"
    ;;
restart)
    data=$(cat "$state/data")
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    pg_ctl_start
    ;;
kill)
    data=$(cat "$state/data")
    kill -9 "$(head -n 1 "$data/postmaster.pid")"
    # Its backends end when they see the postmaster gone; wait for the port to close.
    for _ in $(seq 1 100); do
        ss -Htln "sport = :$(cat "$state/port")" | grep -q . || exit 0
        sleep 0.1
    done
    ;;
*)
    echo "pg-cluster.sh: unknown command $command" >&2
    exit 2
    ;;
esac
