from oslo_policy import policy

from migrator.policies import base

SERVERS = 'os_compute_api:servers:%s'
EXTENDED_ATTRIBUTES = 'os_compute_api:os-extended-server-attributes'
REQUESTED_DESTINATION = 'compute:servers:create:requested_destination'

rules = [
    policy.DocumentedRuleDefault(
        name=SERVERS % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List servers.',
        operations=[{'method': 'GET', 'path': '/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'detail', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List servers with details.',
        operations=[{'method': 'GET', 'path': '/servers/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'index:get_all_tenants', check_str=base.ADMIN,
        description='List servers of every project (all_tenants).',
        operations=[{'method': 'GET', 'path': '/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'detail:get_all_tenants', check_str=base.ADMIN,
        description='List servers of every project with details '
                    '(all_tenants).',
        operations=[{'method': 'GET', 'path': '/servers/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'allow_all_filters', check_str=base.ADMIN,
        description='Use every filter when listing servers; others are '
                    'limited to the filters Nova allows non-admins.',
        operations=[{'method': 'GET', 'path': '/servers'},
                    {'method': 'GET', 'path': '/servers/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show a server.',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'show:host_status', check_str=base.ADMIN,
        description='Show host_status in server views (2.16).',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}'},
                    {'method': 'GET', 'path': '/servers/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'create', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Create a server.',
        operations=[{'method': 'POST', 'path': '/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'create:forced_host', check_str=base.ADMIN,
        description='Create a server on a host given as '
                    'availability_zone "zone:host[:node]".',
        operations=[{'method': 'POST', 'path': '/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=REQUESTED_DESTINATION, check_str=base.ADMIN,
        description='Create a server on a requested host and/or '
                    'hypervisor_hostname (2.74).',
        operations=[{'method': 'POST', 'path': '/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'update', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Update a server (name, description, hostname, '
                    'access addresses, pinned availability zone).',
        operations=[{'method': 'PUT', 'path': '/servers/{server_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVERS % 'delete', check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Delete a server.',
        operations=[{'method': 'DELETE', 'path': '/servers/{server_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=EXTENDED_ATTRIBUTES, check_str=base.ADMIN,
        description='Show the OS-EXT-SRV-ATTR:* attributes (host, '
                    'hypervisor_hostname, instance_name, ...) of servers.',
        operations=[{'method': 'GET', 'path': '/servers/{server_id}'},
                    {'method': 'GET', 'path': '/servers/detail'}],
        scope_types=['project']),
]


def list_rules():
    return rules
