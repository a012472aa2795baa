"""A small filter scheduler: which compute hosts can take an instance.

Filters: the compute service is up and enabled, the host is not excluded,
and its free capacity (inventory × allocation ratio − derived usage) fits
the flavor. Weigher: most free RAM first, so load spreads.
"""
from oslo_log import log as logging

from migrator import capacity
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import service as service_obj

LOG = logging.getLogger(__name__)


def usable_service(context, host):
    """The up and enabled compute service of ``host``, or raise."""
    svc = service_obj.Service.get_by_compute_host(context, host)
    if svc.disabled or not svc.is_up:
        raise exception.ComputeServiceUnavailable(host=host)
    return svc


def select_hosts(context, flavor, exclude=(), only=None, limit=None):
    """Compute nodes that pass every filter, best first."""
    passed = []
    reasons = []
    for node in compute_node_obj.ComputeNodeList.get_all(context):
        if node.host in exclude or (only and node.host not in only):
            continue
        try:
            usable_service(context, node.host)
        except (exception.ComputeHostNotFound,
                exception.ComputeServiceUnavailable) as exc:
            reasons.append(exc.format_message())
            continue
        free = capacity.free_capacity(context, node)
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
