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
        'port': {'type': ['string', 'null']},
        'fixed_ip': {'type': 'string'},
    },
    'additionalProperties': False,
}

_count = parameter_types.positive_integer

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
                'metadata': _metadata,
                'availability_zone': {'type': 'string', 'minLength': 1,
                                      'maxLength': 255},
                'networks': {'type': 'array', 'items': _network_v21},
                'min_count': _count,
                'max_count': _count,
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
    },
    'required': ['server'],
    'additionalProperties': False,
}

create_v237 = copy.deepcopy(create_v21)
_network_v237 = copy.deepcopy(_network_v21)
_network_v237['properties']['uuid'] = validation.uuid
create_v237['properties']['server']['properties']['networks'] = {
    'oneOf': [{'type': 'array', 'items': _network_v237},
              {'type': 'string', 'enum': ['none', 'auto']}]}
create_v237['properties']['server']['required'].append('networks')

create_v274 = copy.deepcopy(create_v237)
create_v274['properties']['server']['properties'].update(
    host=_hostname, hypervisor_hostname=_hostname)

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
