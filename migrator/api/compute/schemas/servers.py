"""Request schemas of /servers, per microversion."""
import copy

from migrator.api.schemas import parameter_types
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
