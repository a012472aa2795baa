"""Request schemas of /servers, per microversion."""
import copy

from migrator.api.schemas import parameter_types
from migrator.api.schemas import response_types as rt
from migrator.api import validation

_hostname = {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': r'^[a-zA-Z0-9-._]*$'}

_metadata = {
    'type': 'object',
    'patternProperties': {
        r'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string',
                                       'maxLength': 255}},
    'additionalProperties': False,
}

_network_v21 = {
    'type': 'object',
    'properties': {
        'uuid': {'type': 'string'},
        'port': {'type': ['string', 'null'], 'format': 'uuid'},
        'fixed_ip': {'type': 'string', 'oneOf': [{'format': 'ipv4'},
                                                 {'format': 'ipv6'}]},
    },
    'additionalProperties': False,
}

_count = parameter_types.positive_integer

# base64 text (user_data, personality contents); whitespace is allowed
# between groups, as Nova's decoder skips it.
_base64 = {'type': 'string',
           'pattern': r'^[A-Za-z0-9+/=\s]*$'}
_user_data = dict(_base64, maxLength=65535)

_tag = {'type': 'string', 'pattern': '^[^,/]*$', 'minLength': 1,
        'maxLength': 60}

_bool = {'type': ['boolean', 'string'],
         'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
                  'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false',
                  '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']}

_legacy_bdm = {
    'type': 'object',
    'properties': {
        'virtual_name': {'type': 'string', 'maxLength': 255},
        'volume_id': validation.uuid,
        'snapshot_id': validation.uuid,
        'volume_size': {'type': ['integer', 'string'],
                        'pattern': '^[0-9]+$', 'minimum': 1},
        'device_name': {'type': 'string', 'minLength': 1,
                        'maxLength': 255, 'pattern': '^[a-zA-Z0-9._/-]*$'},
        'delete_on_termination': _bool,
        'no_device': {},
        'connection_info': {'type': 'string', 'maxLength': 16777215},
    },
    'additionalProperties': False,
}

_bdm_v2 = copy.deepcopy(_legacy_bdm)
_bdm_v2['properties'].update({
    'source_type': {'type': 'string',
                    'enum': ['volume', 'image', 'snapshot', 'blank']},
    'uuid': {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': '^[a-zA-Z0-9._-]*$'},
    'image_id': validation.uuid,
    'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
    'guest_format': {'type': 'string', 'maxLength': 255},
    'device_type': {'type': 'string', 'maxLength': 255},
    'disk_bus': {'type': 'string', 'maxLength': 255},
    'boot_index': {'type': ['integer', 'string', 'null'],
                   'pattern': '^-?[0-9]+$'},
})

_uuid_or_list = {'oneOf': [validation.uuid,
                           {'type': 'array', 'items': validation.uuid}]}

# Scheduler hints: the known ones checked, any other key kept (Nova
# lets out-of-tree filters read their own).
scheduler_hints = {
    'type': 'object',
    'properties': {
        'group': _uuid_or_list,
        'different_host': _uuid_or_list,
        # As Nova's: a list must hold uuids, a single string is any.
        'same_host': {'type': ['string', 'array'],
                      'items': validation.uuid},
        'query': {'type': ['string', 'object']},
        'target_cell': validation.name,
        'different_cell': {'type': ['string', 'array'],
                           'items': {'type': 'string'}},
        'build_near_host_ip': {'type': 'string',
                               'oneOf': [{'format': 'ipv4'},
                                         {'format': 'ipv6'}]},
        'cidr': {'type': 'string', 'pattern': '^/[0-9a-f.:]+$'},
    },
    'additionalProperties': True,
}

create_v21 = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': validation.name,
                'imageRef': {'type': 'string'},
                'flavorRef': {'type': ['string', 'integer'],
                              'minLength': 1},
                'adminPass': {'type': 'string'},
                'metadata': _metadata,
                'networks': {'type': 'array', 'items': _network_v21},
                'OS-DCF:diskConfig': {'type': 'string',
                                      'enum': ['AUTO', 'MANUAL']},
                'accessIPv4': {'type': 'string', 'format': 'ipv4'},
                'accessIPv6': {'type': 'string', 'format': 'ipv6'},
                'personality': {
                    'type': 'array',
                    'items': {
                        'type': 'object',
                        'properties': {'path': {'type': 'string'},
                                       'contents': _base64},
                        'additionalProperties': False,
                    },
                },
                'availability_zone': {'type': 'string', 'minLength': 1,
                                      'maxLength': 255},
                'block_device_mapping': {'type': 'array',
                                         'items': _legacy_bdm},
                'block_device_mapping_v2': {'type': 'array',
                                            'items': _bdm_v2},
                'config_drive': _bool,
                'key_name': validation.name,
                'min_count': _count,
                'max_count': _count,
                'return_reservation_id': _bool,
                'security_groups': {
                    'type': 'array',
                    'items': {
                        'type': 'object',
                        'properties': {'name': validation.name},
                        'additionalProperties': False,
                    },
                },
                'user_data': _user_data,
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
        'os:scheduler_hints': scheduler_hints,
        'OS-SCH-HNT:scheduler_hints': scheduler_hints,
    },
    'required': ['server'],
    'additionalProperties': False,
}


def _server(schema):
    return schema['properties']['server']['properties']


create_v219 = copy.deepcopy(create_v21)
_server(create_v219)['description'] = {
    'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255}

# 2.32 only: tags on networks and block device mappings (2.33 - 2.41
# keep the network tag only; 2.42 brings both back).
create_v232 = copy.deepcopy(create_v219)
_server(create_v232)['networks']['items']['properties']['tag'] = _tag
_server(create_v232)['block_device_mapping_v2']['items'][
    'properties']['tag'] = _tag

create_v233 = copy.deepcopy(create_v219)
_server(create_v233)['networks']['items']['properties']['tag'] = _tag

create_v237 = copy.deepcopy(create_v233)
_network_v237 = copy.deepcopy(_network_v21)
_network_v237['properties']['uuid'] = validation.uuid
_server(create_v237)['networks'] = {
    'oneOf': [{'type': 'array', 'items': _network_v237},
              {'type': 'string', 'enum': ['none', 'auto']}]}
create_v237['properties']['server']['required'].append('networks')

create_v242 = copy.deepcopy(create_v237)
_server(create_v242)['networks']['oneOf'][0]['items'][
    'properties']['tag'] = _tag
_server(create_v242)['block_device_mapping_v2']['items'][
    'properties']['tag'] = _tag

create_v252 = copy.deepcopy(create_v242)
_server(create_v252)['tags'] = {'type': 'array', 'items': _tag,
                                'maxItems': 50}

create_v257 = copy.deepcopy(create_v252)
del _server(create_v257)['personality']

create_v263 = copy.deepcopy(create_v257)
_server(create_v263)['trusted_image_certificates'] = {
    'type': ['array', 'null'], 'minItems': 1, 'maxItems': 50,
    'uniqueItems': True, 'items': {'type': 'string', 'minLength': 1}}

create_v267 = copy.deepcopy(create_v263)
_server(create_v267)['block_device_mapping_v2']['items'][
    'properties']['volume_type'] = {'type': ['string', 'null'],
                                    'minLength': 0, 'maxLength': 255}

create_v274 = copy.deepcopy(create_v267)
_server(create_v274).update(host=_hostname, hypervisor_hostname=_hostname)

# 2.90: a hostname (RFC 952 label); 2.94: a fully qualified name.
_short_hostname = {'type': 'string', 'minLength': 2, 'maxLength': 63,
                   'pattern': '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'}
create_v290 = copy.deepcopy(create_v274)
_server(create_v290)['hostname'] = _short_hostname

create_v294 = copy.deepcopy(create_v290)
_server(create_v294)['hostname'] = _hostname

# PUT /servers/{id}
update_v21 = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': validation.name,
                'OS-DCF:diskConfig': {'type': 'string',
                                      'enum': ['AUTO', 'MANUAL']},
                'accessIPv4': {'type': 'string', 'format': 'ipv4'},
                'accessIPv6': {'type': 'string', 'format': 'ipv6'},
            },
            'additionalProperties': False,
        },
    },
    'required': ['server'],
    'additionalProperties': False,
}
update_v219 = copy.deepcopy(update_v21)
_server(update_v219)['description'] = _server(create_v219)['description']
update_v290 = copy.deepcopy(update_v219)
_server(update_v290)['hostname'] = _short_hostname
update_v294 = copy.deepcopy(update_v290)
_server(update_v294)['hostname'] = _hostname
update_v2104 = copy.deepcopy(update_v294)
_server(update_v2104)['pinned_availability_zone'] = {
    'oneOf': [{'type': 'string', 'minLength': 1, 'maxLength': 255},
              {'type': 'null'}]}

# Query parameters of GET /servers and /servers/detail. Below 2.75
# unknown parameters are ignored; from 2.75 they are a 400.
_any = validation.multi({'type': 'string'})
_QUERY_NAMES = (
    'user_id', 'project_id', 'tenant_id', 'launch_index', 'image_ref',
    'image', 'kernel_id', 'ramdisk_id', 'hostname', 'key_name',
    'power_state', 'vm_state', 'task_state', 'host', 'node', 'flavor',
    'reservation_id', 'launched_at', 'terminated_at', 'availability_zone',
    'name', 'display_name', 'description', 'created_at', 'updated_at',
    'config_drive', 'access_ip_v4', 'access_ip_v6', 'auto_disk_config',
    'progress', 'sort_key', 'sort_dir', 'all_tenants', 'soft_deleted',
    'deleted', 'status', 'changes-since', 'ip', 'ip6', 'tag', 'tag-any',
    'not-tags', 'not-tags-any', 'limit', 'marker', 'uuid',
    'root_device_name', 'changes-before', 'locked')

list_query_v21 = {
    'type': 'object',
    'properties': {name: _any for name in _QUERY_NAMES},
    'additionalProperties': True,
}
list_query_v275 = copy.deepcopy(list_query_v21)
list_query_v275['additionalProperties'] = False


# -- Response bodies --------------------------------------------------------

_fault = rt.obj({'code': rt.integer, 'message': rt.string,
                 'created': rt.nullable_time, 'details': rt.string},
                optional=('details',))
_EXTENDED = {  # the admin attributes (policy): never required
    'OS-EXT-SRV-ATTR:host': rt.nullable_string,
    'OS-EXT-SRV-ATTR:hypervisor_hostname': rt.nullable_string,
    'OS-EXT-SRV-ATTR:instance_name': rt.string,
}
_EXTENDED_V23 = {
    'OS-EXT-SRV-ATTR:reservation_id': rt.string,
    'OS-EXT-SRV-ATTR:launch_index': rt.integer,
    'OS-EXT-SRV-ATTR:kernel_id': rt.string,
    'OS-EXT-SRV-ATTR:ramdisk_id': rt.string,
    'OS-EXT-SRV-ATTR:hostname': rt.string,
    'OS-EXT-SRV-ATTR:root_device_name': rt.nullable_string,
    'OS-EXT-SRV-ATTR:user_data': rt.nullable_string,
}
# (since, key, schema, required): the keys microversions add.
_ADDED = (
    ('2.9', 'locked', rt.boolean, True),
    ('2.16', 'host_status', rt.string, False),
    ('2.19', 'description', rt.nullable_string, True),
    ('2.26', 'tags', rt.array(rt.string), True),
    ('2.63', 'trusted_image_certificates',
     {'type': ['array', 'null'], 'items': rt.string}, True),
    ('2.73', 'locked_reason', rt.nullable_string, True),
    ('2.90', 'OS-EXT-SRV-ATTR:hostname', rt.string, True),
    ('2.96', 'pinned_availability_zone', rt.nullable_string, True),
    ('2.100', 'scheduler_hints', {'type': 'object'}, True),
)
_bookmark = rt.array(rt.obj({'rel': rt.string, 'href': rt.string}))


def _flavor(version):
    if not rt.at_least(version, '2.47'):
        shape = rt.obj({'id': rt.string, 'links': _bookmark})
    else:
        shape = rt.obj({'vcpus': rt.integer, 'ram': rt.integer,
                        'disk': rt.integer, 'ephemeral': rt.integer,
                        'swap': rt.integer, 'original_name': rt.string,
                        'extra_specs': rt.string_map},
                       optional=('extra_specs',))
    # {} for a server whose flavor is gone.
    return {'anyOf': [shape, rt.obj({})]}


def _image(version):
    properties = {'id': rt.string, 'links': _bookmark}
    if rt.at_least(version, '2.98'):
        properties['properties'] = {'type': 'object'}
    # '' for a server booted from a volume.
    return {'anyOf': [rt.obj(properties),
                      {'type': 'string', 'enum': ['']}]}


def server_detail(version, show=False):
    """A server of GET /servers/detail (``show``: GET /servers/{id})."""
    properties = {
        'id': rt.string, 'name': rt.string, 'links': rt.links,
        'status': rt.string, 'tenant_id': rt.nullable_string,
        'user_id': rt.nullable_string, 'metadata': rt.string_map,
        'hostId': rt.string, 'image': _image(version),
        'flavor': _flavor(version), 'created': rt.nullable_time,
        'updated': rt.nullable_time, 'addresses': {'type': 'object'},
        'accessIPv4': rt.nullable_string, 'accessIPv6': rt.nullable_string,
        'progress': rt.integer, 'key_name': rt.nullable_string,
        'config_drive': rt.string, 'OS-DCF:diskConfig': rt.string,
        'security_groups': rt.array(rt.obj({'name': rt.string})),
        'OS-EXT-AZ:availability_zone': rt.string,
        'OS-EXT-STS:vm_state': rt.nullable_string,
        'OS-EXT-STS:task_state': rt.nullable_string,
        'OS-EXT-STS:power_state': rt.integer,
        'OS-SRV-USG:launched_at': rt.nullable_time,
        'OS-SRV-USG:terminated_at': rt.nullable_time,
        'os-extended-volumes:volumes_attached': rt.array(
            {'type': 'object'}),
        'fault': _fault,
    }
    optional = ['fault'] + list(_EXTENDED)
    properties.update(_EXTENDED)
    if rt.at_least(version, '2.3'):
        properties.update(_EXTENDED_V23)
        optional += list(_EXTENDED_V23)
    for since, key, schema, required in _ADDED:
        if rt.at_least(version, since):
            properties[key] = schema
            if not required:
                optional.append(key)
            elif key in optional:
                optional.remove(key)
    if show and rt.at_least(version, '2.71'):
        properties['server_groups'] = rt.array(rt.string)
    return rt.obj(properties, optional=optional)


def _down_cell(detailed, show=False):
    """A server of a cell that did not answer (2.69)."""
    properties = {'id': rt.string, 'status': rt.string, 'links': rt.links}
    if detailed:
        properties.update({'tenant_id': rt.nullable_string,
                           'created': rt.nullable_time})
    if show:
        properties['user_id'] = rt.nullable_string
    return rt.obj(properties)


_CHANGES = ('2.3', '2.9', '2.16', '2.19', '2.26', '2.47', '2.63', '2.69',
            '2.71', '2.73', '2.75', '2.90', '2.96', '2.98', '2.100')


def _maybe_down(version, schema, detailed, show=False):
    if not rt.at_least(version, '2.69'):
        return schema
    return {'anyOf': [schema, _down_cell(detailed, show)]}


_basic = rt.obj({'id': rt.string, 'name': rt.string, 'links': rt.links})
index_response = [
    (rt.obj({'servers': rt.array(_maybe_down(low, _basic, False)),
             'servers_links': rt.links}, optional=('servers_links',)),
     low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]
detail_response = [
    (rt.obj({'servers': rt.array(_maybe_down(
        low, server_detail(low), True)), 'servers_links': rt.links},
        optional=('servers_links',)), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]
show_response = [
    (rt.obj({'server': _maybe_down(low, server_detail(low, True), True,
                                   True)}), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES)]


def _updated(version):
    body = server_detail(version, show=True)
    if rt.at_least(version, '2.75'):
        return body
    # Below 2.75 the answer leaves the admin and extension attributes
    # out (views.servers._UPDATE_KEYS).
    kept = {'id', 'name', 'status', 'tenant_id', 'user_id', 'metadata',
            'hostId', 'image', 'flavor', 'created', 'updated',
            'addresses', 'accessIPv4', 'accessIPv6', 'links',
            'OS-DCF:diskConfig', 'progress', 'fault', 'locked',
            'description', 'tags', 'trusted_image_certificates',
            'server_groups', 'locked_reason'}
    return rt.without(body, *(set(body['properties']) - kept))


update_response = [(rt.obj({'server': _updated(low)}), low, high)
                   for _, low, high in rt.per_version(lambda v: None,
                                                      _CHANGES)]
create_response = [(rt.obj({'server': rt.obj({
    'id': rt.string, 'links': rt.links, 'OS-DCF:diskConfig': rt.string,
    'security_groups': rt.array(rt.obj({'name': rt.string})),
    'adminPass': rt.string})}), None, None)]
