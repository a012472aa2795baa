"""POST /servers/{server_id}/action: one URL, many actions.

The body names the action by its only key (``{"os-migrateLive": {...}}``);
``ACTIONS`` maps that name to the handler that serves it. A new action
(migrate, resize, confirmResize, revertResize, ...) is one more row. As
in Nova, a body with more than one key is malformed and an action this
table does not know is a 400.
"""
from migrator.api.compute.handlers import migrate_server
from migrator.api.compute.handlers import server_resize
from migrator.api import errors

ACTIONS = {
    'os-migrateLive': migrate_server.migrate_live,
    'migrate': migrate_server.migrate,
    'resize': server_resize.resize,
    'confirmResize': server_resize.confirm_resize,
    'revertResize': server_resize.revert_resize,
}


def dispatch(req):
    body = req.json()
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequest('Malformed request body: a server action '
                                'is an object with exactly one key, the '
                                'name of the action.')
    name = next(iter(body))
    handler = ACTIONS.get(name)
    if handler is None:
        raise errors.BadRequest('There is no such action: %s' % name)
    return handler(req)


dispatch.actions = ACTIONS
