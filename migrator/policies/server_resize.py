"""Policies of the resize, confirmResize and revertResize server actions
(Nova's rule names)."""
from oslo_policy import policy

from migrator.policies import base

RESIZE = 'os_compute_api:servers:resize'
CONFIRM_RESIZE = 'os_compute_api:servers:confirm_resize'
REVERT_RESIZE = 'os_compute_api:servers:revert_resize'
_PATH = '/servers/{server_id}/action (%s)'

rules = [
    policy.DocumentedRuleDefault(
        name=RESIZE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Resize a server to another flavor.',
        operations=[{'method': 'POST', 'path': _PATH % 'resize'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=CONFIRM_RESIZE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Confirm a server\'s resize or cold migration.',
        operations=[{'method': 'POST', 'path': _PATH % 'confirmResize'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=REVERT_RESIZE, check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Revert a server\'s resize or cold migration.',
        operations=[{'method': 'POST', 'path': _PATH % 'revertResize'}],
        scope_types=['project']),
]


def list_rules():
    return rules
