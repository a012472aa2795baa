"""The block storage API (and the compute API) in front of a running
control plane: a conductor, fake computes and a volume service with two
file backends and one driver-assisted backend, on the in-process
transport."""
import fixtures
from oslo_config import cfg

from migrator.api.compute import app as compute_app
from migrator.api.volume import app as volume_app
from migrator import policy
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import fixtures as volume_fixtures

CONF = cfg.CONF


class VolumeAPI(fixtures.Fixture):

    def __init__(self, hosts=('compute1', 'compute2')):
        super().__init__()
        self.hosts = hosts

    def _setUp(self):
        self.state = self.useFixture(fixtures.TempDir()).path
        self.plane = self.useFixture(control_plane.ControlPlane(self.hosts))
        self.conf = self.plane.conf
        self.conf.config(auth_strategy='noauth2', group='api')
        volume_fixtures.configure_backends(self.conf, self.state)
        policy.reset()
        self.addCleanup(policy.reset)
        self.volume_service = self.useFixture(
            volume_fixtures.VolumeService())

    def app(self):
        return volume_app.make_app(CONF)

    def compute_app(self):
        return compute_app.make_app(CONF)
