#!/bin/bash
# A distributed migrator on this machine, each service its own process:
# migrator-api under gunicorn (2 workers, the migrator-api-wsgi
# application), 2 migrator-conductor and 4 migrator-compute (fake driver,
# hosts compute1..4), on RabbitMQ and MariaDB, cells set up with
# migrator-manage.
#
#   tools/deploy-local.sh start  [DIR]   # set up and start everything
#   tools/deploy-local.sh status [DIR]   # services up/down, /healthcheck
#   tools/deploy-local.sh stop   [DIR]   # SIGTERM each, wait for its exit
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
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
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
CONF=$DIR/migrator.conf

say() { printf '==> %s\n' "$*"; }
manage() { "$BIN/migrator-manage" --config-file "$CONF" "$@"; }
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
[database]
connection = $(db_url "$PREFIX")
[api_database]
connection = $(db_url "${PREFIX}_api")
[api]
auth_strategy = noauth2
[oslo_messaging_rabbit]
heartbeat_timeout_threshold = 30
EOF
    if [ -n "$EXTRA_CONF" ]; then
        cat "$EXTRA_CONF" >>"$CONF"
    fi
}

create_databases() {
    "$BIN/python" - "$DB_SERVER" "$PREFIX" <<'EOF'
import sys
import sqlalchemy as sa
engine = sa.create_engine(sys.argv[1] + '/', isolation_level='AUTOCOMMIT')
with engine.connect() as conn:
    for name in (sys.argv[2] + '_api', sys.argv[2], sys.argv[2] + '_cell0'):
        conn.execute(sa.text('CREATE DATABASE IF NOT EXISTS %s' % name))
EOF
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

wait_until_up() {  # count seconds
    local i up
    for ((i = 0; i < $2; i++)); do
        up=$(manage service list 2>/dev/null | grep -c '| up ' || true)
        [ "$up" -ge "$1" ] && return 0
        sleep 1
    done
    say "only $up of $1 services up after $2 s"
    return 1
}

start() {
    mkdir -p "$DIR/log" "$DIR/run"
    write_config
    create_databases
    manage api_db sync
    manage cell_v2 map_cell0 --database_connection "$(db_url "${PREFIX}_cell0")"
    manage db sync
    manage cell_v2 list_cells | grep -q ' cell1 ' ||
        manage cell_v2 create_cell --name cell1
    manage flavor list | grep -q ' m1.tiny ' ||
        manage flavor create m1.tiny --ram 512 --vcpus 1 --disk 1 --id 1
    manage flavor list | grep -q ' m1.small ' ||
        manage flavor create m1.small --ram 2048 --vcpus 1 --disk 20 --id 2
    local name
    for name in "${CONDUCTORS[@]}"; do
        start_service migrator-conductor "$name"
    done
    for name in "${COMPUTES[@]}"; do
        start_service migrator-compute "$name"
    done
    wait_until_up $((${#CONDUCTORS[@]} + ${#COMPUTES[@]})) 90
    manage cell_v2 discover_hosts
    start_one api env MIGRATOR_CONFIG_FILES="$CONF" "$BIN/gunicorn" \
        --workers "$API_WORKERS" --worker-class gthread --threads 8 \
        --bind "127.0.0.1:$API_PORT" --graceful-timeout "$GRACE" \
        --timeout 120 'migrator.api.wsgi_app:init_application()'
    local i
    for ((i = 0; i < 60; i++)); do
        curl -sf "http://127.0.0.1:$API_PORT/healthcheck" >/dev/null &&
            break
        sleep 1
    done
    status
    say "compute API: http://127.0.0.1:$API_PORT/v2.1 (noauth2: token admin:admin)"
    say "stop with: $0 stop $DIR"
}

status() {
    manage service list
    printf 'API /healthcheck: %s\n' \
        "$(curl -s "http://127.0.0.1:$API_PORT/healthcheck" || echo down)"
}

stop() {
    local pidfile name pid i failed=0
    # The API first, then the conductors, then the computes.
    for name in api "${CONDUCTORS[@]}" "${COMPUTES[@]}"; do
        pidfile=$DIR/run/$name.pid
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill -TERM "$pid" 2>/dev/null || { rm -f "$pidfile"; continue; }
        for ((i = 0; i < (GRACE + 10) * 2; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name (pid $pid) still running after $((GRACE + 10)) s"
            failed=1
        else
            say "$name stopped"
            rm -f "$pidfile"
        fi
    done
    return $failed
}

case $ACTION in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
