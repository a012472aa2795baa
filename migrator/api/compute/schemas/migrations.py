"""Query schemas of GET /os-migrations, per microversion.

Below 2.59 unknown query keys are accepted (and ignored); from 2.59 they
are a 400. Every value arrives as a list (``validation.query_dict``):
``status`` may repeat, the paging and time keys may not.
"""
import copy

from migrator.api import validation

_any = validation.multi({'type': 'string'})


def _single(schema):
    return {'type': 'array', 'maxItems': 1, 'items': schema}


list_query_v20 = {
    'type': 'object',
    'properties': {
        'hidden': _any,
        'host': _any,
        'instance_uuid': _any,
        'source_compute': _any,
        'status': _any,
        'migration_type': _any,
    },
    'additionalProperties': True,
}

list_query_v259 = copy.deepcopy(list_query_v20)
list_query_v259['properties'].update({
    'limit': _single(validation.non_negative_int_query),
    'marker': _single({'type': 'string'}),
    'changes-since': _single({'type': 'string', 'format': 'date-time'}),
})
list_query_v259['additionalProperties'] = False

list_query_v266 = copy.deepcopy(list_query_v259)
list_query_v266['properties']['changes-before'] = _single(
    {'type': 'string', 'format': 'date-time'})

list_query_v280 = copy.deepcopy(list_query_v266)
list_query_v280['properties'].update({
    'user_id': _single({'type': 'string'}),
    'project_id': _single({'type': 'string'}),
})
