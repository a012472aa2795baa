"""GET /servers/{server_id}/os-instance-actions[/{request_id}]: what was
done to a server, one action per request, and the steps of each.

A live migration is followed here: its action ``live-migration`` is keyed
by the request id the POST was answered with, and its events
(``conductor_live_migrate_server``, ``compute_pre_live_migration``, ...)
say how far it got and, on failure, why.
"""
from oslo_utils import timeutils

from migrator.api.compute import common
from migrator.api.compute.schemas import common as common_schemas
from migrator.api.compute.schemas import instance_actions as schemas
from migrator.api.compute.views import instance_actions as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import instance_actions as ia_policies
from migrator import policy

API = compute_api.API()


def _instance(req):
    """The server; from 2.21 a deleted one too."""
    ctx = req.context
    server_id = req.url_vars['server_id']
    if req.is_version('2.21'):
        with ctx.temporary_read_deleted('yes'):
            return API.get_server(ctx, server_id)
    return API.get_server(ctx, server_id)


def _target(instance):
    return {'project_id': instance.project_id}


def _time(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise errors.BadRequest(
            "Invalid input for query parameters %s. Value: %s. '%s' is "
            "not a 'date-time'" % (name, value, value))


def _filters(req):
    filters = {}
    for name in ('changes-since', 'changes-before'):
        value = _time(req, name)
        if value is not None:
            filters[name] = value
    if 'changes-since' in filters and 'changes-before' in filters and \
            filters['changes-before'] < filters['changes-since']:
        raise errors.BadRequest('The value of changes-since must be less '
                                'than or equal to changes-before.')
    return filters


@validation.responses(schemas.index_response)
@validation.query(schemas.list_query_v258, '2.58', '2.65')
@validation.query(schemas.list_query_v266, '2.66')
def index(req):
    ctx = req.context
    instance = _instance(req)
    policy.authorize(ctx, ia_policies.BASE_POLICY_NAME % 'list',
                     _target(instance))
    if not req.is_version('2.58'):
        actions = API.get_instance_actions(ctx, instance)
        return wsgi.json_response(
            {'instanceActions': [views.action(req, a) for a in actions]})
    filters = _filters(req)
    limit, marker = common.limit_and_marker(req)
    try:
        actions = API.get_instance_actions(ctx, instance, limit=limit,
                                           marker=marker, filters=filters)
    except exception.MarkerNotFound as exc:
        raise errors.BadRequest(exc.format_message())
    items = [views.action(req, a) for a in actions]
    body = {'instanceActions': items}
    links = views.next_links(req, items, limit)
    if links:
        body['links'] = links
    return wsgi.json_response(body)


@validation.responses(schemas.show_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def show(req):
    ctx = req.context
    instance = _instance(req)
    target = _target(instance)
    policy.authorize(ctx, ia_policies.BASE_POLICY_NAME % 'show', target)
    request_id = req.url_vars['request_id']
    try:
        action = API.get_instance_action(ctx, instance, request_id)
    except exception.InstanceActionNotFound:
        raise errors.NotFound('Action %s not found' % request_id)
    shown = views.action(req, action)
    perms = views.EventPermissions(
        req,
        policy.check(ctx, ia_policies.BASE_POLICY_NAME % 'events', target),
        policy.check(ctx, ia_policies.BASE_POLICY_NAME % 'events:details',
                     target))
    if perms.events:
        # Events recorded by periodic work have no project: the server's
        # project makes their hostId then.
        project_id = action.project_id or instance.project_id
        shown['events'] = [
            views.event(e, project_id, perms)
            for e in API.get_instance_action_events(ctx, instance, action)]
    return wsgi.json_response({'instanceAction': shown})
