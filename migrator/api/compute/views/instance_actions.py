"""Instance actions and their events as the API shows them, per
microversion and per what the caller may see."""
import hashlib

from migrator.api.compute import common

ACTION_KEYS = ('action', 'instance_uuid', 'request_id', 'user_id',
               'project_id', 'start_time', 'message')
TIME_KEYS = ('start_time', 'finish_time', 'updated_at')


def _value(obj, key):
    value = getattr(obj, key) if obj.obj_attr_is_set(key) else None
    if key in TIME_KEYS:
        return common.isotime_micro(value)
    return value


def host_id(host, project_id):
    """Nova's hostId: a hash of the project and host that tells a user
    whether two things ran on one host without naming it; '' for none."""
    if not host:
        return ''
    data = (project_id or '') + host
    return hashlib.sha224(data.encode('utf-8')).hexdigest()


def action(req, action):
    keys = ACTION_KEYS + (('updated_at',) if req.is_version('2.58')
                          else ())
    return {key: _value(action, key) for key in keys}


class EventPermissions:
    """What of each event the caller sees (Nova's rules): with the
    ``events`` policy everything, host from 2.62; without it, from 2.51,
    the events without traceback; before 2.51 no events at all. hostId
    for everyone from 2.62; details from 2.84 with ``events:details``.
    """

    def __init__(self, req, events_allowed, details_allowed):
        self.events = events_allowed or req.is_version('2.51')
        self.traceback = events_allowed
        self.host = events_allowed and req.is_version('2.62')
        self.host_id = req.is_version('2.62')
        self.details = details_allowed and req.is_version('2.84')


def event(event, project_id, perms):
    shown = {key: _value(event, key)
             for key in ('event', 'start_time', 'finish_time', 'result')}
    if perms.traceback:
        shown['traceback'] = event.traceback
    if perms.host:
        shown['host'] = event.host
    if perms.host_id:
        shown['hostId'] = host_id(event.host, project_id)
    if perms.details:
        shown['details'] = event.details
    return shown


def next_links(req, items, limit):
    """The top-level ``links`` (rel next) of a full page (2.58)."""
    return common.next_link(req, 'os-instance-actions', items, limit,
                            lambda item: item['request_id'])
