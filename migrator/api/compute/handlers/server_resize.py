"""Server actions ``resize`` (with ``copy_pmem_devices`` from 2.105),
``confirmResize`` and ``revertResize``."""
from migrator.api.compute.handlers import migrate_server
from migrator.api.compute.schemas import server_resize as schemas
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator import exception
from migrator.policies import server_resize as policies
from migrator import policy

API = migrate_server.API


def _server(req, rule):
    ctx = req.context
    instance = API.get_server(ctx, req.url_vars['server_id'])
    policy.authorize(ctx, rule, {'project_id': instance.project_id,
                                 'user_id': instance.user_id})
    return instance


@validation.response(None, 202)
@validation.body(schemas.resize, '2.1', '2.104')
@validation.body(schemas.resize_v2105, '2.105')
def resize(req):
    instance = _server(req, policies.RESIZE)
    body = req.json()['resize']
    copy_pmem = migrate_server.bool_arg(body, 'copy_pmem_devices')
    migrate_server.move_errors(req, 'resize', lambda: API.resize(
        req.context, instance, flavor_id=body['flavorRef'],
        copy_pmem_devices=copy_pmem))
    return wsgi.empty_response(202)


def _finish_move(req, action, call):
    try:
        return migrate_server.move_errors(req, action, call)
    except exception.MigrationNotFoundByStatus:
        raise errors.BadRequest('Instance has not been resized.')


@validation.response(None, 204)
@validation.body(schemas.confirm_resize)
def confirm_resize(req):
    instance = _server(req, policies.CONFIRM_RESIZE)
    _finish_move(req, 'confirmResize',
                 lambda: API.confirm_resize(req.context, instance))
    return wsgi.empty_response(204)


@validation.response(None, 202)
@validation.body(schemas.revert_resize)
def revert_resize(req):
    instance = _server(req, policies.REVERT_RESIZE)
    _finish_move(req, 'revertResize',
                 lambda: API.revert_resize(req.context, instance))
    return wsgi.empty_response(202)
