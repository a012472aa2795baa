from oslo_policy import policy

from migrator.policies import base

BASE = 'os_compute_api:flavors'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE, check_str=base.RULE_ANY,
        description='List flavors and show one flavor.',
        operations=[{'method': 'GET', 'path': '/flavors'},
                    {'method': 'GET', 'path': '/flavors/detail'},
                    {'method': 'GET', 'path': '/flavors/{flavor_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='os_compute_api:os-flavor-access', check_str=base.ADMIN,
        description='List private flavors too (is_public=none).',
        operations=[{'method': 'GET', 'path': '/flavors'},
                    {'method': 'GET', 'path': '/flavors/detail'}],
        scope_types=['project']),
]


def list_rules():
    return rules
