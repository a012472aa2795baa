"""Server bodies per microversion, with Nova's field names so that
openstacksdk, novaclient and the openstack CLI read them unchanged."""
import hashlib
import re

from migrator.api.compute import common
from migrator.policies import flavor_extra_specs as es_policies
from migrator.policies import servers as server_policies
from migrator import policy


# The zone every placed server is in when none was asked for (Nova's
# default_availability_zone); migrator has no host aggregates.
DEFAULT_ZONE = 'nova'


def host_id(instance):
    """Nova's hostId: a hash of the project and host, '' when unplaced."""
    if not instance.host:
        return ''
    data = (instance.project_id or '') + instance.host
    return hashlib.sha224(data.encode('utf-8')).hexdigest()


def availability_zone(instance):
    """The zone the server is in: the one asked for, else the default
    zone once placed, '' before."""
    return instance.availability_zone or (
        DEFAULT_ZONE if instance.host else '')


def basic(req, instance):
    return {'id': instance.uuid, 'name': instance.display_name,
            'links': common.links(req, 'servers', instance.uuid)}


def down_cell(req, mapping, detailed, show=False):
    """A server of a cell that did not answer (2.69): what the API
    database knows of it, status UNKNOWN."""
    body = {'id': mapping.instance_uuid, 'status': 'UNKNOWN',
            'links': common.links(req, 'servers', mapping.instance_uuid)}
    if detailed:
        body.update({'tenant_id': mapping.project_id,
                     'created': common.isotime(mapping.created_at)})
    if show:
        body['user_id'] = mapping.user_id
    return body


def _flavor(req, instance, show_extra_specs):
    flavor = instance.flavor
    if flavor is None:
        return {}
    if not req.is_version('2.47'):
        return {'id': flavor.flavorid,
                'links': [{'rel': 'bookmark',
                           'href': req.application_url_for(
                               'flavors', flavor.flavorid)}]}
    body = {'vcpus': flavor.vcpus, 'ram': flavor.memory_mb,
            'disk': flavor.root_gb, 'ephemeral': flavor.ephemeral_gb,
            'swap': flavor.swap, 'original_name': flavor.name}
    if show_extra_specs:
        body['extra_specs'] = dict(flavor.extra_specs)
    return body


def _image(req, instance):
    if not instance.image_ref:
        return ''
    image = {'id': instance.image_ref,
             'links': [{'rel': 'bookmark',
                        'href': req.application_url_for(
                            'images', instance.image_ref)}]}
    if req.is_version('2.98'):
        # migrator serves no image API: no image properties are known.
        image['properties'] = {}
    return image


class Permissions:
    """What the caller may see, decided once per request."""

    def __init__(self, req):
        ctx = req.context
        self.extended = policy.check(
            ctx, server_policies.EXTENDED_ATTRIBUTES)
        self.host_status = policy.check(
            ctx, server_policies.SERVERS % 'show:host_status')
        self.extra_specs = policy.check(ctx, es_policies.BASE % 'index')


def detail(req, instance, perms, fault=None, host_status=None):
    from migrator.api.compute.common import status_from_state
    attr = instance.attribute
    body = basic(req, instance)
    body.update({
        'status': status_from_state(instance.vm_state,
                                    instance.task_state),
        'tenant_id': instance.project_id,
        'user_id': instance.user_id,
        'metadata': dict(instance.metadata or {}),
        'hostId': host_id(instance),
        'image': _image(req, instance),
        'flavor': _flavor(req, instance, perms.extra_specs),
        'created': common.isotime(instance.created_at),
        'updated': common.isotime(instance.updated_at or
                                  instance.created_at),
        'addresses': {},
        'accessIPv4': attr('access_ip_v4', ''),
        'accessIPv6': attr('access_ip_v6', ''),
        'progress': instance.progress or 0,
        'key_name': attr('key_name'),
        'config_drive': 'True' if attr('config_drive') else '',
        'OS-DCF:diskConfig': attr('auto_disk_config', 'MANUAL'),
        'security_groups': [{'name': name} for name in
                            attr('security_groups', ['default'])],
        'OS-EXT-AZ:availability_zone': availability_zone(instance),
        'OS-EXT-STS:vm_state': instance.vm_state,
        'OS-EXT-STS:task_state': instance.task_state,
        'OS-EXT-STS:power_state': instance.power_state or 0,
        'OS-SRV-USG:launched_at': common.isotime_micro(
            instance.launched_at),
        'OS-SRV-USG:terminated_at': common.isotime_micro(
            instance.terminated_at),
        'os-extended-volumes:volumes_attached': [],
    })
    if perms.extended:
        body.update({
            'OS-EXT-SRV-ATTR:host': instance.host,
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.node,
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % instance.id,
        })
        if req.is_version('2.3'):
            body.update({
                'OS-EXT-SRV-ATTR:reservation_id': '',
                'OS-EXT-SRV-ATTR:launch_index': 0,
                'OS-EXT-SRV-ATTR:kernel_id': '',
                'OS-EXT-SRV-ATTR:ramdisk_id': '',
                'OS-EXT-SRV-ATTR:hostname': hostname(instance),
                'OS-EXT-SRV-ATTR:root_device_name': None,
                'OS-EXT-SRV-ATTR:user_data': attr('user_data'),
            })
    if req.is_version('2.90'):
        body['OS-EXT-SRV-ATTR:hostname'] = hostname(instance)
    if req.is_version('2.9'):
        body['locked'] = bool(instance.locked)
    if req.is_version('2.16') and perms.host_status and \
            host_status is not None:
        body['host_status'] = host_status
    if req.is_version('2.19'):
        body['description'] = attr('description')
    if req.is_version('2.26'):
        body['tags'] = list(instance.tags
                            if instance.obj_attr_is_set('tags') else [])
    if req.is_version('2.63'):
        body['trusted_image_certificates'] = attr(
            'trusted_image_certificates')
    if req.is_version('2.73'):
        body['locked_reason'] = None
    if req.is_version('2.96'):
        body['pinned_availability_zone'] = attr('pinned_availability_zone')
    if req.is_version('2.100'):
        body['scheduler_hints'] = dict(attr('scheduler_hints', {}))
    if fault is not None and instance.vm_state in ('error', 'deleted'):
        body['fault'] = {'code': fault.code, 'message': fault.message,
                         'created': common.isotime(fault.created_at)}
        if fault.details and (req.context.is_admin or fault.code != 500):
            body['fault']['details'] = fault.details
    return body


def show_extra(req, instance, perms):
    """Fields only GET /servers/{id} has (server groups, 2.71)."""
    if req.is_version('2.71'):
        return {'server_groups': []}
    return {}


def created(req, instance, admin_pass):
    body = basic(req, instance)
    body.pop('name')
    body['OS-DCF:diskConfig'] = instance.attribute('auto_disk_config',
                                                   'MANUAL')
    body['security_groups'] = [
        {'name': name}
        for name in instance.attribute('security_groups', ['default'])]
    body['adminPass'] = admin_pass
    return body


# The keys of a server update's answer below 2.75 (Nova answers the full
# server from 2.75): the detail view without the extension attributes.
_UPDATE_KEYS = {'id', 'name', 'status', 'tenant_id', 'user_id',
                'metadata', 'hostId', 'image', 'flavor', 'created',
                'updated', 'addresses', 'accessIPv4', 'accessIPv6',
                'links', 'OS-DCF:diskConfig', 'progress', 'fault',
                'locked', 'description', 'tags',
                'trusted_image_certificates', 'server_groups',
                'locked_reason'}


def updated(req, body, instance, perms):
    """The answer of PUT /servers/{id}, from its detail view."""
    body = dict(body)
    if not req.is_version('2.75'):
        body = {k: v for k, v in body.items() if k in _UPDATE_KEYS}
    body.update(show_extra(req, instance, perms))
    return body


def hostname(instance):
    """The guest hostname: the one asked for (2.90), else one made of
    the server's name as Nova does (letters, digits and hyphens)."""
    given = instance.attribute('hostname')
    if given:
        return given
    name = re.sub(r'[^\w.-]+', '-', (instance.display_name or '').lower())
    name = re.sub(r'[_.]', '-', name).strip('-')[:63]
    return name or 'server-%s' % instance.uuid
