"""The block storage API through the clients operators use:
openstacksdk's block-storage proxy, python-cinderclient (library and the
cinder CLI) and the openstack CLI (volume create/list/show/migrate/delete,
server add volume), over real HTTP, with the volume service and fake
computes behind it."""
import json
import os
import subprocess
import sys

from cinderclient import client as cinder_client
import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import openstack

from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import test_volume_migration as base

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, 'openstack')
CINDER = os.path.join(BIN, 'cinder')


def _require(path):
    if not os.path.exists(path):
        raise AssertionError('%s is not installed: pip install -r '
                             'test-requirements.txt' % path)


class ClientsTestBase(base.VolumeMigrationTestBase):
    RATE_MIB = 0

    def setUp(self):
        super().setUp()
        self.url = self.http.url
        from migrator.api import server as api_server
        server = api_server.WSGIServer(self.env.compute_app(), '127.0.0.1',
                                       0, threads=8)
        server.start()
        self.addCleanup(server.stop)
        self.compute_url = server.url

    def sdk(self, token='admin:admin'):
        return openstack.connect(
            auth_type='admin_token',
            auth={'endpoint': self.compute_url + '/v2.1', 'token': token},
            block_storage_endpoint_override=self.url,
            compute_api_version='2', region_name='RegionOne',
            load_envvars=False, load_yaml_config=False)

    def wait_migration_done(self, volume_id):
        return self.wait_migration(volume_id)


class TestOpenStackSDK(ClientsTestBase):

    def test_volume_lifecycle_and_migration(self):
        conn = self.sdk()
        volume = conn.block_storage.create_volume(size=1, name='sdk-vol')
        volume = conn.block_storage.wait_for_status(volume, 'available',
                                                    wait=60)
        self.assertEqual('sdk-vol', volume.name)
        self.assertEqual(1, volume.size)
        listed = [v.id for v in conn.block_storage.volumes()]
        self.assertIn(volume.id, listed)
        conn.block_storage.migrate_volume(volume, host='volume1@file2')
        done = self.wait_migration_done(volume.id)
        self.assertEqual('success', done['migration_status'])
        shown = conn.block_storage.get_volume(volume.id)
        self.assertEqual('volume1@file2#file2', shown.host)
        self.assertEqual('success', shown.migration_status)
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(shown, wait=60)

    def test_member_is_forbidden_to_migrate(self):
        conn = self.sdk('demo:demo')
        volume = conn.block_storage.create_volume(size=1, name='mine')
        conn.block_storage.wait_for_status(volume, 'available', wait=60)
        self.assertRaises(openstack.exceptions.ForbiddenException,
                          conn.block_storage.migrate_volume, volume,
                          host='volume1@file2')


class TestCinderClient(ClientsTestBase):

    def client(self, version='3.71'):
        session = ks_session.Session(auth=token_endpoint.Token(
            self.url, 'admin:admin'))
        return cinder_client.Client(version, session=session)

    def test_library(self):
        cinder = self.client()
        volume = cinder.volumes.create(1, name='cinder-vol')
        control_plane.wait_for(
            lambda: cinder.volumes.get(volume.id).status == 'available',
            what='available')
        self.assertIn(volume.id, [v.id for v in cinder.volumes.list()])
        cinder.volumes.migrate_volume(volume, 'volume1@assisted#pool-a',
                                      False, False)
        done = self.wait_migration_done(volume.id)
        self.assertEqual('success', done['migration_status'])
        shown = cinder.volumes.get(volume.id)
        self.assertEqual('volume1@assisted#pool-a',
                         getattr(shown, 'os-vol-host-attr:host'))
        cinder.volumes.delete(volume)

    def cli(self, *args):
        _require(CINDER)
        # cinderclient's own noauth plugin: its token is "user:project",
        # as migrator's noauth2 reads it; the endpoint gets the project.
        cmd = [CINDER, '--user-id', 'admin', '--project-id', 'admin',
               '--endpoint', self.url,
               '--os-volume-api-version', '3.71'] + list(args)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env['OS_AUTH_TYPE'] = 'noauth'
        done = subprocess.run(cmd, env=env, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode,
                         '%s\nstdout: %s\nstderr: %s'
                         % (' '.join(cmd), done.stdout, done.stderr))
        return done.stdout

    def test_cli_migrate_show_list(self):
        volume_id = self.create_volume(fill=False)
        self.cli('migrate', volume_id, 'volume1@file2')
        self.wait_migration_done(volume_id)
        shown = self.cli('show', volume_id)
        self.assertIn('volume1@file2#file2', shown)
        self.assertIn('success', shown)
        self.assertIn(volume_id, self.cli('list'))


class TestOpenStackCLI(ClientsTestBase):

    def setUp(self):
        super().setUp()
        _require(OPENSTACK)
        tmp = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(tmp, 'clouds.yaml')
        with open(clouds, 'w') as f:
            json.dump({'clouds': {'migrator': {
                'auth_type': 'admin_token',
                'auth': {'endpoint': self.compute_url + '/v2.1',
                         'token': 'admin:admin'},
                'identity_endpoint_override':
                    self.compute_url + '/identity/v3',
                'block_storage_endpoint_override': self.url,
            }}}, f)
        self.env_vars = {k: v for k, v in os.environ.items()
                         if not k.startswith('OS_')}
        self.env_vars.update(OS_CLIENT_CONFIG_FILE=clouds,
                             OS_CLOUD='migrator', HOME=tmp)

    def cli(self, *args, json_out=True):
        cmd = [OPENSTACK] + list(args)
        if json_out:
            cmd += ['-f', 'json']
        done = subprocess.run(cmd, env=self.env_vars, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode,
                         '%s\nstdout: %s\nstderr: %s'
                         % (' '.join(cmd), done.stdout, done.stderr))
        return json.loads(done.stdout) if json_out else done.stdout

    def test_volume_commands(self):
        created = self.cli('volume', 'create', '--size', '1', 'cli-vol')
        volume_id = created['id']
        self.wait_status(volume_id, 'available')
        listed = self.cli('volume', 'list')
        self.assertEqual(['cli-vol'], [v['Name'] for v in listed])
        self.cli('volume', 'migrate', '--host', 'volume1@file2', 'cli-vol',
                 json_out=False)
        self.wait_migration_done(volume_id)
        shown = self.cli('volume', 'show', 'cli-vol')
        self.assertEqual('volume1@file2#file2',
                         shown['os-vol-host-attr:host'], shown)
        self.assertEqual('success', shown['os-vol-mig-status-attr:migstat'],
                         shown)
        self.cli('volume', 'delete', 'cli-vol', json_out=False)
        control_plane.wait_for(
            lambda: self.cli('volume', 'list') == [], what='deleted')

    def test_server_add_volume(self):
        server = self.env.plane.boot(host='compute1')
        volume_id = self.create_volume(fill=False)
        self.cli('server', 'add', 'volume', server.uuid, volume_id,
                 json_out=False)
        volume = self.wait_status(volume_id, 'in-use')
        self.assertEqual(server.uuid, volume['attachments'][0]['server_id'])
