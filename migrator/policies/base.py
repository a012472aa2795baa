"""The base rules every resource's defaults are built from, as in Nova:
personas are the admin, and a project's manager, member and reader."""
from oslo_policy import policy

RULE_ANY = '@'
RULE_NOBODY = '!'

ADMIN = 'rule:context_is_admin'
PROJECT_MANAGER = 'rule:project_manager_api'
PROJECT_MEMBER = 'rule:project_member_api'
PROJECT_READER = 'rule:project_reader_api'
PROJECT_MANAGER_OR_ADMIN = 'rule:project_manager_or_admin'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
SERVICE_ROLE = 'rule:service_api'

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        'Decides what is required for the admin persona.'),
    policy.RuleDefault(
        'project_manager_api', 'role:manager and project_id:%(project_id)s',
        'Default rule for project-manager APIs.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        'Default rule for project-member APIs.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        'Default rule for project-reader APIs.'),
    policy.RuleDefault(
        'project_manager_or_admin',
        'rule:project_manager_api or rule:context_is_admin',
        'Default rule for project-manager-or-admin APIs.'),
    policy.RuleDefault(
        'project_member_or_admin',
        'rule:project_member_api or rule:context_is_admin',
        'Default rule for project-member-or-admin APIs.'),
    policy.RuleDefault(
        'project_reader_or_admin',
        'rule:project_reader_api or rule:context_is_admin',
        'Default rule for project-reader-or-admin APIs.'),
    policy.RuleDefault(
        'service_api', 'role:service',
        'Default rule for service-to-service APIs.'),
]


def list_rules():
    return rules
