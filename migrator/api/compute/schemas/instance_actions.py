"""Query strings of GET /servers/{server_id}/os-instance-actions.

Below 2.58 the query string is ignored. From 2.58 ``limit``, ``marker``
(a request id) and ``changes-since`` are accepted, each once, and any
other key is a 400; 2.66 adds ``changes-before``.
"""
import copy

from migrator.api.schemas import response_types as rt


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


# -- Response bodies --------------------------------------------------------

def _action(version, show=False):
    properties = {'action': rt.string, 'instance_uuid': rt.string,
                  'request_id': rt.string, 'user_id': rt.nullable_string,
                  'project_id': rt.nullable_string,
                  'start_time': rt.nullable_time,
                  'message': rt.nullable_string}
    if rt.at_least(version, '2.58'):
        properties['updated_at'] = rt.nullable_time
    optional = []
    if show:
        event = {'event': rt.string, 'start_time': rt.nullable_time,
                 'finish_time': rt.nullable_time,
                 'result': rt.nullable_string,
                 # Policy: the events policy, events:details.
                 'traceback': rt.nullable_string, 'host': rt.nullable_string,
                 'details': rt.nullable_string}
        event_optional = ['traceback', 'host', 'details']
        if rt.at_least(version, '2.62'):
            event['hostId'] = rt.string
        properties['events'] = rt.array(rt.obj(event,
                                               optional=event_optional))
        # Below 2.51 only callers with the events policy see events.
        optional.append('events')
    return rt.obj(properties, optional=optional)


_CHANGES = ('2.51', '2.58', '2.62')
index_response = [
    (rt.obj({'instanceActions': rt.array(_action(low)), 'links': rt.links},
            optional=('links',)), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]
show_response = [(rt.obj({'instanceAction': _action(low, show=True)}),
                  low, high)
                 for _, low, high in rt.per_version(lambda v: None,
                                                    _CHANGES)]
