#!/usr/bin/env bash
# migrator's test command: the README's, and what .ci/run runs.
#
#   tools/run-tests.sh                  # pep8, unit, functional, integration
#   tools/run-tests.sh unit functional  # only these suites
#
# It installs what the suites need, then runs every asked suite (a failure
# does not stop the others) and ends with one summary line; the exit code
# is non-zero if any suite failed.
#
# * System packages (libvirt-python builds against libvirt-dev; the KVM
#   test needs qemu and libvirtd): installed with apt-get when run as root
#   and any is missing.
# * RabbitMQ, MariaDB and PostgreSQL: started when run as root and down.
#   The tests never skip a missing server: they fail and say how to start
#   it.
# * A virtualenv (MIGRATOR_VENV, default .venv) with
#   `pip install -e .[libvirt] -r test-requirements.txt`.
set -u -o pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${MIGRATOR_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(pep8 unit functional integration)

APT_PACKAGES=(libvirt-dev pkg-config qemu-system-x86 libvirt-daemon-system
              libvirt-clients binutils iproute2 curl)
# Data copies: sshd for the SSH tests, daxio for device-dax, xxhash for the
# remote end of the xxh3_128 checksum.
APT_PACKAGES+=(openssh-server pmdk-tools python3-xxhash)
# The dashboard browser test: Playwright drives Debian's chromium.
APT_PACKAGES+=(chromium)

say() { printf '==> %s\n' "$*"; }

is_root() { [ "$(id -u)" -eq 0 ]; }

install_system_packages() {
    command -v dpkg-query >/dev/null || return 0
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
            grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! is_root; then
        say "missing system packages (install them as root): ${missing[*]}"
        return 0
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q &&
        apt-get install -y -q --no-install-recommends "${missing[@]}" \
            </dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # port seconds
    local i
    for ((i = 0; i < $2 * 2; i++)); do
        port_open "$1" && return 0
        sleep 0.5
    done
    return 1
}

start_service() {  # name port command...
    local name=$1 port=$2
    shift 2
    port_open "$port" && return 0
    if ! is_root; then
        say "$name is down (127.0.0.1:$port); start it with: $*"
        return 0
    fi
    say "starting $name: $*"
    bash -c "$*" </dev/null >/dev/null 2>&1
    wait_port "$port" 90 || say "$name did not open 127.0.0.1:$port"
}

start_services() {
    start_service RabbitMQ 5672 'rabbitmq-server -detached'
    start_service MariaDB 3306 \
        'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd'
    start_service PostgreSQL 5432 \
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
}

make_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating virtualenv $VENV"
        "$PYTHON" -m venv "$VENV" || return 1
    fi
    say "installing migrator[libvirt] and test requirements into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
        -e ".[libvirt]" -r test-requirements.txt </dev/null
}

run_suite() {
    local py="$VENV/bin/python"
    # oslotest fails a test that runs longer than this (seconds) instead
    # of letting one stuck test hang the whole run.
    export OS_TEST_TIMEOUT=${OS_TEST_TIMEOUT:-240}
    case $1 in
        pep8) "$py" -m flake8 ;;
        unit) "$py" -m stestr --test-path ./migrator/tests/unit run ;;
        functional)
            # Three workers on two cores: its tests mostly wait (for
            # services, copies, timers), and with two the cores were a
            # third idle (measured: 381 s instead of about 500).
            "$py" -m stestr --test-path ./migrator/tests/functional run \
                --concurrency 3 ;;
        integration)
            "$py" -m stestr --test-path ./migrator/tests/integration run ;;
        *) echo "unknown suite: $1 (pep8, unit, functional, integration)"
           return 2 ;;
    esac
}

PASSED=0
FAILED_TESTS=0
LOG=$(mktemp)
FAILURES=$(mktemp)
trap 'rm -f "$LOG" "$FAILURES"' EXIT

# A failed test's details scroll by long before the run ends (each carries
# its captured log); note its name and traceback's end for the summary.
note_failures() {  # suite
    case $1 in
        unit|functional|integration) ;;
        *) return 0 ;;
    esac
    "$VENV/bin/python" -m stestr last --subunit 2>/dev/null |
        "$VENV/bin/python" tools/failure-summary.py >>"$FAILURES" 2>&1
}

count_tests() {  # add up stestr's " - Passed: N" / " - Failed: N" lines
    local n
    n=$(sed -n 's/^ - Passed: \([0-9]*\)$/\1/p' "$1" | tail -n 1)
    PASSED=$((PASSED + ${n:-0}))
    n=$(sed -n 's/^ - Failed: \([0-9]*\)$/\1/p' "$1" | tail -n 1)
    FAILED_TESTS=$((FAILED_TESTS + ${n:-0}))
}

main() {
    local start=$SECONDS summary=() failed=0 suite t0 rc
    install_system_packages || say "system packages could not be installed"
    start_services
    if ! make_venv; then
        echo "run-tests: FAILED: could not install migrator into $VENV"
        return 1
    fi
    # A fresh checkout has no test times: deal the slow tests by the
    # times kept in git instead of round-robin.
    "$VENV/bin/python" tools/test-times.py seed ||
        say "test times not seeded: workers are dealt tests round-robin"
    for suite in "${SUITES[@]}"; do
        say "suite $suite"
        t0=$SECONDS
        run_suite "$suite" </dev/null 2>&1 | tee "$LOG"
        rc=${PIPESTATUS[0]}
        count_tests "$LOG"
        if [ $rc -eq 0 ]; then
            summary+=("$suite ok ($((SECONDS - t0))s)")
        else
            summary+=("$suite FAILED rc=$rc ($((SECONDS - t0))s)")
            failed=1
            note_failures "$suite"
        fi
    done
    local verdict=passed
    [ $failed -eq 0 ] || verdict=FAILED
    if [ -s "$FAILURES" ]; then
        echo "run-tests: what failed:"
        cat "$FAILURES"
    fi
    local joined
    printf -v joined '%s; ' "${summary[@]}"
    echo "run-tests: $verdict in $((SECONDS - start))s: ${joined%; }"
    echo "tests: $PASSED passed, $FAILED_TESTS failed"
    return $failed
}

main
