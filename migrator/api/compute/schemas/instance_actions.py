"""Query strings of GET /servers/{server_id}/os-instance-actions.

Below 2.58 the query string is ignored. From 2.58 ``limit``, ``marker``
(a request id) and ``changes-since`` are accepted, each once, and any
other key is a 400; 2.66 adds ``changes-before``.
"""
import copy


def _once(schema):
    return {'type': 'array', 'items': schema, 'maxItems': 1}


_timestamp = {'type': 'string', 'minLength': 1}

list_query_v258 = {
    'type': 'object',
    'properties': {
        'limit': _once({'type': 'string', 'pattern': '^[0-9]+$'}),
        'marker': _once({'type': 'string'}),
        'changes-since': _once(_timestamp),
    },
    'additionalProperties': False,
}

list_query_v266 = copy.deepcopy(list_query_v258)
list_query_v266['properties']['changes-before'] = _once(_timestamp)
