"""Policy of GET /metrics (Prometheus metrics of the compute API)."""
from oslo_policy import policy

from migrator.policies import base

METRICS = 'migrator:metrics'

rules = [
    policy.DocumentedRuleDefault(
        name=METRICS, check_str=base.ADMIN,
        description='Scrape the Prometheus metrics of migrations, volume '
                    'migrations and API latency.',
        operations=[{'method': 'GET', 'path': '/metrics'}],
        scope_types=['project']),
]


def list_rules():
    return rules
