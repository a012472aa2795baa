"""A small filter scheduler: which compute hosts can take an instance.

Filters: the compute service is up and enabled, the host is not excluded,
the server's scheduler hints ``same_host`` / ``different_host`` hold, and
its free capacity (inventory × allocation ratio − derived usage) fits the
flavor. Weigher: most free RAM first, so load spreads.
"""
from oslo_log import log as logging

from migrator import capacity
from migrator.db import session
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import service as service_obj

LOG = logging.getLogger(__name__)


def _unusable(host, svc):
    """Why ``host``, whose compute service is ``svc`` (None: it has
    none), cannot take work, as the exception to raise; None if it can."""
    if svc is None:
        return exception.ComputeHostNotFound(host=host)
    if svc.disabled or not svc.is_up:
        return exception.ComputeServiceUnavailable(host=host)
    return None


def usable_service(context, host):
    """The up and enabled compute service of ``host``, or raise."""
    svc = service_obj.Service.get_by_compute_host(context, host)
    problem = _unusable(host, svc)
    if problem:
        raise problem
    return svc


def _service_problems(context, hosts):
    """{host: why it cannot take work} for those of ``hosts`` whose
    compute service is missing, disabled or down; one query."""
    services = {svc.host: svc for svc in service_obj.ServiceList.get_all(
        context, binary='migrator-compute', host=set(hosts))}
    problems = {host: _unusable(host, services.get(host)) for host in hosts}
    return {host: problem.format_message()
            for host, problem in problems.items() if problem}


def _as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _hosts_of(context, uuids):
    if not uuids:
        return set()
    instances = instance_obj.InstanceList.get_by_filters(
        context, {'uuid': uuids})
    return {i.host for i in instances if i.host}


def hint_filter(context, hints):
    """A function host -> reason it fails the hints (None: it passes),
    for Nova's SameHostFilter and DifferentHostFilter: ``same_host``
    (uuids) wants a host running one of those servers, ``different_host``
    one running none of them."""
    hints = hints or {}
    same = _as_list(hints.get('same_host'))
    different = _as_list(hints.get('different_host'))
    same_hosts = _hosts_of(context, same) if same else None
    different_hosts = _hosts_of(context, different)

    def check(host):
        if same_hosts is not None and host not in same_hosts:
            return '%s runs none of the same_host servers' % host
        if host in different_hosts:
            return '%s runs a different_host server' % host
        return None
    return check


def select_hosts(context, flavor, exclude=(), only=None, limit=None,
                 hints=None):
    """Compute nodes that pass every filter, best first. ``hints``: the
    server's scheduler hints (see ``hint_filter``). Read in one
    transaction (or the caller's), in the same few queries however many
    nodes there are: a service, the usage and the PMEM of each node, a
    transaction each, were most of the conductor's CPU per move."""
    with session.reader(context):
        return _select_hosts(context, flavor, exclude, only, limit, hints)


def _select_hosts(context, flavor, exclude, only, limit, hints):
    hint_check = hint_filter(context, hints)
    candidates = [
        node for node in compute_node_obj.ComputeNodeList.get_all(context)
        if node.host not in exclude and (not only or node.host in only)]
    # (node, why it fails the hints) in the nodes' order: the reasons are
    # given in that order.
    hinted = [(node, hint_check(node.host)) for node in candidates]
    problems = _service_problems(
        context, {node.host for node, failed in hinted if not failed})
    usable = [node for node, failed in hinted
              if not failed and node.host not in problems]
    # Every usable node's capacity in one go: a few queries per node made
    # each scheduling grow with the number of hosts.
    free_of = dict(zip(map(id, usable),
                       capacity.free_capacities(context, usable)))
    passed = []
    reasons = []
    for node, failed in hinted:
        if failed or node.host in problems:
            reasons.append(failed or problems[node.host])
            continue
        free = free_of[id(node)]
        short = capacity.lacking(flavor, free)
        if short:
            reasons.append('%s lacks room (%s)' % (node.host, short))
            continue
        passed.append((free['memory_mb'], node))
    passed.sort(key=lambda pair: pair[0], reverse=True)
    nodes = [node for _, node in passed][:limit]
    if not nodes:
        LOG.info('No host fits flavor %s: %s', flavor.name,
                 '; '.join(reasons) or 'no compute hosts')
        raise exception.NoValidHost(
            reason='There are not enough hosts available. %s'
            % '; '.join(reasons))
    return nodes
