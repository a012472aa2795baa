#!/bin/bash
# Start two isolated libvirtd hosts under $BASE, each in its own network,
# mount and UTS namespace (fresh names per run), on a bridge in this
# namespace: prints "hostN ADDRESS URI" per host and the guest image.
# Stop with stop-hosts.sh and the same BASE. Needs root. The work is done
# by migrator/tests/integration/libvirt/kvm_hosts.py (the tests' fixture).
set -euo pipefail
B=${BASE:?set BASE to a scratch directory}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-python3}
PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH} exec "$PY" -m \
  migrator.tests.integration.libvirt.kvm_hosts start "$B" "${HOSTS:-2}"
