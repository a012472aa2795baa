"""In-code policy defaults, one module per resource.

``list_rules()`` is the ``oslo.policy.policies`` entry point: the sample
generator (``oslopolicy-sample-generator --namespace migrator``) and the
enforcer read every default from here.
"""
import itertools

from migrator.policies import base
from migrator.policies import dashboard
from migrator.policies import flavor_extra_specs
from migrator.policies import flavor_manage
from migrator.policies import flavors
from migrator.policies import hypervisors
from migrator.policies import instance_actions
from migrator.policies import metrics
from migrator.policies import migrate_server
from migrator.policies import migrations
from migrator.policies import server_migrations
from migrator.policies import server_resize
from migrator.policies import servers
from migrator.policies import services
from migrator.policies import volumes
from migrator.policies import volumes_attachments


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        dashboard.list_rules(),
        flavors.list_rules(),
        flavor_manage.list_rules(),
        flavor_extra_specs.list_rules(),
        hypervisors.list_rules(),
        instance_actions.list_rules(),
        metrics.list_rules(),
        migrate_server.list_rules(),
        migrations.list_rules(),
        servers.list_rules(),
        server_migrations.list_rules(),
        server_resize.list_rules(),
        services.list_rules(),
        volumes.list_rules(),
        volumes_attachments.list_rules(),
    ))
