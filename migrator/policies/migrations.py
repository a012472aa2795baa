"""Policies of GET /os-migrations."""
from oslo_policy import policy

from migrator.policies import base

POLICY_ROOT = 'os_compute_api:os-migrations:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'index',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='List migrations.',
        operations=[{'method': 'GET', 'path': '/os-migrations'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'index:all_projects', check_str=base.ADMIN,
        description='List the migrations of every project; without it a '
                    'caller must filter by its own project_id (2.80).',
        operations=[{'method': 'GET', 'path': '/os-migrations'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'index:host', check_str=base.ADMIN,
        description='See source and destination hosts and nodes in '
                    'migrations, and filter by host; others see null host '
                    'fields and their host filters are ignored.',
        operations=[{'method': 'GET', 'path': '/os-migrations'}],
        scope_types=['project']),
]


def list_rules():
    return rules
