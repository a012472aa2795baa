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
]


def list_rules():
    return rules
