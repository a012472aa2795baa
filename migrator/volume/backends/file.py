"""The file backend: each volume is a raw file of its size (sparse when
created) under ``volumes_dir/<pool>/volume-<id>``.

It knows no RPC and no database: the manager gives it the volume's name
(``Volume.name``), size and pool, and it answers with paths. The name
comes from a record (``name_id``): ``path`` refuses one that is not a
plain file name or would lead outside ``volumes_dir`` (``UnsafePath``),
so nothing outside it is ever created, copied or deleted.
"""
import os

from oslo_log import log as logging

from migrator import exception
from migrator import safe_path

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3


class FileBackend:
    #: Whether the backend moves volumes between its pools itself.
    driver_assisted = False
    driver_name = 'file'

    def __init__(self, conf, host, section, opts):
        self.host = host
        self.section = section
        self.name = opts.volume_backend_name or section
        self.pools = list(opts.pools) or [self.name]
        self.capacity_gb = opts.capacity_gb
        self.directory = opts.volumes_dir or os.path.join(
            conf.state_path, 'volumes', section)

    # -- naming -----------------------------------------------------------
    @property
    def service_host(self):
        """This backend's 'host@backend', as os-services lists it."""
        return '%s@%s' % (self.host, self.section)

    def host_string(self, pool=None):
        """Cinder's 'host@backend#pool' of a volume in ``pool``."""
        return '%s#%s' % (self.service_host, pool or self.pools[0])

    def has_pool(self, pool):
        return pool in self.pools

    def path(self, name, pool):
        what = 'volume %s on %s' % (name, self.service_host)
        safe_path.plain_name(name, what)
        safe_path.plain_name(pool, what)
        return safe_path.inside(os.path.join(self.directory, pool, name),
                                [self.directory], what)

    # -- lifecycle --------------------------------------------------------
    def start(self):
        for pool in self.pools:
            os.makedirs(os.path.join(self.directory, pool), exist_ok=True)
        LOG.info('Volume backend %s (%s): pools %s under %s',
                 self.service_host, self.driver_name,
                 ', '.join(self.pools), self.directory)

    def create(self, name, size_gb, pool):
        """An empty (zeroed, sparse) volume file of ``size_gb`` GiB."""
        path = self.path(name, pool)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, 'xb') as handle:
                handle.truncate(size_gb * GiB)
        except FileExistsError:
            raise exception.VolumeBackendError(
                reason='%s already exists on %s' % (name,
                                                    self.service_host))
        except OSError as exc:
            # The file may exist with no size: it goes.
            self.delete(name, pool)
            raise exception.VolumeBackendError(
                reason='cannot create %s: %s' % (path, exc.strerror))
        return path

    def delete(self, name, pool):
        """Remove the volume's file; no error when it is already gone."""
        try:
            os.unlink(self.path(name, pool))
        except FileNotFoundError:
            pass

    def exists(self, name, pool):
        return os.path.exists(self.path(name, pool))

    def connection_info(self, name, pool):
        """What a compute host needs to reach the volume: the file on
        this machine (the backends are local files)."""
        return {'driver_volume_type': 'file',
                'data': {'path': self.path(name, pool),
                         'backend': self.service_host}}

    def stats(self):
        return {'volume_backend_name': self.name,
                'driver': self.driver_name,
                'pools': [{'name': p, 'total_capacity_gb': self.capacity_gb}
                          for p in self.pools]}

    # -- migration --------------------------------------------------------
    def can_move_itself(self, dest_backend):
        """Whether this backend moves a volume to ``dest_backend`` itself
        (driver-assisted); the file backend never does."""
        return False
