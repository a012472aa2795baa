"""Policies of the server actions that move a server to another host
(``os-migrateLive`` and the cold ``migrate``)."""
from oslo_policy import policy

from migrator.policies import base

POLICY_ROOT = 'os_compute_api:os-migrate-server:%s'
ACTION_PATH = '/servers/{server_id}/action (os-migrateLive)'
MIGRATE_PATH = '/servers/{server_id}/action (migrate)'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate_live',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='Live-migrate a server to another host, chosen by the '
                    'scheduler.',
        operations=[{'method': 'POST', 'path': ACTION_PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate_live:host', check_str=base.ADMIN,
        description='Live-migrate a server to a host the caller names '
                    '(the "host" of os-migrateLive).',
        operations=[{'method': 'POST', 'path': ACTION_PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='Cold-migrate a server to another host, chosen by the '
                    'scheduler.',
        operations=[{'method': 'POST', 'path': MIGRATE_PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'migrate:host', check_str=base.ADMIN,
        description='Cold-migrate a server to a host the caller names '
                    '(the "host" of migrate, 2.56 and later).',
        operations=[{'method': 'POST', 'path': MIGRATE_PATH}],
        scope_types=['project']),
]


def list_rules():
    return rules
