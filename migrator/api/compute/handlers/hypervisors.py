"""os-hypervisors: list, detail, show (with usage per microversion),
statistics and uptime (below 2.88), and the search and servers routes
(below 2.53)."""
from oslo_utils import uuidutils

from migrator.api.compute import common
from migrator.api.compute.schemas import hypervisors as schemas
from migrator.api.compute.views import hypervisors as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import hypervisors as hv_policies
from migrator import policy

API = compute_api.API()


def _with_servers(req):
    if not req.is_version('2.53'):
        return False
    value = req.GET.get('with_servers')
    return value is not None and common.bool_param(value, 'with_servers')


def _page(req, nodes):
    """Nodes after the marker, up to limit (2.33+); the hostname pattern
    (2.53+) filters instead and does not page."""
    pattern = req.GET.get('hypervisor_hostname_pattern') \
        if req.is_version('2.53') else None
    if pattern is not None:
        if 'limit' in req.GET or 'marker' in req.GET:
            raise errors.BadRequest('Paging over hypervisors with '
                                    'hypervisor_hostname_pattern is not '
                                    'supported.')
        found = [n for n in nodes if pattern in n.hypervisor_hostname]
        if not found:
            raise errors.NotFound('No hypervisor matching %r could be '
                                  'found.' % pattern)
        return found, None
    if not req.is_version('2.33'):
        return nodes, None
    limit, marker = common.limit_and_marker(req)
    if marker is not None:
        ids = [str(views._id(req, n)) for n in nodes]
        if marker not in ids:
            raise errors.BadRequest('marker [%s] not found' % marker)
        nodes = nodes[ids.index(marker) + 1:]
    return nodes[:limit], limit


def _list(req, render, rule):
    ctx = req.context
    policy.authorize(ctx, hv_policies.BASE % rule)
    nodes, limit = _page(req, API.list_compute_nodes(ctx))
    with_servers = _with_servers(req)
    items = []
    for node in nodes:
        servers = API.node_instances(ctx, node) if with_servers else None
        items.append(render(req, node, API.node_service(ctx, node),
                            servers))
    body = {'hypervisors': items}
    if limit is not None:
        links = common.next_link(req, 'os-hypervisors', items, limit,
                                 lambda item: item['id'])
        if links:
            body['hypervisors_links'] = links
    return wsgi.json_response(body)


@validation.responses(schemas.index_response)
@validation.query(schemas.list_query_v21, '2.1', '2.32')
@validation.query(schemas.list_query_v233, '2.33', '2.52')
@validation.query(schemas.list_query_v253, '2.53')
def index(req):
    return _list(req, views.basic, 'list')


@validation.responses(schemas.detail_response)
@validation.query(schemas.list_query_v21, '2.1', '2.32')
@validation.query(schemas.list_query_v233, '2.33', '2.52')
@validation.query(schemas.list_query_v253, '2.53')
def detail(req):
    return _list(req, views.detail, 'list-detail')


@validation.responses(schemas.show_response)
@validation.query(schemas.show_query_v253, '2.53')
def show(req):
    ctx = req.context
    policy.authorize(ctx, hv_policies.BASE % 'show')
    wanted = req.url_vars['hypervisor_id']
    if req.is_version('2.53') and not uuidutils.is_uuid_like(wanted):
        raise errors.BadRequest('Invalid uuid %s' % wanted)
    for node in API.list_compute_nodes(ctx):
        if str(views._id(req, node)) == wanted:
            servers = API.node_instances(ctx, node) \
                if _with_servers(req) else None
            return wsgi.json_response({'hypervisor': views.detail(
                req, node, API.node_service(ctx, node), servers)})
    raise exception.ComputeNodeNotFound(node=wanted)


def _matching(req, rule):
    ctx = req.context
    policy.authorize(ctx, hv_policies.BASE % rule)
    pattern = req.url_vars['pattern']
    nodes = [n for n in API.list_compute_nodes(ctx)
             if pattern in n.hypervisor_hostname]
    if not nodes:
        raise errors.NotFound('No hypervisor matching %r could be found.'
                              % pattern)
    return ctx, nodes


@validation.responses(schemas.search_response)
def search(req):
    """GET /os-hypervisors/{pattern}/search (below 2.53)."""
    ctx, nodes = _matching(req, 'search')
    return wsgi.json_response({'hypervisors': [
        views.basic(req, n, API.node_service(ctx, n)) for n in nodes]})


@validation.responses(schemas.search_response)
def servers(req):
    """GET /os-hypervisors/{pattern}/servers (below 2.53): ``servers``
    only on the hypervisors that run some, as Nova does."""
    ctx, nodes = _matching(req, 'servers')
    return wsgi.json_response({'hypervisors': [
        views.basic(req, n, API.node_service(ctx, n),
                    API.node_instances(ctx, n)) for n in nodes]})


@validation.responses(schemas.uptime_response)
def uptime(req):
    """GET /os-hypervisors/{id}/uptime (below 2.88): the hypervisor's
    basic fields and its host's uptime(1) line, asked of its compute
    service with a short timeout. A compute that is down or does not
    answer is Nova's 400; one too old to answer is Nova's 501."""
    ctx = req.context
    policy.authorize(ctx, hv_policies.BASE % 'uptime')
    wanted = req.url_vars['hypervisor_id']
    if req.is_version('2.53') and not uuidutils.is_uuid_like(wanted):
        raise errors.BadRequest('Invalid uuid %s' % wanted)
    for node in API.list_compute_nodes(ctx):
        if str(views._id(req, node)) == wanted:
            try:
                line = API.get_host_uptime(ctx, node)
            except NotImplementedError:
                raise errors.NotImplemented(
                    'Hypervisor uptime is not supported: the compute '
                    'service of %s is too old to report it.' % node.host)
            return wsgi.json_response({'hypervisor': views.uptime(
                req, node, API.node_service(ctx, node), line)})
    raise exception.ComputeNodeNotFound(node=wanted)


@validation.responses(schemas.statistics_response)
def statistics(req):
    ctx = req.context
    policy.authorize(ctx, hv_policies.BASE % 'statistics')
    nodes = API.list_compute_nodes(ctx)
    totals = {'count': len(nodes)}
    for node in nodes:
        for key, value in views.usage(node).items():
            totals[key] = totals.get(key, 0) + value
    empty = dict.fromkeys(('vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
                           'memory_mb_used', 'local_gb_used',
                           'free_ram_mb', 'free_disk_gb',
                           'current_workload', 'running_vms',
                           'disk_available_least'), 0)
    empty.update(totals)
    return wsgi.json_response({'hypervisor_statistics': empty})
