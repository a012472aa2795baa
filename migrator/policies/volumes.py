"""Block storage policies, with Cinder's rule names and defaults for what
migrator serves, and migrator's rule for migration_progress (3.72)."""
from oslo_policy import policy

from migrator.policies import base

CREATE = 'volume:create'
GET = 'volume:get'
GET_ALL = 'volume:get_all'
DELETE = 'volume:delete'
ALL_TENANTS = 'volume:get_all:all_tenants'
MIGRATE = 'volume_extension:volume_admin_actions:migrate_volume'
MIGRATE_COMPLETION = \
    'volume_extension:volume_admin_actions:migrate_volume_completion'
HOST_ATTRIBUTE = 'volume_extension:volume_host_attribute'
MIG_STATUS_ATTRIBUTE = 'volume_extension:volume_mig_status_attribute'
TENANT_ATTRIBUTE = 'volume_extension:volume_tenant_attribute'
MIGRATION_PROGRESS = 'volume_extension:volume_migration_progress'
SERVICES_INDEX = 'volume_extension:services:index'

_VOLUME = '/volumes/{volume_id}'
_ACTION = '/volumes/{volume_id}/action'

rules = [
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Create a volume.',
        operations=[{'method': 'POST', 'path': '/volumes'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET, check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show a volume.',
        operations=[{'method': 'GET', 'path': _VOLUME}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_ALL, check_str=base.PROJECT_READER_OR_ADMIN,
        description='List volumes, with or without details.',
        operations=[{'method': 'GET', 'path': '/volumes'},
                    {'method': 'GET', 'path': '/volumes/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=ALL_TENANTS, check_str=base.ADMIN,
        description='List the volumes of every project (all_tenants=1).',
        operations=[{'method': 'GET', 'path': '/volumes?all_tenants=1'},
                    {'method': 'GET',
                     'path': '/volumes/detail?all_tenants=1'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Delete a volume.',
        operations=[{'method': 'DELETE', 'path': _VOLUME}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MIGRATE, check_str=base.ADMIN,
        description='Migrate a volume to another backend or host '
                    '(os-migrate_volume).',
        operations=[{'method': 'POST', 'path': _ACTION}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MIGRATE_COMPLETION, check_str=base.ADMIN,
        description='Complete a volume migration '
                    '(os-migrate_volume_completion).',
        operations=[{'method': 'POST', 'path': _ACTION}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=HOST_ATTRIBUTE, check_str=base.ADMIN,
        description='Show os-vol-host-attr:host in volume details.',
        operations=[{'method': 'GET', 'path': _VOLUME},
                    {'method': 'GET', 'path': '/volumes/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MIG_STATUS_ATTRIBUTE, check_str=base.ADMIN,
        description='Show migration_status, '
                    'os-vol-mig-status-attr:migstat and '
                    'os-vol-mig-status-attr:name_id in volume details.',
        operations=[{'method': 'GET', 'path': _VOLUME},
                    {'method': 'GET', 'path': '/volumes/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=TENANT_ATTRIBUTE, check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show os-vol-tenant-attr:tenant_id in volume '
                    'details.',
        operations=[{'method': 'GET', 'path': _VOLUME},
                    {'method': 'GET', 'path': '/volumes/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=MIGRATION_PROGRESS, check_str=base.ADMIN,
        description='Show migration_progress (microversion 3.72) in the '
                    'details of a migrating volume; it is asked of the '
                    'service that copies the data.',
        operations=[{'method': 'GET', 'path': _VOLUME},
                    {'method': 'GET', 'path': '/volumes/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SERVICES_INDEX, check_str=base.ADMIN,
        description='List the block storage services.',
        operations=[{'method': 'GET', 'path': '/os-services'}],
        scope_types=['project']),
]


def list_rules():
    return rules
