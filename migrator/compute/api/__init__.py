"""What the REST layer asks of the compute side: servers, flavors,
services and compute nodes, across cells.

Every server is found through its instance mapping (API database) and
read or written in its cell's database, even with a single cell, so that
more cells only add rows to ``cell_mappings``. Long work is cast to the
conductor (build) or the server's compute host (delete); this module
never waits on it.
"""
from migrator.compute.api import base
from migrator.compute.api import cold_migration
from migrator.compute.api import flavors
from migrator.compute.api import hosts
from migrator.compute.api import live_migration
from migrator.compute.api import migrations
from migrator.compute.api import servers

COMPUTE_BINARY = base.COMPUTE_BINARY
LIVE_MIGRATE_VM_STATES = base.LIVE_MIGRATE_VM_STATES
LIVE_MIGRATION_ACTION = base.LIVE_MIGRATION_ACTION
default_cell = base.default_cell


class API(flavors.FlavorsMixin, servers.ServersMixin,
          live_migration.LiveMigrationMixin,
          cold_migration.ColdMigrationMixin, migrations.MigrationsMixin,
          hosts.HostsMixin, base.APIBase):
    """The compute API: one object for the handlers, one module per
    resource behind it."""
