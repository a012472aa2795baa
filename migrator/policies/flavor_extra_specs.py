from oslo_policy import policy

from migrator.policies import base

BASE = 'os_compute_api:os-flavor-extra-specs:%s'
PATH = '/flavors/{flavor_id}/os-extra_specs'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE % 'index', check_str=base.PROJECT_READER_OR_ADMIN,
        description='List a flavor\'s extra specs; also decides whether '
                    'flavor and server views embed them.',
        operations=[{'method': 'GET', 'path': PATH},
                    {'method': 'GET', 'path': '/flavors/detail'},
                    {'method': 'GET', 'path': '/flavors/{flavor_id}'},
                    {'method': 'GET', 'path': '/servers/detail'},
                    {'method': 'GET', 'path': '/servers/{server_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'show', check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one extra spec of a flavor.',
        operations=[{'method': 'GET', 'path': PATH + '/{key}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'create', check_str=base.ADMIN,
        description='Add or replace extra specs of a flavor.',
        operations=[{'method': 'POST', 'path': PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'update', check_str=base.ADMIN,
        description='Set one extra spec of a flavor.',
        operations=[{'method': 'PUT', 'path': PATH + '/{key}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE % 'delete', check_str=base.ADMIN,
        description='Delete one extra spec of a flavor.',
        operations=[{'method': 'DELETE', 'path': PATH + '/{key}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
