"""Query schemas of GET /os-migrations, per microversion.

Below 2.59 unknown query keys are accepted (and ignored); from 2.59 they
are a 400. Every value arrives as a list (``validation.query_dict``):
``status`` may repeat, the paging and time keys may not.
"""
import copy

from migrator.api.schemas import response_types as rt
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


# -- Response bodies (shared with server migrations) -------------------------

_HOSTS = ('source_compute', 'dest_compute', 'source_node', 'dest_node',
          'dest_host')
_FIGURES = ('memory_total', 'memory_processed', 'memory_remaining',
            'disk_total', 'disk_processed', 'disk_remaining')


def common_migration(version):
    """The fields both kinds of migration entry have."""
    properties = {'created_at': rt.nullable_time,
                  'updated_at': rt.nullable_time, 'id': rt.integer,
                  'status': rt.nullable_string}
    # null for callers who may not see hosts.
    properties.update({name: rt.nullable_string for name in _HOSTS})
    if rt.at_least(version, '2.59'):
        properties['uuid'] = rt.uuid
    if rt.at_least(version, '2.80'):
        properties['user_id'] = rt.nullable_string
        properties['project_id'] = rt.nullable_string
    return properties


def os_migration(version):
    properties = common_migration(version)
    properties.update({'instance_uuid': rt.nullable_string,
                       'old_instance_type_id': rt.nullable_integer,
                       'new_instance_type_id': rt.nullable_integer})
    optional = []
    if rt.at_least(version, '2.23'):
        properties['migration_type'] = rt.nullable_string
        # Only for a live migration in progress.
        properties['links'] = rt.links
        optional.append('links')
    if rt.at_least(version, '2.106'):
        properties.update({name: rt.nullable_integer for name in _FIGURES})
    return rt.obj(properties, optional=optional)


index_response = [
    (rt.obj({'migrations': rt.array(os_migration(low)),
             'migrations_links': rt.links},
            optional=('migrations_links',)), low, high)
    for _, low, high in rt.per_version(
        lambda v: None, ('2.23', '2.59', '2.80', '2.106'))]
