"""GET /os-services of the block storage API: the volume services, one
row per backend ('host@backend'), in Cinder's shape."""
from migrator.api.compute import common
from migrator.api import validation
from migrator.api.volume.schemas import versions as schemas
from migrator.api import wsgi
from migrator.policies import volumes as volume_policies
from migrator import policy
from migrator.volume import api as volume_api

API = volume_api.API()


def _view(req, service):
    up = service.is_up
    body = {
        'binary': service.binary,
        'host': service.host,
        'zone': 'nova',
        'status': 'disabled' if service.disabled else 'enabled',
        'state': 'up' if up else 'down',
        'updated_at': common.isotime_micro(service.last_seen_up or
                                           service.updated_at),
        'disabled_reason': service.disabled_reason,
        'frozen': False,
        'replication_status': 'disabled',
        'active_backend_id': None,
    }
    if req.is_version('3.7'):
        body['cluster'] = None
    if req.is_version('3.49'):
        body['backend_state'] = 'up' if up else 'down'
    return body


@validation.responses(schemas.services_response)
def index(req):
    policy.authorize(req.context, volume_policies.SERVICES_INDEX)
    binary = req.GET.get('binary')
    if binary and binary != volume_api.VOLUME_BINARY:
        services = []
    else:
        services = API.list_services(req.context, host=req.GET.get('host'))
    return wsgi.json_response(
        {'services': [_view(req, s) for s in services]})
