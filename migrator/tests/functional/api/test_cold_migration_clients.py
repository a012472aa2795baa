"""Cold migration and resize through the clients operators use, over real
HTTP against the API with a conductor and fake computes behind it:
openstacksdk (migrate_server, resize_server, confirm_server_resize,
revert_server_resize), python-novaclient (migrate, resize,
confirm_resize, revert_resize: what ``nova migrate``, ``nova resize``,
``nova resize-confirm`` and ``nova resize-revert`` call) and the
openstack CLI (``server migrate``, ``server resize``, ``server resize
confirm|revert``, run as a subprocess)."""
import json
import os
import subprocess
import sys

import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client

from migrator.api.server import WSGIServer
from migrator.tests.functional.api import cold_migration_base as base
from migrator.tests.functional.api import test_sdk

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


class ClientsTestBase(base.ColdMigrationTestBase):

    def setUp(self):
        super().setUp()
        server = WSGIServer(self.app, '127.0.0.1', 0, threads=4)
        server.start()
        self.addCleanup(server.stop)
        self.url = server.url

    def assert_moved_and_back(self, uuid, data, host):
        inst = self.instance(uuid)
        self.assertEqual(host, inst.host)
        ns = self.namespaces(uuid, host)[0]
        self.assertEqual(data, self.read(ns.devpath)[:len(data)])


class TestSDK(ClientsTestBase):

    def test_migrate_confirm_resize_revert(self):
        conn = test_sdk.connect(self.url)
        inst = self.boot()
        data = self.write_data(inst.uuid)
        conn.compute.migrate_server(inst.uuid, host='compute2')
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.assertEqual('migration', self.migration(inst.uuid)
                         .migration_type)
        conn.compute.confirm_server_resize(inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual('compute2', self.instance(inst.uuid).host)

        conn.compute.resize_server(inst.uuid, self.large.flavorid)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.assertEqual('compute1', self.instance(inst.uuid).host)
        conn.compute.revert_server_resize(inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual('compute2', self.instance(inst.uuid).host)
        # Without copy_pmem_devices (the SDK cannot send it) the data
        # went as in Nova: a fresh namespace after the first move, kept
        # through the revert of the second.
        ns = self.namespaces(inst.uuid, 'compute2')[0]
        self.assert_zeroed(ns.devpath)
        self.assertNotEqual(data, self.read(ns.devpath))


class TestNovaClient(ClientsTestBase):

    def test_migrate_resize_confirm_revert(self):
        sess = ks_session.Session(auth=token_endpoint.Token(
            self.url + '/v2.1', 'admin:admin'))
        nova = nova_client.Client('2.56', session=sess,
                                  endpoint_override=self.url + '/v2.1')
        inst = self.boot()
        nova.servers.migrate(inst.uuid, host='compute2')
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        nova.servers.revert_resize(inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual('compute1', self.instance(inst.uuid).host)
        nova.servers.resize(inst.uuid, self.large.flavorid)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        nova.servers.confirm_resize(inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        moved = self.instance(inst.uuid)
        self.assertEqual(('compute2', self.large.id),
                         (moved.host, moved.instance_type_id))
        listed = nova.migrations.list(instance_uuid=inst.uuid)
        self.assertEqual(['confirmed', 'reverted'],
                         sorted(m.status for m in listed))


class TestOpenStackCLI(ClientsTestBase):

    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.exists(OPENSTACK),
                        'the openstack CLI (python-openstackclient) is not '
                        'installed in %s' % os.path.dirname(sys.executable))
        tmp = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(tmp, 'clouds.yaml')
        with open(clouds, 'w') as f:
            json.dump({'clouds': {'migrator': {
                'auth_type': 'admin_token',
                'auth': {'endpoint': self.url + '/v2.1',
                         'token': 'admin:admin'},
                'identity_endpoint_override': self.url + '/identity/v3',
            }}}, f)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_CLIENT_CONFIG_FILE=clouds, OS_CLOUD='migrator',
                        HOME=tmp)

    def cli(self, *args):
        cmd = [OPENSTACK, '--os-compute-api-version', '2.56'] + list(args)
        done = subprocess.run(cmd, env=self.env, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode,
                         '%s\nstdout: %s\nstderr: %s'
                         % (' '.join(cmd), done.stdout, done.stderr))
        return done.stdout

    def test_migrate_resize_confirm_revert(self):
        inst = self.boot()
        self.cli('server', 'migrate', '--host', 'compute2', inst.uuid)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.cli('server', 'resize', 'confirm', inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual('compute2', self.instance(inst.uuid).host)
        self.cli('server', 'resize', '--flavor', self.large.name, inst.uuid)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.cli('server', 'resize', '--revert', inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        back = self.instance(inst.uuid)
        self.assertEqual(('compute2', self.small.id),
                         (back.host, back.instance_type_id))
        self.cli('server', 'resize', '--flavor', self.large.name, inst.uuid)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.cli('server', 'resize', '--confirm', inst.uuid)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual(self.large.id,
                         self.instance(inst.uuid).instance_type_id)
