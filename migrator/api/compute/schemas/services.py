"""Request schemas of /os-services."""

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
