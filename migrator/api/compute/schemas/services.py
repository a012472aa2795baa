"""Request schemas of /os-services."""

from migrator.api.schemas import response_types as rt

_host_binary = {
    'type': 'object',
    'properties': {'host': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
                   'binary': {'type': 'string', 'minLength': 1,
                              'maxLength': 255}},
    'required': ['host', 'binary'],
    'additionalProperties': False,
}

enable_disable = _host_binary

disable_log_reason = {
    'type': 'object',
    'properties': dict(_host_binary['properties'], disabled_reason={
        'type': 'string', 'minLength': 1, 'maxLength': 255}),
    'required': ['host', 'binary'],
    'additionalProperties': False,
}

force_down = {
    'type': 'object',
    'properties': dict(_host_binary['properties'],
                       forced_down={'type': 'boolean'}),
    'required': ['host', 'binary', 'forced_down'],
    'additionalProperties': False,
}

update_v253 = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
        'disabled_reason': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
        'forced_down': {'type': 'boolean'},
    },
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {'host': {'type': 'array', 'items': {'type': 'string'}},
                   'binary': {'type': 'array',
                              'items': {'type': 'string'}}},
    'additionalProperties': True,
}
# From 2.75 unknown query parameters are a 400.
index_query_v275 = dict(index_query, additionalProperties=False)


# -- Response bodies --------------------------------------------------------

def _service(version):
    properties = {
        'id': rt.uuid if rt.at_least(version, '2.53') else rt.integer,
        'binary': rt.string, 'host': rt.string, 'zone': rt.string,
        'status': {'enum': ['enabled', 'disabled']},
        'state': {'enum': ['up', 'down']}, 'updated_at': rt.nullable_time,
        'disabled_reason': rt.nullable_string,
    }
    if rt.at_least(version, '2.11'):
        properties['forced_down'] = rt.boolean
    return rt.obj(properties)


_variants = rt.per_version(_service, ('2.11', '2.53'))
index_response = rt.wrap('services', [(rt.array(schema), low, high)
                                      for schema, low, high in _variants])
# Below 2.53: what the action changed, on the service named by host and
# binary; from 2.53 the service.
_legacy = rt.obj({'host': rt.string, 'binary': rt.string,
                  'status': {'enum': ['enabled', 'disabled']},
                  'disabled_reason': rt.nullable_string,
                  'forced_down': rt.boolean},
                 required=('host', 'binary'))
update_response = [(rt.obj({'service': _legacy}), '2.1', '2.52')] + \
    rt.wrap('service', [v for v in _variants if v[1] == '2.53'])
