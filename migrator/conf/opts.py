"""Entry point for oslo-config-generator: every migrator option group."""
import collections

from migrator.conf import api
from migrator.conf import base
from migrator.conf import compute
from migrator.conf import conductor
from migrator.conf import database
from migrator.conf import fake_driver
from migrator.conf import libvirt
from migrator.conf import live_migration
from migrator.conf import notifications
from migrator.conf import privsep
from migrator.conf import scheduler
from migrator.conf import transfer
from migrator.conf import upgrade_levels
from migrator.conf import volume

_MODULES = (base, api, compute, conductor, database, fake_driver, libvirt,
            live_migration, notifications, privsep, scheduler, transfer,
            upgrade_levels, volume)


def list_opts():
    by_group = collections.defaultdict(list)
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            by_group[group].extend(opts)
    return list(by_group.items())


def set_defaults():
    """Defaults of library options that migrator changes."""
