"""Servers: create, list, detail, show, update, delete."""
import base64
import binascii
import secrets

from oslo_utils import timeutils

from migrator.api.compute import common
from migrator.api.compute.schemas import common as common_schemas
from migrator.api.compute.schemas import servers as schemas
from migrator.api.compute.views import servers as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.objects import flavor as flavor_obj
from migrator.policies import servers as server_policies
from migrator import policy

API = compute_api.API()

# Filters Nova lets every caller use; the rest need allow_all_filters.
_USER_FILTERS = {'name', 'ip', 'ip6', 'status', 'image', 'flavor',
                 'changes-since', 'changes-before', 'reservation_id',
                 'tag', 'tag-any', 'not-tags', 'not-tags-any', 'locked',
                 'all_tenants'}
_USER_FILTERS_283 = {'availability_zone', 'config_drive', 'key_name',
                     'created_at', 'launched_at', 'terminated_at',
                     'power_state', 'task_state', 'vm_state', 'progress',
                     'user_id'}
_PAGING = {'limit', 'marker', 'sort_key', 'sort_dir'}
# API sort keys migrator can sort by, and the column each one means.
_SORT_KEYS = {'created_at': 'created_at', 'updated_at': 'updated_at',
              'display_name': 'display_name', 'uuid': 'uuid',
              'host': 'host', 'node': 'node', 'vm_state': 'vm_state',
              'task_state': 'task_state', 'project_id': 'project_id',
              'user_id': 'user_id'}
_ADMIN_SORT_KEYS = {'host', 'node'}


def _parse_time(value, name):
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise errors.BadRequest('Invalid filter field: %s. %r is not an '
                                'ISO 8601 date-time.' % (name, value))


def _last_segment(ref):
    return str(ref).rstrip('/').rsplit('/', 1)[-1]


def _search_options(req):
    """The caller's filters as InstanceList filters, or None when they
    cannot match anything (an unknown flavor, an IP)."""
    ctx = req.context
    opts = {k: v for k, v in req.GET.items() if k not in _PAGING}
    if not policy.check(ctx, server_policies.SERVERS % 'allow_all_filters'):
        allowed = set(_USER_FILTERS)
        if req.is_version('2.83'):
            allowed |= _USER_FILTERS_283
        if not req.is_version('2.5'):
            # ip6 became a filter for every caller in 2.5.
            allowed.discard('ip6')
        opts = {k: v for k, v in opts.items() if k in allowed}
    if not req.is_version('2.66'):
        opts.pop('changes-before', None)
    if not req.is_version('2.73'):
        opts.pop('locked', None)

    filters = {}
    all_tenants = 'all_tenants' in opts and \
        common.bool_param(opts.pop('all_tenants') or 'true', 'all_tenants')
    if all_tenants:
        rule = 'detail:get_all_tenants' if req.path_info.rstrip(
            '/').endswith('/detail') else 'index:get_all_tenants'
        policy.authorize(ctx, server_policies.SERVERS % rule)
        project = opts.pop('project_id', None) or opts.pop('tenant_id',
                                                           None)
        if project:
            filters['project_id'] = project
    else:
        opts.pop('project_id', None)
        opts.pop('tenant_id', None)
        filters['project_id'] = ctx.project_id

    read_deleted = 'no'
    for name in ('changes-since', 'changes-before'):
        if name in opts:
            filters[name] = _parse_time(opts.pop(name), name)
            read_deleted = 'yes'
    if 'changes-since' in filters and 'changes-before' in filters and \
            filters['changes-before'] < filters['changes-since']:
        raise errors.BadRequest(
            'The value of changes-since must be less than or equal to '
            'changes-before.')
    if 'deleted' in opts:
        if common.bool_param(opts.pop('deleted'), 'deleted'):
            read_deleted = 'only'

    if opts.pop('status', None) is not None:
        # status may repeat: a server in any of them matches.
        vm_states = set()
        for status in req.GET.getall('status'):
            states = common.states_from_status(status)
            if states is not None:
                vm_states.update(states[0])
        if not vm_states:
            if req.is_version('2.38'):
                raise errors.BadRequest('Invalid status value')
            return None, read_deleted
        filters['vm_state'] = sorted(vm_states)
    if 'flavor' in opts:
        try:
            filters['instance_type_id'] = flavor_obj.Flavor.\
                get_by_flavor_id(ctx, _last_segment(opts.pop('flavor'))).id
        except exception.FlavorNotFound:
            return None, read_deleted
    if 'image' in opts:
        filters['image_ref'] = _last_segment(opts.pop('image'))
    name = opts.pop('name', None) or opts.pop('display_name', None)
    if name:
        filters['name'] = name
    if 'locked' in opts:
        filters['locked'] = common.bool_param(opts.pop('locked'), 'locked')
    # No server has an address in migrator.
    if opts.pop('ip', None) or opts.pop('ip6', None):
        return None, read_deleted
    # Tag filters: comma-separated lists (2.26).
    for param, key in (('tag', 'tags'), ('tag-any', 'tags-any'),
                       ('not-tags', 'not-tags'),
                       ('not-tags-any', 'not-tags-any')):
        value = opts.pop(param, None)
        if value and req.is_version('2.26'):
            filters[key] = [t.strip() for t in value.split(',')
                            if t.strip()]
    for name, column in (('host', 'host'), ('node', 'node'),
                         ('user_id', 'user_id'), ('uuid', 'uuid'),
                         ('vm_state', 'vm_state'),
                         ('task_state', 'task_state'),
                         ('availability_zone', 'availability_zone')):
        if name in opts:
            filters[column] = opts.pop(name)
    if 'power_state' in opts:
        try:
            filters['power_state'] = int(opts.pop('power_state'))
        except ValueError:
            return None, read_deleted
        if not 0 <= filters['power_state'] <= 255:
            # No server has it (and the database cannot compare it).
            return None, read_deleted
    return filters, read_deleted


def _sort(req):
    keys = req.GET.getall('sort_key')
    dirs = req.GET.getall('sort_dir')
    key = keys[0] if keys else 'created_at'
    direction = dirs[0] if dirs else 'desc'
    if key not in _SORT_KEYS:
        raise errors.BadRequest('Invalid sort_key %s: migrator sorts '
                                'servers by %s.'
                                % (key, ', '.join(sorted(_SORT_KEYS))))
    if direction not in ('asc', 'desc'):
        raise errors.BadRequest('Invalid sort_dir %s: asc or desc.'
                                % direction)
    if key in _ADMIN_SORT_KEYS and not policy.check(
            req.context, server_policies.SERVERS % 'allow_all_filters'):
        raise exception.PolicyNotAuthorized(
            action='sort servers by %s' % key)
    return _SORT_KEYS[key], direction


def _list(req, detailed):
    ctx = req.context
    policy.authorize(ctx, server_policies.SERVERS %
                     ('detail' if detailed else 'index'))
    filters, read_deleted = _search_options(req)
    sort_key, sort_dir = _sort(req)
    limit, marker = common.limit_and_marker(req)
    instances = []
    if filters is not None:
        with ctx.temporary_read_deleted(read_deleted):
            try:
                instances = API.list_servers(
                    ctx, filters, sort_key=sort_key, sort_dir=sort_dir,
                    limit=limit, marker=marker,
                    down_records=req.is_version('2.69'))
            except exception.MarkerNotFound:
                raise errors.BadRequest('marker [%s] not found' % marker)
    if detailed:
        perms = views.Permissions(req)
        items = []
        for instance in instances:
            items.append(_detail(req, instance, perms))
    else:
        items = [views.basic(req, i) for i in instances]
    # 2.69: servers of a cell that did not answer, as partial records.
    for mapping in getattr(instances, 'down_records', ()):
        items.append(views.down_cell(req, mapping, detailed))
    body = {'servers': items}
    links = common.next_link(req, 'servers', items, limit,
                             lambda item: item['id'])
    if links:
        body['servers_links'] = links
    return wsgi.json_response(body)


def _detail(req, instance, perms):
    ctx = req.context
    fault = None
    if instance.vm_state == 'error':
        fault = API.get_fault(ctx, instance)
    host_status = None
    if perms.host_status and req.is_version('2.16'):
        from migrator import context as migrator_context
        with migrator_context.target_cell(ctx, instance._cell) as cctxt:
            host_status = API.host_status(cctxt, instance)
    return views.detail(req, instance, perms, fault=fault,
                        host_status=host_status)


@validation.responses(schemas.index_response)
@validation.query(schemas.list_query_v21, '2.1', '2.74')
@validation.query(schemas.list_query_v275, '2.75')
def index(req):
    return _list(req, detailed=False)


@validation.responses(schemas.detail_response)
@validation.query(schemas.list_query_v21, '2.1', '2.74')
@validation.query(schemas.list_query_v275, '2.75')
def detail(req):
    return _list(req, detailed=True)


def _get(req):
    return API.get_server(req.context, req.url_vars['server_id'])


def _target(instance):
    return {'project_id': instance.project_id,
            'user_id': instance.user_id}


@validation.responses(schemas.show_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def show(req):
    try:
        instance = _get(req)
    except exception.CellDown:
        if not req.is_version('2.69'):
            raise
        # 2.69: a server of a cell that does not answer, partially.
        mapping = API.get_mapping(req.context, req.url_vars['server_id'])
        policy.authorize(req.context, server_policies.SERVERS % 'show',
                         {'project_id': mapping.project_id,
                          'user_id': mapping.user_id})
        return wsgi.json_response({'server': views.down_cell(
            req, mapping, detailed=True, show=True)})
    policy.authorize(req.context, server_policies.SERVERS % 'show',
                     _target(instance))
    perms = views.Permissions(req)
    body = _detail(req, instance, perms)
    body.update(views.show_extra(req, instance, perms))
    return wsgi.json_response({'server': body})


def _requested_destination(req, server):
    """(host, node) the caller asked for: 2.74's host and
    hypervisor_hostname, or the older availability_zone 'zone:host:node'
    form; each needs its admin policy."""
    ctx = req.context
    host = server.get('host')
    node = server.get('hypervisor_hostname')
    zone = server.get('availability_zone')
    if host or node:
        policy.authorize(ctx, server_policies.REQUESTED_DESTINATION)
        if zone and ':' in zone:
            raise errors.BadRequest(
                'host and hypervisor_hostname cannot be used with the '
                'availability_zone "zone:host:node" format.')
        return zone, host, node
    if zone and ':' in zone:
        parts = zone.split(':')
        if len(parts) > 3:
            raise errors.BadRequest('Invalid availability_zone %s: '
                                    'expected zone:host[:node].' % zone)
        parts += [None] * (3 - len(parts))
        policy.authorize(ctx, server_policies.SERVERS %
                         'create:forced_host')
        return parts[0] or None, parts[1] or None, parts[2] or None
    return zone, None, None


def _boot_image(server):
    """The image the server boots from: imageRef, or (boot from volume
    in Nova) the image of the boot block device mapping. migrator boots
    every server from an image on a local disk."""
    image_ref = server.get('imageRef')
    if image_ref:
        return _last_segment(image_ref)
    for bdm in server.get('block_device_mapping_v2') or ():
        if bdm.get('source_type') == 'image' and \
                str(bdm.get('boot_index')) == '0':
            return bdm.get('uuid') or bdm.get('image_id')
    raise errors.BadRequest('Missing imageRef attribute')


def _check_block_devices(server):
    if server.get('block_device_mapping'):
        raise errors.BadRequest(
            'block_device_mapping is not supported: migrator boots '
            'servers from an image; attach volumes with '
            'os-volume_attachments once the server is ACTIVE.')
    for bdm in server.get('block_device_mapping_v2') or ():
        if bdm.get('source_type') != 'image' or \
                str(bdm.get('boot_index')) != '0':
            raise errors.BadRequest(
                'Only the boot image may be given in '
                'block_device_mapping_v2 (source_type image, boot_index '
                '0): migrator boots servers from an image; attach '
                'volumes with os-volume_attachments once the server is '
                'ACTIVE.')


def _base64(value, name):
    try:
        base64.b64decode(''.join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.BadRequest('Invalid input for field/attribute %s. '
                                'Value is not valid base64.' % name)


def _hints(body):
    hints = dict(body.get('OS-SCH-HNT:scheduler_hints') or
                 body.get('os:scheduler_hints') or {})
    # Nova keeps every hint as a list of values.
    return {k: (v if isinstance(v, list) else [v])
            for k, v in hints.items()} or None


def _create_attributes(req, body, zone):
    """Instance.server_attributes of a create request."""
    server = body['server']
    if server.get('user_data') is not None:
        _base64(server['user_data'], 'user_data')
    for item in server.get('personality') or ():
        _base64(item.get('contents') or '', 'personality')
    attrs = {
        'access_ip_v4': server.get('accessIPv4'),
        'access_ip_v6': server.get('accessIPv6'),
        'auto_disk_config': server.get('OS-DCF:diskConfig'),
        'key_name': server.get('key_name'),
        'user_data': server.get('user_data'),
        'security_groups': [g['name'] for g in server.get(
            'security_groups') or () if g.get('name')] or ['default'],
        'description': server.get('description'),
        'trusted_image_certificates': server.get(
            'trusted_image_certificates'),
        'hostname': server.get('hostname'),
        'scheduler_hints': _hints(body),
        # Nova pins a server to the zone it was asked for (2.96 shows it).
        'pinned_availability_zone': zone,
    }
    if 'config_drive' in server:
        attrs['config_drive'] = common.bool_param(server['config_drive'],
                                                  'config_drive')
    networks = server.get('networks')
    if isinstance(networks, list) and networks:
        attrs['requested_networks'] = networks
    return attrs


@validation.responses(schemas.create_response, 202)
@validation.body(schemas.create_v21, '2.1', '2.18')
@validation.body(schemas.create_v219, '2.19', '2.31')
@validation.body(schemas.create_v232, '2.32', '2.32')
@validation.body(schemas.create_v233, '2.33', '2.36')
@validation.body(schemas.create_v237, '2.37', '2.41')
@validation.body(schemas.create_v242, '2.42', '2.51')
@validation.body(schemas.create_v252, '2.52', '2.56')
@validation.body(schemas.create_v257, '2.57', '2.62')
@validation.body(schemas.create_v263, '2.63', '2.66')
@validation.body(schemas.create_v267, '2.67', '2.73')
@validation.body(schemas.create_v274, '2.74', '2.89')
@validation.body(schemas.create_v290, '2.90', '2.93')
@validation.body(schemas.create_v294, '2.94')
def create(req):
    ctx = req.context
    policy.authorize(ctx, server_policies.SERVERS % 'create')
    body = req.json()
    server = body['server']
    for name in ('min_count', 'max_count'):
        if int(server.get(name, 1)) != 1:
            raise errors.BadRequest('%s must be 1: migrator creates one '
                                    'server per request.' % name)
    if server.get('return_reservation_id') is not None and \
            common.bool_param(server['return_reservation_id'],
                              'return_reservation_id'):
        raise errors.BadRequest('return_reservation_id is not supported: '
                                'migrator creates one server per request.')
    _check_block_devices(server)
    image_ref = _boot_image(server)
    zone, host, node = _requested_destination(req, server)
    attributes = _create_attributes(req, body, zone)
    try:
        instance = API.create_server(
            ctx, name=server['name'],
            flavorid=_last_segment(server['flavorRef']),
            image_ref=image_ref,
            metadata=server.get('metadata'),
            availability_zone=zone, requested_host=host,
            requested_node=node, attributes=attributes,
            tags=server.get('tags'))
    except (exception.ComputeHostNotFound,
            exception.ComputeNodeNotFound) as exc:
        raise errors.BadRequest(exc.format_message())
    # Nova answers the password it set (or generated); migrator keeps no
    # password and injects none (see the api-ref).
    admin_pass = server.get('adminPass') or secrets.token_urlsafe(9)
    return wsgi.json_response(
        {'server': views.created(req, instance, admin_pass)}, status=202,
        headers=[('Location', req.application_url_for(
            'v2.1', 'servers', instance.uuid))])


def _check_pin(instance, requested):
    """2.104, as Nova: a server is pinned only to the zone it is in, and
    a pinned server is unpinned (null) before it is pinned again."""
    pinned = instance.attribute('pinned_availability_zone')
    if pinned is not None and requested != pinned:
        raise errors.Conflict('Cannot change pinned availability zone '
                              'directly. Unpin first by setting '
                              'pinned_availability_zone to null.')
    current = views.availability_zone(instance)
    if pinned is None and requested != current:
        raise errors.Conflict("Server can only be pinned to its current "
                              "availability zone '%s', but '%s' was "
                              "requested." % (current, requested))


@validation.responses(schemas.update_response)
@validation.body(schemas.update_v21, '2.1', '2.18')
@validation.body(schemas.update_v219, '2.19', '2.89')
@validation.body(schemas.update_v290, '2.90', '2.93')
@validation.body(schemas.update_v294, '2.94', '2.103')
@validation.body(schemas.update_v2104, '2.104')
def update(req):
    ctx = req.context
    instance = _get(req)
    policy.authorize(ctx, server_policies.SERVERS % 'update',
                     _target(instance))
    server = req.json()['server']
    if server.get('pinned_availability_zone') is not None:
        _check_pin(instance, server['pinned_availability_zone'])
    attributes = {}
    for field, key in (('accessIPv4', 'access_ip_v4'),
                       ('accessIPv6', 'access_ip_v6'),
                       ('OS-DCF:diskConfig', 'auto_disk_config'),
                       ('description', 'description'),
                       ('hostname', 'hostname'),
                       ('pinned_availability_zone',
                        'pinned_availability_zone')):
        if field in server:
            attributes[key] = server[field]
    instance = API.update_server(ctx, instance,
                                 display_name=server.get('name'),
                                 attributes=attributes)
    perms = views.Permissions(req)
    body = views.updated(req, _detail(req, instance, perms), instance,
                         perms)
    return wsgi.json_response({'server': body})


@validation.response(None, 204)
def delete(req):
    ctx = req.context
    instance = _get(req)
    policy.authorize(ctx, server_policies.SERVERS % 'delete',
                     _target(instance))
    API.delete_server(ctx, instance.uuid)
    return wsgi.empty_response(204)
