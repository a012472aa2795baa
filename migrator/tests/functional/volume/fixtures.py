"""A volume service on the in-process transport with two file backends
and one driver-assisted backend (two pools) under a temporary directory,
as migrator-all runs it."""
import os

import fixtures
from oslo_config import cfg

from migrator import context as migrator_context
from migrator.objects import volume as volume_obj
from migrator.rpcapi import volume as volume_rpcapi
from migrator.tests.functional import control_plane

CONF = cfg.CONF

HOST = 'volume1'
BACKENDS = ('file1', 'file2', 'assisted')


def configure_backends(conf_fixture, state_path):
    """[DEFAULT] enabled_backends and one section per backend."""
    from migrator.conf import volume as volume_conf
    conf_fixture.config(enabled_backends=list(BACKENDS))
    for section in BACKENDS:
        volume_conf.register_backend_opts(CONF, section)
    conf_fixture.config(volume_driver='driver-assisted',
                        pools=['pool-a', 'pool-b'], group='assisted')
    conf_fixture.config(state_path=state_path)


class VolumeService(fixtures.Fixture):
    """Starts migrator-volume on ``HOST``; ``self.manager`` is its
    endpoint. Needs the configuration and databases already set."""

    def __init__(self, host=HOST, backends=None):
        super().__init__()
        self.host = host
        # Config sections of its backends (None: [DEFAULT]
        # enabled_backends), so that a second service on another host
        # can serve backends of its own in the same process.
        self.backends = backends

    def _setUp(self):
        from migrator.volume import backends as volume_backends
        from migrator.volume import manager as volume_manager
        from migrator.volume import service as volume_service
        manager = None
        if self.backends is not None:
            manager = volume_manager.VolumeManager(
                self.host, backends=[
                    volume_backends.load(CONF, self.host, section)
                    for section in self.backends])
        self.service = volume_service.VolumeService(self.host,
                                                    manager=manager)
        self.manager = self.service.manager
        self.service.start()
        self.addCleanup(self.service.stop, 5)

    def restart(self):
        self.service.stop(5)
        self._setUp()


def add_remote_service(conf_fixture, state_path, host='volume2',
                       section='far'):
    """A second volume service on ``host`` with one file backend
    ``section`` (its files under <state_path>/volumes-<host>), started;
    returns its fixture (to useFixture)."""
    from migrator.conf import volume as volume_conf
    volume_conf.register_backend_opts(CONF, section)
    conf_fixture.config(volume_driver='file', group=section,
                        volumes_dir=os.path.join(state_path,
                                                 'volumes-' + host))
    return VolumeService(host, backends=[section])


def make_volume(ctxt, size=1, backend='file1', pool=None, name='vol',
                create=True):
    """A volume record on HOST@backend#pool, created by the service
    (waits for available)."""
    volume = volume_obj.Volume(
        ctxt, size=size, display_name=name, user_id=ctxt.user_id,
        project_id=ctxt.project_id,
        host='%s@%s#%s' % (HOST, backend, pool or backend),
        volume_type=backend, availability_zone='nova')
    volume.create()
    if create:
        volume_rpcapi.VolumeAPI().create_volume(ctxt, volume)
        control_plane.wait_for(
            lambda: volume_obj.Volume.get_by_uuid(
                ctxt, volume.uuid).status == volume_obj.AVAILABLE,
            what='volume %s to be available' % volume.uuid)
        volume.refresh()
    return volume


def admin():
    return migrator_context.RequestContext(user_id='admin',
                                           project_id='admin',
                                           roles=['admin'])
