"""Fixtures for the API's functional tests: SQLite API and cell
databases (created with the real migrations), one cell mapping, noauth2,
the fake oslo.messaging transport, and the real WSGI app.

(When migrator/tests/fixtures.py offers Database and ConfFixture, these
can lean on them; they are kept here until then.)
"""
import os
import tempfile

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_utils import uuidutils

from migrator.api.compute import app as compute_app
from migrator.api import validation
import migrator.conf  # noqa: F401
from migrator import context
from migrator.db import migration
from migrator.db import session
from migrator import objects
from migrator.objects import cell_mapping
from migrator.objects import compute_node
from migrator.objects import flavor as flavor_obj
from migrator.objects import host_mapping
from migrator.objects import service as service_obj
from migrator import policy
from migrator import rpc

CONF = cfg.CONF


class APIFixture(fixtures.Fixture):
    """Everything the compute API needs, in a temporary directory.

    ``self.cell`` is the one cell; ``self.app()`` builds the app.
    """

    def __init__(self, flavors=True, computes=('host1', 'host2')):
        super().__init__()
        self.flavors = flavors
        self.computes = computes

    def _setUp(self):
        objects.register_all()
        # Every answer must be the body its response schema describes
        # (as Nova's functional api-sample tests check theirs).
        self.useFixture(fixtures.MockPatchObject(
            validation, 'RESPONSE_CHECK', True))
        tmp = self.useFixture(fixtures.TempDir()).path
        self.conf = self.useFixture(config_fixture.Config(CONF))
        api_url = 'sqlite:///%s' % os.path.join(tmp, 'api.db')
        cell_url = 'sqlite:///%s' % os.path.join(tmp, 'cell1.db')
        self.conf.config(connection=api_url, group='api_database')
        self.conf.config(connection=cell_url, group='database')
        self.conf.config(auth_strategy='noauth2', group='api')
        # No compute service listens here: the uptime question of
        # os-hypervisors gives up after one second.
        self.conf.config(hypervisor_uptime_timeout=1, group='api')
        self.conf.config(transport_url='fake:///')
        self.conf.config(state_path=tmp)
        session.reset()
        self.addCleanup(session.reset)
        policy.reset()
        self.addCleanup(policy.reset)
        rpc.cleanup()
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)
        migration.db_sync('api')
        migration.db_sync('main', cell_url)
        self.ctxt = context.get_admin_context()
        self.cell = cell_mapping.CellMapping(
            self.ctxt, uuid=uuidutils.generate_uuid(), name='cell1',
            transport_url='fake:///', database_connection=cell_url)
        self.cell.create()
        if self.flavors:
            for flavorid, name, ram, vcpus, disk in (
                    ('1', 'm1.tiny', 512, 1, 1),
                    ('2', 'm1.small', 2048, 1, 20),
                    ('3', 'm1.medium', 4096, 2, 40)):
                flavor_obj.Flavor(
                    self.ctxt, flavorid=flavorid, name=name,
                    memory_mb=ram, vcpus=vcpus, root_gb=disk,
                    ephemeral_gb=0, swap=0, rxtx_factor=1.0,
                    disabled=False, is_public=True, description=None,
                    extra_specs={}).create()
        with context.target_cell(self.ctxt, self.cell) as cctxt:
            for host in self.computes:
                service = service_obj.Service(
                    cctxt, host=host, binary='migrator-compute',
                    topic='compute', report_count=1, disabled=False,
                    forced_down=False, version=1)
                service.create()
                service.heartbeat()
                compute_node.ComputeNode(
                    cctxt, service_id=service.id, host=host,
                    hypervisor_hostname=host, hypervisor_type='fake',
                    hypervisor_version=1000, cpu_info='{"arch": "x86_64"}',
                    host_ip='127.0.0.1', vcpus=8, memory_mb=16384,
                    local_gb=200, vcpus_used=0, memory_mb_used=512,
                    local_gb_used=0, running_vms=0).create()
                host_mapping.HostMapping(cctxt, host=host,
                                         cell_mapping=self.cell).create()

    def app(self):
        return compute_app.make_app(CONF)


def temp_dir():
    return tempfile.mkdtemp(prefix='migrator-api-')
