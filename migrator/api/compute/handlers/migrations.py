"""GET /os-migrations: every migration of every cell, filtered and paged
as Nova does per microversion (2.23 type and links, 2.59 paging and
uuid, 2.66 changes-before, 2.80 user and project, 2.106 progress
figures)."""
from oslo_utils import timeutils

from migrator.api.compute import common
from migrator.api.compute.schemas import migrations as schemas
from migrator.api.compute.views import migrations as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import migrations as mig_policies
from migrator import policy

API = compute_api.API()


def _time(req, name):
    value = req.GET.get(name)
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise errors.BadRequest('Invalid input for query parameter %s. '
                                'Value: %s. It is not a date-time.'
                                % (name, value))


def _filters(req, show_host):
    """The MigrationList filters the request asks for, or None when
    nothing can match (``hidden=true``: hidden records, the doubles a
    cross-cell move leaves, are never shown)."""
    get = req.GET
    filters = {'hidden': False}
    if 'hidden' in get and common.bool_param(get['hidden'], 'hidden'):
        return None
    statuses = [s for s in get.getall('status') if s]
    if statuses:
        filters['status'] = statuses if len(statuses) > 1 else statuses[0]
    for name in ('instance_uuid', 'migration_type'):
        if get.get(name):
            filters[name] = get[name]
    # Filtering by host would tell a caller who may not see hosts where
    # migrations run: without index:host, host filters are ignored.
    if show_host:
        if get.get('host'):
            filters['host'] = get['host']
        elif get.get('source_compute'):
            filters['source_compute'] = get['source_compute']
    # Before 2.59 (2.66 for changes-before) the time filters are not part
    # of the API: sent anyway, they are dropped, as in Nova.
    if req.is_version('2.59') and 'changes-since' in get:
        filters['changes-since'] = _time(req, 'changes-since')
    if req.is_version('2.66') and 'changes-before' in get:
        filters['changes-before'] = _time(req, 'changes-before')
        since = filters.get('changes-since')
        if since is not None and filters['changes-before'] < since:
            raise errors.BadRequest('The value of changes-since must be '
                                    'less than or equal to changes-before.')
    if req.is_version('2.80'):
        for name in ('user_id', 'project_id'):
            if get.get(name):
                filters[name] = get[name]
    return filters


def _authorize(req):
    """index for everyone listing; index:all_projects unless the caller
    asks for its own project only (project_id, 2.80)."""
    ctx = req.context
    project_id = req.GET.get('project_id') if req.is_version('2.80') \
        else None
    policy.authorize(ctx, mig_policies.POLICY_ROOT % 'index',
                     {'project_id': project_id or ctx.project_id,
                      'user_id': ctx.user_id})
    if project_id != ctx.project_id:
        policy.authorize(ctx, mig_policies.POLICY_ROOT %
                         'index:all_projects')


@validation.responses(schemas.index_response)
@validation.query(schemas.list_query_v20, '2.1', '2.58')
@validation.query(schemas.list_query_v259, '2.59', '2.65')
@validation.query(schemas.list_query_v266, '2.66', '2.79')
@validation.query(schemas.list_query_v280, '2.80')
def index(req):
    ctx = req.context
    _authorize(req)
    show_host = policy.check(ctx, mig_policies.POLICY_ROOT % 'index:host')
    filters = _filters(req, show_host)
    paged = req.is_version('2.59')
    limit, marker = common.limit_and_marker(req) if paged else (None, None)
    migrations = []
    if filters is not None:
        try:
            migrations = API.list_migrations(ctx, filters, limit=limit,
                                             marker=marker, rows=True)
        except exception.MarkerNotFound:
            raise errors.BadRequest('Marker %s could not be found.'
                                    % marker)
    items = views.os_migrations(req, migrations, show_host)
    body = {'migrations': items}
    if paged:
        links = common.next_link(req, 'os-migrations', items, limit,
                                 lambda item: item['uuid'])
        if links:
            body['migrations_links'] = links
    return wsgi.json_response(body)
