"""Response schemas of the block storage API's version documents and
its os-services list."""
from migrator.api.schemas import response_types as rt

versions_response = [(rt.obj({'versions': rt.array(
    rt.version_document())}), None, None)]

_service = {
    'binary': rt.string, 'host': rt.string, 'zone': rt.string,
    'status': {'enum': ['enabled', 'disabled']},
    'state': {'enum': ['up', 'down']}, 'updated_at': rt.nullable_time,
    'disabled_reason': rt.nullable_string, 'frozen': rt.boolean,
    'replication_status': rt.nullable_string,
    'active_backend_id': rt.nullable_string,
}


def _services(version):
    properties = dict(_service)
    if rt.at_least(version, '3.7'):
        properties['cluster'] = rt.nullable_string
    if rt.at_least(version, '3.49'):
        properties['backend_state'] = {'enum': ['up', 'down']}
    return rt.obj({'services': rt.array(rt.obj(properties))})


services_response = rt.per_version(_services, ('3.7', '3.49'), first='3.0')
