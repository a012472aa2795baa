"""The embedded default's state: one directory holding the SQLite files of
the API database, cell0 and cell1, created and seeded on first start.

Everything here is idempotent, so a restart on the same state path finds
its servers, flavors and migrations where it left them.
"""
import os

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from migrator import context as migrator_context
from migrator.db import migration as db_migration
from migrator import exception
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import host_mapping as host_mapping_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CELL1_NAME = 'cell1'

# The embedded volume service: two file backends and a driver-assisted
# one with two pools (issue 9), volumes under <state>/volumes/<backend>.
VOLUME_HOST = 'volume1'
VOLUME_BACKENDS = (('file1', 'file', ()), ('file2', 'file', ()),
                   ('assisted', 'driver-assisted', ('pool-a', 'pool-b')))
# A second volume service (another host) with one file backend, so that
# a volume can migrate between volume services out of the box; its
# backend is not in enabled_backends (those are volume1's).
SECOND_VOLUME_HOST = 'volume2'
SECOND_VOLUME_BACKEND = 'file3'

# Nova's classic flavors, so that the usual examples work as printed.
DEFAULT_FLAVORS = (
    ('1', 'm1.tiny', 512, 1, 1),
    ('2', 'm1.small', 2048, 1, 20),
    ('3', 'm1.medium', 4096, 2, 40),
    ('4', 'm1.large', 8192, 4, 80),
    ('5', 'm1.xlarge', 16384, 8, 160),
)

# Seed 003: flavors with persistent memory (hw:pmem), the second one to
# resize to, and each simulated host's namespaces, small enough to copy
# in seconds: (flavorid, name, ram, vcpus, disk, hw:pmem).
PMEM_FLAVORS = (
    ('6', 'pmem.small', 1024, 1, 10, '256M'),
    ('7', 'pmem.medium', 2048, 2, 20, '512M'),
)
PMEM_NAMESPACES = ['256M:pmem0|pmem1', '512M:pmem2|pmem3']
# PMEM copies are throttled so that their progress can be watched (a
# 256 MiB namespace takes about 4 s); [transfer] rate_limit changes it.
PMEM_COPY_RATE = 64 * 1024 * 1024


def sqlite_url(state_path, name):
    return 'sqlite:///%s' % os.path.join(os.path.abspath(state_path),
                                         '%s.sqlite' % name)


def configure(state_path):
    """Point the databases and message queue at the state directory,
    unless a config file already chose them."""
    os.makedirs(state_path, exist_ok=True)
    CONF.set_default('state_path', os.path.abspath(state_path))
    CONF.set_default('connection', sqlite_url(state_path, 'migrator_api'),
                     group='api_database')
    CONF.set_default('connection', sqlite_url(state_path, 'migrator'),
                     group='database')
    # oslo.messaging's in-process transport: no broker needed.
    CONF.set_default('transport_url', 'fake:/')
    CONF.set_default('auth_strategy', 'noauth2', group='api')
    # Every simulated host gets file-backed PMEM namespaces.
    CONF.set_default('pmem_namespaces', PMEM_NAMESPACES, group='libvirt')
    CONF.set_default('rate_limit', PMEM_COPY_RATE, group='transfer')
    configure_volume_backends()


def configure_volume_backends():
    """Default backends of the embedded volume service (a config file
    may name others)."""
    from migrator.conf import volume as volume_conf
    CONF.set_default('enabled_backends',
                     [name for name, _driver, _pools in VOLUME_BACKENDS])
    for name, driver, pools in VOLUME_BACKENDS:
        volume_conf.register_backend_opts(CONF, name)
        CONF.set_default('volume_driver', driver, group=name)
        if pools:
            CONF.set_default('pools', list(pools), group=name)
        if driver == 'driver-assisted':
            # As slow as a copy, so that "driver-assisted" can be seen.
            CONF.set_default('array_move_rate_mib', 128, group=name)
    volume_conf.register_backend_opts(CONF, SECOND_VOLUME_BACKEND)
    for name in CONF.enabled_backends:
        volume_conf.register_backend_opts(CONF, name)
    # A host-assisted copy of a 1 GiB volume takes some 8 s, so that its
    # progress can be watched; [volume] copy_rate_limit_mib = 0 lifts it.
    CONF.set_default('copy_rate_limit_mib', 128, group='volume')


def second_volume_service():
    """migrator-all's volume service ``volume2`` with backend ``file3``
    (volumes under <state>/volumes/file3)."""
    from migrator.volume import backends as volume_backends
    from migrator.volume import manager as volume_manager
    from migrator.volume import service as volume_service
    backend = volume_backends.load(CONF, SECOND_VOLUME_HOST,
                                   SECOND_VOLUME_BACKEND)
    return volume_service.VolumeService(
        SECOND_VOLUME_HOST, manager=volume_manager.VolumeManager(
            SECOND_VOLUME_HOST, backends=[backend]))


def prepare_databases(compute_hosts):
    """Create or upgrade the schemas, map cell0/cell1 and the hosts, and
    seed the default flavors once. Returns the cell1 mapping."""
    cell0_url = sqlite_url(CONF.state_path, 'migrator_cell0')
    db_migration.db_sync('api')
    db_migration.db_sync('main')
    db_migration.db_sync('main', cell0_url)
    cell1 = prepare_cells_and_hosts(compute_hosts, cell0_url)
    seed_flavors(migrator_context.get_admin_context())
    seed_pmem_flavors(migrator_context.get_admin_context())
    return cell1


def prepare_cells_and_hosts(compute_hosts, cell0_url=None):
    """Map cell0 (when its database is given), the cell of
    [database] connection, and each compute host into it."""
    ctxt = migrator_context.get_admin_context()
    cells = {c.uuid: c for c in cell_obj.CellMappingList.get_all(ctxt)}
    if cell0_url and cell_obj.CELL0_UUID not in cells:
        cell_obj.CellMapping(ctxt, uuid=cell_obj.CELL0_UUID, name='cell0',
                             transport_url='none:///',
                             database_connection=cell0_url).create()
    cell1 = next((c for c in cells.values()
                  if c.database_connection == CONF.database.connection),
                 None)
    if cell1 is None:
        cell1 = cell_obj.CellMapping(
            ctxt, uuid=uuidutils.generate_uuid(), name=CELL1_NAME,
            transport_url=CONF.transport_url,
            database_connection=CONF.database.connection)
        cell1.create()
    for host in compute_hosts:
        try:
            host_mapping_obj.HostMapping(ctxt, host=host,
                                         cell_mapping=cell1).create()
        except exception.HostMappingExists:
            pass
    return cell1


def seed_flavors(ctxt):
    if len(flavor_obj.FlavorList.get_all(ctxt, is_public=None)):
        return
    for flavorid, name, ram, vcpus, disk in DEFAULT_FLAVORS:
        flavor_obj.Flavor(ctxt, flavorid=flavorid, name=name,
                          memory_mb=ram, vcpus=vcpus, root_gb=disk,
                          ephemeral_gb=0, swap=0, is_public=True).create()
    LOG.info('Seeded the default flavors m1.tiny .. m1.xlarge')


def seed_pmem_flavors(ctxt):
    """Add the PMEM flavors unless a flavor of that name exists."""
    for flavorid, name, ram, vcpus, disk, pmem in PMEM_FLAVORS:
        try:
            flavor_obj.Flavor.get_by_name(ctxt, name)
            continue
        except exception.FlavorNotFound:
            pass
        try:
            flavor_obj.Flavor(ctxt, flavorid=flavorid, name=name,
                              memory_mb=ram, vcpus=vcpus, root_gb=disk,
                              ephemeral_gb=0, swap=0, is_public=True,
                              extra_specs={'hw:pmem': pmem}).create()
        except exception.FlavorExists:
            LOG.warning('Flavor id %s is taken: PMEM flavor %s not seeded',
                        flavorid, name)
            continue
        LOG.info('Seeded PMEM flavor %s (hw:pmem=%s)', name, pmem)


def extra_cell_hosts(number, computes):
    """The compute hosts of cell ``number`` (2 and up)."""
    return ['cell%d-compute%d' % (number, n) for n in range(1, computes + 1)]


def prepare_extra_cells(count, computes):
    """Cells 2 .. ``count`` (``migrator-all --cells``): each its own
    SQLite file (migrator_cell<N>.sqlite) and in-process message queue
    (fake:/cell<N>), mapped with its compute hosts. Idempotent. Returns
    [(cell mapping, its hosts)]."""
    ctxt = migrator_context.get_admin_context()
    known = {c.name: c for c in cell_obj.CellMappingList.get_all(ctxt)}
    cells = []
    for number in range(2, count + 1):
        name = 'cell%d' % number
        url = sqlite_url(CONF.state_path, 'migrator_%s' % name)
        db_migration.db_sync('main', url)
        cell = known.get(name)
        if cell is None:
            cell = cell_obj.CellMapping(
                ctxt, uuid=uuidutils.generate_uuid(), name=name,
                transport_url='fake:/%s' % name, database_connection=url)
            cell.create()
        hosts = extra_cell_hosts(number, computes)
        for host in hosts:
            try:
                host_mapping_obj.HostMapping(ctxt, host=host,
                                             cell_mapping=cell).create()
            except exception.HostMappingExists:
                pass
        cells.append((cell, hosts))
    return cells
