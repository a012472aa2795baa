#!/bin/bash
# Stop what start-hosts.sh started under $BASE: guests and daemons by PID,
# then the namespaces and the bridge; removes $BASE.
set -euo pipefail
B=${BASE:?set BASE to the directory start-hosts.sh used}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-python3}
PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH} exec "$PY" -m \
  migrator.tests.integration.libvirt.kvm_hosts stop "$B"
