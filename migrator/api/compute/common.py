"""Helpers the compute handlers and views share: server status from
vm_state/task_state (Nova's table), paging parameters, and links."""
from oslo_config import cfg

from migrator.api import errors

CONF = cfg.CONF

# vm_state -> {task_state: status}; 'default' when the task is not listed.
_STATE_MAP = {
    'active': {'default': 'ACTIVE', 'rebooting': 'REBOOT',
               'reboot_pending': 'REBOOT', 'reboot_started': 'REBOOT',
               'rebooting_hard': 'HARD_REBOOT',
               'reboot_pending_hard': 'HARD_REBOOT',
               'reboot_started_hard': 'HARD_REBOOT',
               'rebuilding': 'REBUILD', 'rebuild_block_device_mapping':
               'REBUILD', 'rebuild_spawning': 'REBUILD',
               'migrating': 'MIGRATING', 'resize_prep': 'RESIZE',
               'resize_migrating': 'RESIZE', 'resize_migrated': 'RESIZE',
               'resize_finish': 'RESIZE'},
    'building': {'default': 'BUILD'},
    'stopped': {'default': 'SHUTOFF', 'resize_prep': 'RESIZE',
                'resize_migrating': 'RESIZE', 'resize_migrated': 'RESIZE',
                'resize_finish': 'RESIZE', 'rebuilding': 'REBUILD'},
    'resized': {'default': 'VERIFY_RESIZE', 'resize_reverting':
                'REVERT_RESIZE'},
    'paused': {'default': 'PAUSED', 'migrating': 'MIGRATING'},
    'suspended': {'default': 'SUSPENDED'},
    'rescued': {'default': 'RESCUE'},
    'error': {'default': 'ERROR', 'rebuilding': 'REBUILD'},
    'deleted': {'default': 'DELETED'},
    'soft-delete': {'default': 'SOFT_DELETED'},
    'shelved': {'default': 'SHELVED'},
    'shelved_offloaded': {'default': 'SHELVED_OFFLOADED'},
}


def status_from_state(vm_state, task_state=None):
    task_map = _STATE_MAP.get(vm_state, {'default': 'UNKNOWN'})
    return task_map.get(task_state, task_map['default'])


def states_from_status(status):
    """(vm_states, task_states or None) a status filter means; None when
    the status is unknown."""
    status = status.upper()
    if status == 'ALL':
        return list(_STATE_MAP), None
    vm_states, task_states = set(), set()
    for vm_state, task_map in _STATE_MAP.items():
        for task, mapped in task_map.items():
            if mapped != status:
                continue
            vm_states.add(vm_state)
            if task == 'default':
                task_states.add(None)
                task_states.update(t for t, s in task_map.items()
                                   if t != 'default' and s == status)
            else:
                task_states.add(task)
    if not vm_states:
        return None
    return sorted(vm_states), task_states


def limit_and_marker(req, params=None):
    """(limit, marker) of a list request: limit capped at [api]
    max_limit; 400 when limit is not a non-negative integer."""
    params = req.GET if params is None else params
    limit = params.get('limit')
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise errors.BadRequest('limit param must be an integer')
        if limit < 0:
            raise errors.BadRequest('limit param must be positive')
    max_limit = CONF.api.max_limit
    limit = max_limit if limit is None else min(limit, max_limit)
    return limit, params.get('marker')


def bool_param(value, name):
    lowered = str(value).strip().lower()
    if lowered in ('true', '1', 'yes', 'on', 't', 'y'):
        return True
    if lowered in ('false', '0', 'no', 'off', 'f', 'n'):
        return False
    raise errors.BadRequest('Invalid value %r for %s: expected a boolean.'
                            % (value, name))


def links(req, collection, item_id):
    return [{'rel': 'self',
             'href': req.application_url_for('v2.1', collection,
                                             str(item_id))},
            {'rel': 'bookmark',
             'href': req.application_url_for(collection, str(item_id))}]


def next_link(req, collection, items, limit, marker_of):
    """The ``<collection>_links`` entry when a full page was returned."""
    if not items or limit is None or len(items) < limit:
        return None
    params = [(k, v) for k, v in req.GET.items() if k != 'marker']
    params.append(('marker', marker_of(items[-1])))
    from urllib import parse
    # The page's own path (servers or servers/detail), so that following
    # the link keeps the view the caller asked for.
    href = req.application_url_for(req.path_info.rstrip('/'))
    return [{'rel': 'next', 'href': href + '?' + parse.urlencode(params)}]


def isotime(value):
    """Nova's timestamp format: 2024-01-31T12:00:00Z."""
    if value is None:
        return None
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def isotime_micro(value):
    """Nova's launched_at style: 2024-01-31T12:00:00.000000."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(timespec='microseconds')
