"""migrator's configuration: every option group is registered on import.

Each module below owns one option group; ``opts.list_opts`` exposes them to
oslo-config-generator.
"""
from oslo_config import cfg

from migrator.conf import api
from migrator.conf import base
from migrator.conf import compute
from migrator.conf import conductor
from migrator.conf import database
from migrator.conf import fake_driver
from migrator.conf import libvirt
from migrator.conf import live_migration
from migrator.conf import notifications
from migrator.conf import scheduler
from migrator.conf import transfer
from migrator.conf import upgrade_levels
from migrator.conf import volume

CONF = cfg.CONF

for _module in (base, api, compute, conductor, database, fake_driver,
                libvirt, live_migration, notifications, scheduler,
                transfer, upgrade_levels, volume):
    _module.register_opts(CONF)
