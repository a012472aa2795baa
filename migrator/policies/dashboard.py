"""Policy of the dashboard's own JSON (``GET /dashboard/volume-
migrations`` on the compute API)."""
from oslo_policy import policy

from migrator.policies import base

VOLUME_MIGRATIONS = 'migrator:dashboard:volume_migrations'

rules = [
    policy.DocumentedRuleDefault(
        name=VOLUME_MIGRATIONS, check_str=base.ADMIN,
        description='List the volume migrations in flight, with their '
                    'migration_progress, for the dashboard (the compute '
                    'API reads them so that the page needs no second '
                    'origin).',
        operations=[{'method': 'GET',
                     'path': '/dashboard/volume-migrations'}],
        scope_types=['project']),
]


def list_rules():
    return rules
