"""os-hypervisors bodies: integer ids below 2.53 and uuids from 2.53;
usage fields (vcpus, memory, disk, running_vms, ...) below 2.88, uptime
from 2.88; cpu_info a string below 2.28, an object from 2.28."""
from oslo_serialization import jsonutils


def _id(req, node):
    return node.uuid if req.is_version('2.53') else node.id


def basic(req, node, service, servers=None):
    body = {
        'id': _id(req, node),
        'hypervisor_hostname': node.hypervisor_hostname,
        'state': 'up' if service is not None and service.is_up
        else 'down',
        'status': 'disabled' if service is None or service.disabled
        else 'enabled',
    }
    if servers is not None and (servers or req.is_version('2.75')):
        body['servers'] = [{'name': i.display_name, 'uuid': i.uuid}
                           for i in servers]
    return body


def uptime(req, node, service, line):
    """The uptime answer: the basic fields and ``uptime``, as Nova's."""
    body = basic(req, node, service)
    body['uptime'] = line
    return body


def _cpu_info(req, node):
    if not req.is_version('2.28'):
        return node.cpu_info or ''
    try:
        value = jsonutils.loads(node.cpu_info or '{}')
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def detail(req, node, service, servers=None):
    body = basic(req, node, service, servers)
    body.update({
        'hypervisor_type': node.hypervisor_type,
        'hypervisor_version': node.hypervisor_version,
        'host_ip': node.host_ip,
        'service': {
            'host': node.host,
            'id': (service.uuid if req.is_version('2.53') else service.id)
            if service is not None else None,
            'disabled_reason': service.disabled_reason
            if service is not None else None,
        },
    })
    if req.is_version('2.88'):
        body['uptime'] = None
    else:
        body.update(usage(node))
        body['cpu_info'] = _cpu_info(req, node)
    return body


def usage(node):
    free_disk = node.local_gb - node.local_gb_used
    return {
        'vcpus': node.vcpus,
        'memory_mb': node.memory_mb,
        'local_gb': node.local_gb,
        'vcpus_used': node.vcpus_used,
        'memory_mb_used': node.memory_mb_used,
        'local_gb_used': node.local_gb_used,
        'free_ram_mb': node.memory_mb - node.memory_mb_used,
        'free_disk_gb': free_disk,
        'current_workload': 0,
        'running_vms': node.running_vms,
        'disk_available_least': free_disk,
    }
