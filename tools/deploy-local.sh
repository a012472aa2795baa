#!/bin/bash
# A distributed migrator on this machine, each service its own process:
# migrator-api under gunicorn (2 workers, the migrator-api-wsgi
# application), 2 migrator-conductor and 4 migrator-compute (fake driver,
# hosts compute1..4), on RabbitMQ and MariaDB, cells set up with
# migrator-manage's commands (run in one process by
# tools/deploy-local-manage.py: each migrator-manage process spends
# seconds importing).
#
#   tools/deploy-local.sh start  [DIR]   # set up and start everything
#   tools/deploy-local.sh status [DIR]   # services up/down, /healthcheck
#   tools/deploy-local.sh stop   [DIR]   # SIGTERM each, wait for its exit
#
# start starts every service at once and returns when each has reported,
# each compute has its compute node (hosts mapped) and the API answers;
# it fails at once, naming the log, if one exits. stop stops the API,
# then the conductors together, then the computes together.
#
# DIR (default ./migrator-deploy) holds migrator.conf, logs and pid files.
# Settings from the environment (defaults in brackets):
#   MIGRATOR_TRANSPORT_URL  [rabbit://guest:guest@127.0.0.1:5672/]
#   MIGRATOR_DB_SERVER      [mysql+pymysql://root@127.0.0.1:3306]
#   MIGRATOR_DB_PREFIX      [migrator]  databases PREFIX_api, PREFIX,
#                                       PREFIX_cell0 (created if missing)
#   MIGRATOR_CONTROL_EXCHANGE [migrator]
#   MIGRATOR_API_PORT       [8774]
#   MIGRATOR_BIN            [.venv/bin of this checkout]
#   MIGRATOR_API_WORKERS    [2]  gunicorn workers of migrator-api
#   MIGRATOR_CONDUCTORS     [2]  conductor1 .. N
#   MIGRATOR_COMPUTES       [4]  compute1 .. N
#   MIGRATOR_EXTRA_CONF     []   a file appended to migrator.conf
#   MIGRATOR_STOP_AT_ONCE   [0]  1: stop signals every service at once
#                                       (a throw-away deployment with
#                                       nothing in flight: nothing to drain)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ACTION=${1:-start}
DIR=$(mkdir -p "${2:-${MIGRATOR_DEPLOY_DIR:-./migrator-deploy}}" &&
      cd "${2:-${MIGRATOR_DEPLOY_DIR:-./migrator-deploy}}" && pwd)
BIN=${MIGRATOR_BIN:-$ROOT/.venv/bin}
TRANSPORT=${MIGRATOR_TRANSPORT_URL:-rabbit://guest:guest@127.0.0.1:5672/}
DB_SERVER=${MIGRATOR_DB_SERVER:-mysql+pymysql://root@127.0.0.1:3306}
PREFIX=${MIGRATOR_DB_PREFIX:-migrator}
EXCHANGE=${MIGRATOR_CONTROL_EXCHANGE:-migrator}
API_PORT=${MIGRATOR_API_PORT:-8774}
CONDUCTORS=()
for ((n = 1; n <= ${MIGRATOR_CONDUCTORS:-2}; n++)); do
    CONDUCTORS+=("conductor$n")
done
COMPUTES=()
for ((n = 1; n <= ${MIGRATOR_COMPUTES:-4}; n++)); do
    COMPUTES+=("compute$n")
done
API_WORKERS=${MIGRATOR_API_WORKERS:-2}
EXTRA_CONF=${MIGRATOR_EXTRA_CONF:-}
GRACE=30
# Seconds start waits for the services and then the API to answer.
START_TIMEOUT=150
CONF=$DIR/migrator.conf

say() { printf '==> %s\n' "$*"; }
manage() { "$BIN/migrator-manage" --config-file "$CONF" "$@"; }
helper() {
    local step=$1
    shift
    "$BIN/python" "$ROOT/tools/deploy-local-manage.py" "$step" "$CONF" "$@"
}
db_url() { echo "$DB_SERVER/$1?charset=utf8mb4"; }

write_config() {
    cat >"$CONF" <<EOF
[DEFAULT]
transport_url = $TRANSPORT
control_exchange = $EXCHANGE
compute_driver = fake
state_path = $DIR
report_interval = 2
service_down_time = 10
graceful_shutdown_timeout = $GRACE
# At most 5 + 10 connections per engine and process: with oslo.db's
# default overflow of 50 a loaded conductor held 53, and the deployment
# reached a default MariaDB's max_connections (151): builds failed with
# "Too many connections". A thread past the cap waits for a connection.
[database]
connection = $(db_url "$PREFIX")
max_pool_size = 5
max_overflow = 10
[api_database]
connection = $(db_url "${PREFIX}_api")
max_pool_size = 5
max_overflow = 10
[api]
auth_strategy = noauth2
[oslo_messaging_rabbit]
heartbeat_timeout_threshold = 30
EOF
    if [ -n "$EXTRA_CONF" ]; then
        cat "$EXTRA_CONF" >>"$CONF"
    fi
}

start_one() {  # name command...
    local name=$1
    shift
    if [ -f "$DIR/run/$name.pid" ] && kill -0 "$(cat "$DIR/run/$name.pid")" \
            2>/dev/null; then
        say "$name already running (pid $(cat "$DIR/run/$name.pid"))"
        return
    fi
    nohup "$@" >>"$DIR/log/$name.log" 2>&1 </dev/null &
    echo $! >"$DIR/run/$name.pid"
    say "$name started (pid $!, log $DIR/log/$name.log)"
}

start_service() {  # binary host
    printf '[DEFAULT]\nhost = %s\n' "$2" >"$DIR/$2.conf"
    start_one "$2" "$BIN/$1" --config-file "$CONF" \
        --config-file "$DIR/$2.conf"
}

start() {
    mkdir -p "$DIR/log" "$DIR/run"
    write_config
    # The set-up and the wait each in one Python process (importing
    # migrator costs seconds of CPU): tools/deploy-local-manage.py.
    helper setup "$DB_SERVER" "$PREFIX"
    local name since
    since=$(date +%s.%N)
    # Every service at once: each spends its first seconds importing.
    for name in "${CONDUCTORS[@]}"; do
        start_service migrator-conductor "$name"
    done
    for name in "${COMPUTES[@]}"; do
        start_service migrator-compute "$name"
    done
    start_one api env MIGRATOR_CONFIG_FILES="$CONF" "$BIN/gunicorn" \
        --workers "$API_WORKERS" --worker-class gthread --threads 8 \
        --bind "127.0.0.1:$API_PORT" --graceful-timeout "$GRACE" \
        --timeout 120 'migrator.api.wsgi_app:init_application()'
    # Until each service reports and each compute has its compute node,
    # then discover_hosts, then until /healthcheck answers; prints the
    # status.
    helper ready "$DIR" "$since" "$START_TIMEOUT" "$API_PORT" \
        "${CONDUCTORS[@]}" "${COMPUTES[@]}"
    say "compute API: http://127.0.0.1:$API_PORT/v2.1 (noauth2: token admin:admin)"
    say "stop with: $0 stop $DIR"
}

status() {
    manage service list
    printf 'API /healthcheck: %s\n' \
        "$(curl -s "http://127.0.0.1:$API_PORT/healthcheck" || echo down)"
}

alive() {  # pid: running, and not a zombie (exited, not reaped yet: an
           # orphan waits for init, which may take a second or more)
    local state
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) ||
        return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

stop_group() {  # name... : SIGTERM to each, then wait for them all
    local name pid i running failed=0
    local -A pids=()
    for name in "$@"; do
        [ -f "$DIR/run/$name.pid" ] || continue
        pid=$(cat "$DIR/run/$name.pid")
        if kill -TERM "$pid" 2>/dev/null; then
            pids[$name]=$pid
        else
            rm -f "$DIR/run/$name.pid"
        fi
    done
    for ((i = 0; i < (GRACE + 10) * 5; i++)); do
        running=0
        for name in "${!pids[@]}"; do
            alive "${pids[$name]}" && running=1 && break
        done
        [ $running -eq 0 ] && break
        sleep 0.2
    done
    for name in "$@"; do
        [ -n "${pids[$name]:-}" ] || continue
        if alive "${pids[$name]}"; then
            say "$name (pid ${pids[$name]}) still running after $((GRACE + 10)) s"
            failed=1
        else
            say "$name stopped"
            rm -f "$DIR/run/$name.pid"
        fi
    done
    return $failed
}

stop() {
    local failed=0
    # The API first, then the conductors, then the computes; the services
    # of each group at once.
    if [ "${MIGRATOR_STOP_AT_ONCE:-0}" = 1 ]; then
        stop_group api "${CONDUCTORS[@]}" "${COMPUTES[@]}"
        return
    fi
    stop_group api || failed=1
    stop_group "${CONDUCTORS[@]}" || failed=1
    stop_group "${COMPUTES[@]}" || failed=1
    return $failed
}

case $ACTION in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
