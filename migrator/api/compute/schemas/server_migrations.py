"""Request schemas of POST /servers/{id}/migrations/{mid}/action.

Below 2.107 the only action is ``force_complete``; 2.107 adds the
runtime controls ``set_max_downtime``, ``set_bandwidth`` and
``switch_to_post_copy``. The body has exactly one key, the action.
"""
import copy

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
