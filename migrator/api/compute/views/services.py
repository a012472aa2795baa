"""os-services bodies: integer ids below 2.53, uuids from 2.53;
forced_down from 2.11."""
from migrator.api.compute import common

COMPUTE_ZONE = 'nova'
INTERNAL_ZONE = 'internal'


def show(req, service):
    body = {
        'id': service.uuid if req.is_version('2.53') else service.id,
        'binary': service.binary,
        'host': service.host,
        'zone': (COMPUTE_ZONE if service.binary == 'migrator-compute'
                 else INTERNAL_ZONE),
        'status': 'disabled' if service.disabled else 'enabled',
        'state': 'up' if service.is_up else 'down',
        'updated_at': common.isotime_micro(service.last_seen_up or
                                           service.updated_at),
        'disabled_reason': service.disabled_reason,
    }
    if req.is_version('2.11'):
        body['forced_down'] = service.forced_down
    return body
