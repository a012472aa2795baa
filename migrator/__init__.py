import sys
import warnings

# eventlet is installed as a dependency of oslo.service and warns when
# futurist probes for it; migrator never uses it.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
# ... and importing it (futurist and oslo.utils look for it) took 0.2-0.4 s
# of every command's and service's start, a quarter of `migrator-manage`'s.
# Marked absent, those probes find no eventlet, which is the truth here. A
# program that imported it before migrator keeps it.
sys.modules.setdefault('eventlet', None)

# migrator runs on native threads, never eventlet. oslo.messaging pulls in
# oslo.service, whose default backend is eventlet: choose threading before
# anything imports it.
from oslo_service import backend as _oslo_service_backend

try:
    _oslo_service_backend.init_backend(
        _oslo_service_backend.BackendType.THREADING)
except _oslo_service_backend.exceptions.BackendAlreadySelected:
    pass
