"""Policies of /servers/{server_id}/os-instance-actions: what was done to
a server, request by request, and the steps (events) of each."""
from oslo_policy import policy

from migrator.policies import base

BASE_POLICY_NAME = 'os_compute_api:os-instance-actions:%s'
PATH = '/servers/{server_id}/os-instance-actions'

rules = [
    policy.DocumentedRuleDefault(
        name=BASE_POLICY_NAME % 'list',
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the actions recorded for a server.',
        operations=[{'method': 'GET', 'path': PATH}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE_POLICY_NAME % 'show',
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one action of a server.',
        operations=[{'method': 'GET', 'path': PATH + '/{request_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE_POLICY_NAME % 'events', check_str=base.ADMIN,
        description='See the events of an action with their tracebacks '
                    '(at every microversion) and, from 2.62, the host '
                    'each ran on. Others see the events without traceback '
                    'and host from 2.51, and no events before.',
        operations=[{'method': 'GET', 'path': PATH + '/{request_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=BASE_POLICY_NAME % 'events:details', check_str=base.ADMIN,
        description='See the details (the failure message) of each event '
                    '(2.84).',
        operations=[{'method': 'GET', 'path': PATH + '/{request_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
