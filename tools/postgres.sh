#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a cluster in a directory of its own,
# listening on 127.0.0.1 only, on a free port, with trust authentication for the local
# user `workflows`.
#
#   tools/postgres.sh install        # Debian's postgresql package, if no server is here
#   tools/postgres.sh start DIR      # creates DIR/data, starts it; prints the URL
#   tools/postgres.sh restart DIR    # stops and starts it again (same port)
#   tools/postgres.sh stop DIR       # stops it (DIR stays; remove it yourself)
#
# Run as root (as CI is), the server runs as the `postgres` user the package creates.
set -euo pipefail

find_bin() {
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$found" ] && echo "$found"
}

as_server() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cmd=${1:-}
case "$cmd" in
install)
    if [ -z "$(find_bin)" ]; then
        # The package would start a cluster of its own on port 5432: it is not to run
        # (policy-rc.d refuses every service start during the install).
        had_policy=0
        [ -e /usr/sbin/policy-rc.d ] && had_policy=1
        [ "$had_policy" = 1 ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
        [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
    fi
    bin=$(find_bin)
    [ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL server after installing it" >&2; exit 1; }
    "$bin/postgres" --version
    ;;
start)
    dir=${2:?usage: postgres.sh start DIR}
    bin=$(find_bin)
    [ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL server here: run 'tools/postgres.sh install'" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_server "$bin/initdb" -D "$dir/data" -U workflows --auth=trust -E UTF8 >"$dir/initdb.log"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "$port" >"$dir/port"
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null
    echo "postgresql://workflows@127.0.0.1:$port/postgres"
    ;;
restart)
    dir=${2:?usage: postgres.sh restart DIR}
    bin=$(find_bin)
    port=$(cat "$dir/port")
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -m fast \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" restart >/dev/null
    ;;
stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(find_bin)
    as_server "$bin/pg_ctl" -D "$dir/data" -w -m fast stop >/dev/null
    ;;
*)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
