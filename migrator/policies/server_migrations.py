"""Policies of /servers/{server_id}/migrations (live-migration
progress, the operator's force-complete and abort, and the runtime
controls of 2.107)."""
from oslo_policy import policy

from migrator.policies import base

POLICY_ROOT = 'os_compute_api:servers:migrations:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'show', check_str=base.ADMIN,
        description='Show an in-progress live migration of a server, with '
                    'its progress.',
        operations=[{'method': 'GET',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'index',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='List the in-progress live migrations of a server.',
        operations=[{'method': 'GET',
                     'path': '/servers/{server_id}/migrations'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'index:host', check_str=base.ADMIN,
        description='See the source and destination hosts and nodes in '
                    'the list of a server\'s migrations; others see null.',
        operations=[{'method': 'GET',
                     'path': '/servers/{server_id}/migrations'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'force_complete',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='Force a running live migration to complete (post-copy '
                    'when permitted, otherwise pause the guest until the '
                    'switch-over).',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}/action (force_complete)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'set_max_downtime', check_str=base.ADMIN,
        description='Set the maximum downtime of a running live migration '
                    '(2.107); the downtime steps stop.',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}/action (set_max_downtime)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'set_bandwidth', check_str=base.ADMIN,
        description='Cap the bandwidth of a running live migration '
                    '(2.107; 0 lifts the cap).',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}/action (set_bandwidth)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'switch_to_post_copy', check_str=base.ADMIN,
        description='Switch a running live migration to post-copy '
                    '(2.107; only when post-copy was permitted at its '
                    'start).',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}/action (switch_to_post_copy)'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=POLICY_ROOT % 'delete',
        check_str=base.PROJECT_MANAGER_OR_ADMIN,
        description='Abort a live migration; the server stays on its '
                    'source.',
        operations=[{'method': 'DELETE',
                     'path': '/servers/{server_id}/migrations/'
                             '{migration_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rules
