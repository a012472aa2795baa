"""Query schemas of /os-hypervisors."""
import copy

from migrator.api.schemas import response_types as rt
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


# -- Response bodies --------------------------------------------------------

_USAGE = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
          'local_gb_used', 'free_ram_mb', 'free_disk_gb',
          'current_workload', 'running_vms', 'disk_available_least')


def _id(version):
    return rt.uuid if rt.at_least(version, '2.53') else rt.integer


def basic(version):
    return rt.obj({
        'id': _id(version), 'hypervisor_hostname': rt.nullable_string,
        'state': {'enum': ['up', 'down']},
        'status': {'enum': ['enabled', 'disabled']},
        # With with_servers (2.53) or on the servers URL.
        'servers': rt.array(rt.obj({'name': rt.nullable_string,
                                    'uuid': rt.string})),
    }, optional=('servers',))


def detail(version):
    schema = rt.extend(basic(version), {
        'hypervisor_type': rt.nullable_string,
        'hypervisor_version': rt.nullable_integer,
        'host_ip': rt.nullable_string,
        'service': rt.obj({'host': rt.nullable_string,
                           'id': {'anyOf': [_id(version), {'type': 'null'}]},
                           'disabled_reason': rt.nullable_string}),
    })
    if rt.at_least(version, '2.88'):
        return rt.extend(schema, {'uptime': rt.nullable_string})
    usage = {name: rt.integer for name in _USAGE}
    usage['cpu_info'] = {'type': 'object'} if rt.at_least(
        version, '2.28') else rt.string
    return rt.extend(schema, usage)


_CHANGES = ('2.28', '2.53', '2.88')
_page = {'hypervisors_links': rt.links}
index_response = [
    (rt.obj(dict({'hypervisors': rt.array(basic(low))}, **_page),
            optional=_page), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]
detail_response = [
    (rt.obj(dict({'hypervisors': rt.array(detail(low))}, **_page),
            optional=_page), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]
show_response = [(rt.obj({'hypervisor': detail(low)}), low, high)
                 for _, low, high in rt.per_version(lambda v: None,
                                                    _CHANGES)]
search_response = [(rt.obj({'hypervisors': rt.array(basic('2.1'))}),
                    None, '2.52')]
uptime_response = [(rt.obj({'hypervisor': rt.extend(
    basic(low), {'uptime': rt.nullable_string})}), low, high)
    for _, low, high in rt.per_version(lambda v: None, ('2.53',),
                                       last='2.87')]
statistics_response = [(rt.obj({'hypervisor_statistics': rt.obj(
    dict({name: rt.integer for name in _USAGE}, count=rt.integer))}),
    None, '2.87')]
