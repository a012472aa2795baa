"""Gabbi fixtures: one APIFixture (databases, cell, flavors, two compute
services) per YAML file."""
import os

from gabbi import fixture

from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional.api import fixtures

_CURRENT = {}


def setup_app():
    """A WSGI callable that builds the app of the running fixture on its
    first request (gabbi asks for the app before fixtures start)."""
    built = {}

    def app(environ, start_response):
        fixture = _CURRENT['fixture']
        if built.get('fixture') is not fixture:
            built['fixture'] = fixture
            built['app'] = fixture.app()
        return built['app'](environ, start_response)
    return app


class APIFixture(fixture.GabbiFixture):

    def start_fixture(self):
        self.fixture = fixtures.APIFixture()
        self.fixture.setUp()
        _CURRENT['fixture'] = self.fixture

    def stop_fixture(self):
        _CURRENT.pop('fixture', None)
        self.fixture.cleanUp()


class ControlPlaneFixture(fixture.GabbiFixture):
    """The API with a conductor and computes compute1 and compute2 (fake
    driver): servers go ACTIVE and live migrations run. Exports
    $ENVIRON['LOCKED_SERVER'] and $ENVIRON['STOPPED_SERVER'] (see
    control_plane_api.ControlPlaneAPI.prepare_servers)."""

    policy_rules = None
    config = None

    def start_fixture(self):
        self.fixture = control_plane_api.ControlPlaneAPI(
            policy_rules=self.policy_rules, config=self.config)
        self.fixture.setUp()
        _CURRENT['fixture'] = self.fixture
        self.exported = self.fixture.prepare_servers()
        os.environ.update(self.exported)

    def stop_fixture(self):
        for name in self.exported:
            os.environ.pop(name, None)
        _CURRENT.pop('fixture', None)
        self.fixture.cleanUp()


class MembersMayLiveMigrateFixture(ControlPlaneFixture):
    """As ControlPlaneFixture, with a policy that lets project members
    live-migrate (but not choose the host)."""

    policy_rules = control_plane_api.MEMBERS_MAY_LIVE_MIGRATE


class PmemControlPlaneFixture(ControlPlaneFixture):
    """As ControlPlaneFixture, each host with two 4 MiB and two 8 MiB
    file-backed PMEM namespaces (labels 4M and 8M)."""

    config = {'libvirt': {'pmem_namespaces': ['4M:pmem0|pmem1',
                                              '8M:pmem2|pmem3']}}


class VolumeAPIFixture(fixture.GabbiFixture):
    """The block storage API with a conductor, computes and a volume
    service (backends file1, file2, and assisted with pools pool-a and
    pool-b on host volume1)."""

    def start_fixture(self):
        from migrator.tests.functional.volume import api_fixture
        self.fixture = api_fixture.VolumeAPI()
        self.fixture.setUp()
        _CURRENT['fixture'] = self.fixture

    def stop_fixture(self):
        _CURRENT.pop('fixture', None)
        self.fixture.cleanUp()
