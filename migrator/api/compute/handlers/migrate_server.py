"""Server actions that move a server to another host: ``os-migrateLive``.

Below 2.34 the pre-checks run while the request waits and a failed one
is a 400 with its reason; from 2.34 the request is answered 202 at once
and the pre-checks' outcome is read from the server's instance actions.
"""
from oslo_log import log as logging
from oslo_utils import strutils

from migrator.api.compute.schemas import migrate_server as schemas
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import migrate_server as ms_policies
from migrator import policy

LOG = logging.getLogger(__name__)

API = compute_api.API()


def _bool(value):
    return strutils.bool_from_string(value, strict=True)


def _arguments(req, body):
    """(host, block_migration, force) of the body, per microversion."""
    host = body['host']
    if req.is_version('2.25'):
        block_migration = body['block_migration']
        # "auto": the destination decides, from whether storage is shared.
        block_migration = None if block_migration == 'auto' else \
            _bool(block_migration)
    else:
        # disk_over_commit is validated and then ignored: migrator's
        # capacity check never over-commits disk.
        block_migration = _bool(body['block_migration'])
        _bool(body['disk_over_commit'])
    force = None
    if req.is_version('2.30', '2.67'):
        force = _bool(body.get('force', False))
        if force and not host:
            raise errors.BadRequest(
                "Can't force to a non-provided destination")
    return host, block_migration, force


@validation.response(None, 202)
@validation.body(schemas.migrate_live, '2.1', '2.24')
@validation.body(schemas.migrate_live_v225, '2.25', '2.29')
@validation.body(schemas.migrate_live_v230, '2.30', '2.67')
@validation.body(schemas.migrate_live_v268, '2.68')
def migrate_live(req):
    ctx = req.context
    server_id = req.url_vars['server_id']
    body = req.json()['os-migrateLive']

    def prepare(instance):
        # Run once the server is read, in the accept's transaction: a
        # refusal here writes nothing.
        target = {'project_id': instance.project_id,
                  'user_id': instance.user_id}
        policy.authorize(ctx, ms_policies.POLICY_ROOT % 'migrate_live',
                         target)
        if body['host']:
            policy.authorize(ctx,
                             ms_policies.POLICY_ROOT % 'migrate_live:host',
                             target)
        return _arguments(req, body)

    async_ = req.is_version('2.34')
    try:
        API.accept_live_migration(ctx, server_id, prepare, async_)
    except exception.MigrationPreCheckError as exc:
        if async_:
            # A cast cannot bring a pre-check back: if one gets here it
            # is a bug, answered 500 as Nova does, not a 400.
            LOG.error('Pre-check error reached the API on the '
                      'asynchronous path: %s', exc)
            raise RuntimeError('pre-check error on the asynchronous '
                               'path: %s' % exc) from exc
        raise errors.BadRequest(exc.format_message())
    except exception.ComputeHostNotFound as exc:
        raise errors.BadRequest(exc.format_message())
    except exception.InstanceInvalidState as exc:
        raise errors.Conflict(
            "Cannot 'os-migrateLive' instance %s while it is in %s %s"
            % (server_id, exc.kwargs['attr'], exc.kwargs['state']))
    return wsgi.empty_response(202)


# -- cold migration (seed 003) ------------------------------------------------
def bool_arg(body, name):
    """A boolean body argument (JSON boolean or Nova's strings such as
    "true"/"false"), False when absent."""
    value = (body or {}).get(name, False)
    return value if isinstance(value, bool) else _bool(value)


def move_errors(req, action, call):
    """Run ``call()``, answering its errors as Nova does for migrate and
    resize."""
    server_id = req.url_vars['server_id']
    try:
        return call()
    except exception.FlavorNotFound:
        raise errors.BadRequest('Unable to locate requested flavor.')
    except (exception.ComputeHostNotFound,
            exception.MigrationPreCheckError) as exc:
        raise errors.BadRequest(exc.format_message())
    except exception.InstanceInvalidState as exc:
        raise errors.Conflict(
            "Cannot '%s' instance %s while it is in %s %s"
            % (action, server_id, exc.kwargs['attr'], exc.kwargs['state']))


@validation.response(None, 202)
@validation.body(schemas.migrate, '2.1', '2.55')
@validation.body(schemas.migrate_v256, '2.56', '2.104')
@validation.body(schemas.migrate_v2105, '2.105')
def migrate(req):
    ctx = req.context
    server_id = req.url_vars['server_id']
    instance = API.get_server(ctx, server_id)
    target = {'project_id': instance.project_id,
              'user_id': instance.user_id}
    policy.authorize(ctx, ms_policies.POLICY_ROOT % 'migrate', target)
    body = req.json()['migrate'] if req.is_version('2.56') else None
    host = (body or {}).get('host')
    if host:
        policy.authorize(ctx, ms_policies.POLICY_ROOT % 'migrate:host',
                         target)
    copy_pmem = bool_arg(body, 'copy_pmem_devices')
    move_errors(req, 'migrate', lambda: API.resize(
        ctx, instance, flavor_id=None, host=host,
        copy_pmem_devices=copy_pmem))
    return wsgi.empty_response(202)
