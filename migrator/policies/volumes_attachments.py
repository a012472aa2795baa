"""Policies of /servers/{server_id}/os-volume_attachments (Nova's names;
swap is for the service role or an admin)."""
from oslo_policy import policy

from migrator.policies import base

BASE = 'os_compute_api:os-volumes-attachments:%s'
INDEX = BASE % 'index'
SHOW = BASE % 'show'
CREATE = BASE % 'create'
UPDATE = BASE % 'update'
SWAP = BASE % 'swap'
DELETE = BASE % 'delete'

_PATH = '/servers/{server_id}/os-volume_attachments'

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX, check_str=base.PROJECT_READER_OR_ADMIN,
        description="List a server's volume attachments.",
        operations=[{'method': 'GET', 'path': _PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SHOW, check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show a volume attachment.',
        operations=[{'method': 'GET', 'path': _PATH + '/{volume_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=CREATE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Attach a volume to a server.',
        operations=[{'method': 'POST', 'path': _PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description="Update an attachment's delete_on_termination (2.85) "
                    'without swapping.',
        operations=[{'method': 'PUT', 'path': _PATH + '/{volume_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=SWAP, check_str='rule:service_api or rule:context_is_admin',
        description='Swap an attached volume for another while the server '
                    'runs.',
        operations=[{'method': 'PUT', 'path': _PATH + '/{volume_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Detach a volume from a server.',
        operations=[{'method': 'DELETE', 'path': _PATH + '/{volume_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
