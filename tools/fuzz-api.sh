#!/usr/bin/env bash
# Fuzz a migrator-all (both APIs) with schemathesis against their OpenAPI
# descriptions (GET /openapi.json), then with hand-written hostile
# requests (tools/hostile-requests.py); issue 13.
#
#   tools/fuzz-api.sh [EXAMPLES [SEED]]      (defaults: 20, 1313)
#
# EXAMPLES is schemathesis' --max-examples per operation and phase; the
# default gives well over 5,000 requests. Required: no 5xx, every 4xx in
# Nova's/Cinder's error body (the descriptions' 4XX schema), every 2xx as
# described, no dropped connection, and both APIs still answering at the
# end. Needs the test requirements (schemathesis) in the venv: set VENV
# (default .venv). Exits non-zero on any failure; the reports are left in
# the printed directory.
set -u -o pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-20}
SEED=${2:-1313}
VENV=$(readlink -f "${VENV:-.venv}")
ROOT=$(pwd)
PY="$VENV/bin/python"
ST="$PY $ROOT/tools/schemathesis-cli.py"
WORK=$(mktemp -d /tmp/migrator-fuzz.XXXXXX)
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
CPORT=$(port); VPORT=$(port)
"$VENV/bin/migrator-all" --state-path "$WORK/state" --compute-port "$CPORT" \
    --volume-port "$VPORT" >"$WORK/migrator-all.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 120); do
    grep -q 'Stop with Ctrl-C.' "$WORK/migrator-all.log" && break
    kill -0 $PID 2>/dev/null || { cat "$WORK/migrator-all.log"; exit 1; }
    sleep 1
done
rc=0
fuzz() {  # NAME URL [extra st options]
    local name=$1 url=$2; shift 2
    echo "== schemathesis: $name API, $EXAMPLES examples per operation, seed $SEED $*"
    # From the work directory: schemathesis keeps its cache in the cwd.
    (cd "$WORK" && $ST run "$url/openapi.json" --url "$url" \
        -H 'X-Auth-Token: admin:admin' \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "$EXAMPLES" --seed "$SEED" --continue-on-failure \
        --request-timeout 30 --workers 2 \
        --report junit --report-dir "$WORK/report-$name" "$@") || rc=1
}
fuzz compute "http://127.0.0.1:$CPORT"
fuzz volume "http://127.0.0.1:$VPORT"
echo "== hand-written hostile requests"
"$PY" tools/hostile-requests.py "http://127.0.0.1:$CPORT" \
    "http://127.0.0.1:$VPORT" || rc=1
if grep -q 'Unexpected API Error\|Traceback' "$WORK/migrator-all.log"; then
    echo "migrator-all logged unexpected errors:"
    grep -B2 -A20 'Unexpected API Error\|Traceback' "$WORK/migrator-all.log" | head -80
    rc=1
fi
echo "reports and log: $WORK"
exit $rc
