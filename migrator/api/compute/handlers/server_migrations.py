"""/servers/{server_id}/migrations: a server's live migrations in
progress (2.23), force-complete (2.22), abort (2.24; 2.65 also before
the transfer starts) and the runtime controls (2.107: set the max
downtime, cap the bandwidth, switch to post-copy).

The operator controls record their instance action
(``live_migration_force_complete``, ``live_migration_cancel``,
``live_migration_set_max_downtime``, ``live_migration_set_bandwidth``,
``live_migration_switch_to_post_copy``) and cast
to the source compute; the outcome is read back here, in os-migrations
and in the instance actions.
"""
from migrator.api.compute.schemas import common as common_schemas
from migrator.api.compute.schemas import server_migrations as schemas
from migrator.api.compute.views import migrations as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import server_migrations as sm_policies
from migrator import policy

API = compute_api.API()


def _instance(req, rule):
    instance = API.get_server(req.context, req.url_vars['server_id'])
    policy.authorize(req.context, sm_policies.POLICY_ROOT % rule,
                     {'project_id': instance.project_id,
                      'user_id': instance.user_id})
    return instance


def _migration_id(req, not_found):
    value = req.url_vars['migration_id']
    try:
        return int(value)
    except ValueError:
        raise not_found('Migration %s could not be found: migration ids '
                        'are integers.' % value)


@validation.responses(schemas.index_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def index(req):
    instance = _instance(req, 'index')
    show_host = policy.check(req.context,
                             sm_policies.POLICY_ROOT % 'index:host')
    migrations = API.get_server_migrations(req.context, instance,
                                           views.IN_PROGRESS)
    return wsgi.json_response({'migrations': [
        views.server_migration(req, m, show_host) for m in migrations]})


@validation.responses(schemas.show_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def show(req):
    instance = _instance(req, 'show')
    mid = _migration_id(req, errors.NotFound)
    try:
        migration = API.get_server_migration(req.context, instance, mid)
    except exception.MigrationNotFoundForInstance:
        raise errors.NotFound('In-progress live migration %s is not found '
                              'for server %s.' % (mid, instance.uuid))
    if not migration.is_live_migration:
        raise errors.NotFound('Migration %s for server %s is not a live '
                              'migration.' % (mid, instance.uuid))
    if migration.status not in views.IN_PROGRESS:
        raise errors.NotFound('Live migration %s for server %s is not in '
                              'progress.' % (mid, instance.uuid))
    return wsgi.json_response(
        {'migration': views.server_migration(req, migration)})


CONTROLS_VERSION = '2.107'


@validation.response(None, 202)
@validation.body(schemas.force_complete, '2.22', '2.106')
@validation.body(schemas.action_v2107, CONTROLS_VERSION)
def action(req):
    """{"force_complete": null}; from 2.107 also the runtime controls
    {"set_max_downtime": {"ms": N}}, {"set_bandwidth": {"mib_per_s": N}}
    and {"switch_to_post_copy": null}."""
    name = next(iter(req.json()))
    instance = _instance(req, name)
    mid = _migration_id(req, errors.BadRequest)
    body = req.json()[name]
    try:
        if name == 'force_complete':
            API.live_migrate_force_complete(req.context, instance, mid)
        elif name == 'set_max_downtime':
            API.live_migrate_set_max_downtime(req.context, instance, mid,
                                              body['ms'])
        elif name == 'set_bandwidth':
            API.live_migrate_set_bandwidth(req.context, instance, mid,
                                           body['mib_per_s'])
        else:
            API.live_migrate_switch_to_post_copy(req.context, instance,
                                                 mid)
    except exception.MigrationNotFoundForInstance as exc:
        # Nova answers 400 here (404 is for the server).
        raise errors.BadRequest(exc.format_message())
    return wsgi.empty_response(202)


@validation.response(None, 202)
def delete(req):
    instance = _instance(req, 'delete')
    mid = _migration_id(req, errors.NotFound)
    allowed = ('running',)
    if req.is_version('2.65'):
        allowed += ('queued', 'preparing')
    API.live_migrate_abort(req.context, instance, mid,
                           allowed_statuses=allowed)
    return wsgi.empty_response(202)
