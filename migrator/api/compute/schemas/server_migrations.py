"""Request schemas of POST /servers/{id}/migrations/{mid}/action.

Below 2.107 the only action is ``force_complete``; 2.107 adds the
runtime controls ``set_max_downtime``, ``set_bandwidth`` and
``switch_to_post_copy``. The body has exactly one key, the action.
"""
import copy

from migrator.api.schemas import response_types as rt

# libvirt takes both as unsigned integers; larger values mean nothing
# for a migration.
MAX_DOWNTIME_MS = 2 ** 31 - 1
MAX_BANDWIDTH_MIB_PER_S = 2 ** 31 - 1

force_complete = {
    'type': 'object',
    'properties': {
        'force_complete': {'type': 'null'},
    },
    'required': ['force_complete'],
    'additionalProperties': False,
}

_set_max_downtime = {
    'type': 'object',
    'properties': {
        'ms': {'type': 'integer', 'minimum': 1,
               'maximum': MAX_DOWNTIME_MS},
    },
    'required': ['ms'],
    'additionalProperties': False,
}

_set_bandwidth = {
    'type': 'object',
    'properties': {
        # 0 lifts the cap.
        'mib_per_s': {'type': 'integer', 'minimum': 0,
                      'maximum': MAX_BANDWIDTH_MIB_PER_S},
    },
    'required': ['mib_per_s'],
    'additionalProperties': False,
}

action_v2107 = copy.deepcopy(force_complete)
action_v2107['properties'].update({
    'set_max_downtime': _set_max_downtime,
    'set_bandwidth': _set_bandwidth,
    'switch_to_post_copy': {'type': 'null'},
})
del action_v2107['required']
action_v2107['minProperties'] = 1
action_v2107['maxProperties'] = 1


# -- Response bodies --------------------------------------------------------

_FIGURES = ('memory_total', 'memory_processed', 'memory_remaining',
            'disk_total', 'disk_processed', 'disk_remaining')
_rate = {'type': ['number', 'null'], 'minimum': 0}


def progress(version):
    """The 2.106 progress object (2.107: with the runtime controls)."""
    properties = {
        'percent': {'type': 'integer', 'minimum': 0, 'maximum': 100},
        'transfer_rate': _rate, 'dirty_rate': _rate,
        'iteration': rt.nullable_integer,
        'expected_downtime_ms': {'type': ['number', 'null']},
        'eta_seconds': {'type': ['number', 'null']},
        'phases': {'type': 'object', 'additionalProperties': rt.time},
    }
    if rt.at_least(version, '2.107'):
        properties.update({'max_downtime_ms': rt.nullable_integer,
                           'bandwidth_mib_per_s': rt.nullable_integer,
                           'post_copy_permitted': rt.nullable_boolean})
    return rt.obj(properties)


def server_migration(version):
    from migrator.api.compute.schemas import migrations
    properties = migrations.common_migration(version)
    properties['server_uuid'] = rt.string
    properties.update({name + '_bytes': rt.nullable_integer
                       for name in _FIGURES})
    if rt.at_least(version, '2.106'):
        properties['progress'] = progress(version)
    return rt.obj(properties)


_variants = rt.per_version(server_migration,
                           ('2.59', '2.80', '2.106', '2.107'), first='2.23')
index_response = rt.wrap('migrations', [(rt.array(schema), low, high)
                                        for schema, low, high in _variants])
show_response = rt.wrap('migration', _variants)
