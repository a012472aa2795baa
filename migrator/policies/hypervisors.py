from oslo_policy import policy

from migrator.policies import base

BASE = 'os_compute_api:os-hypervisors:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'list', check_str=base.ADMIN,
        description='List hypervisors.',
        operations=[{'method': 'GET', 'path': '/os-hypervisors'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'list-detail', check_str=base.ADMIN,
        description='List hypervisors with details.',
        operations=[{'method': 'GET', 'path': '/os-hypervisors/detail'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.ADMIN,
        description='Show one hypervisor.',
        operations=[{'method': 'GET',
                     'path': '/os-hypervisors/{hypervisor_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'statistics', check_str=base.ADMIN,
        description='Show summed hypervisor usage (below 2.88).',
        operations=[{'method': 'GET',
                     'path': '/os-hypervisors/statistics'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'search', check_str=base.ADMIN,
        description='Search hypervisors by hostname pattern (below 2.53).',
        operations=[{'method': 'GET',
                     'path': '/os-hypervisors/{pattern}/search'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'servers', check_str=base.ADMIN,
        description='List the servers of hypervisors matching a hostname '
                    'pattern (below 2.53).',
        operations=[{'method': 'GET',
                     'path': '/os-hypervisors/{pattern}/servers'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'uptime', check_str=base.ADMIN,
        description='Show a hypervisor uptime (below 2.88).',
        operations=[{'method': 'GET',
                     'path': '/os-hypervisors/{hypervisor_id}/uptime'}],
        scope_types=['project']),
]


def list_rules():
    return rules
