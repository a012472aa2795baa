"""Query schemas of /os-hypervisors."""
import copy

from migrator.api import validation

_one = validation.multi({'type': 'string'})

list_query_v233 = {
    'type': 'object',
    'properties': {
        'limit': validation.multi(validation.non_negative_int_query),
        'marker': _one},
    'additionalProperties': True,
}

list_query_v253 = {
    'type': 'object',
    'properties': {
        'limit': validation.multi(validation.non_negative_int_query),
        'marker': _one,
        'hypervisor_hostname_pattern': _one,
        'with_servers': validation.multi(validation.boolean_query),
    },
    'additionalProperties': False,
}

show_query_v253 = {
    'type': 'object',
    'properties': {
        'with_servers': validation.multi(validation.boolean_query)},
    'additionalProperties': False,
}
list_query_v21 = copy.deepcopy(list_query_v233)
list_query_v21['properties'] = {}
