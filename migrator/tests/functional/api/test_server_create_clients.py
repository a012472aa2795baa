"""The clients a user runs, as the README shows them: ``openstack server
create`` with Nova's options, and the ``nova`` commands, against the API
over real HTTP (noauth2) with a conductor and fake computes behind it.

The openstack CLI looks ``--image`` up in the image service: in noauth2
mode the compute API answers those lookups (handlers/images.py), found
through ``image_endpoint_override`` as migrator-all's clouds.yaml sets
it.
"""
import json
import os
import subprocess
import sys
import time

import fixtures
from oslo_config import cfg
import testtools

from migrator.api.compute import app as compute_app
from migrator import policy
from migrator.tests.functional.api import test_sdk
from migrator.tests.functional import control_plane

BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, 'openstack')
NOVA = os.path.join(BIN, 'nova')


class TestServerCreateClients(test_sdk.ServeMixin, testtools.TestCase):

    def setUp(self):
        super().setUp()
        for tool in (OPENSTACK, NOVA):
            if not os.path.exists(tool):
                self.fail('%s is not installed (test-requirements.txt)'
                          % tool)
        self.cp = self.useFixture(control_plane.ControlPlane())
        self.cp.conf.config(auth_strategy='noauth2', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.url = self.serve(compute_app.make_app(cfg.CONF))
        tmp = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(tmp, 'clouds.yaml')
        with open(clouds, 'w') as f:
            # The compute part of the clouds.yaml migrator-all writes.
            json.dump({'clouds': {'migrator': {
                'auth_type': 'admin_token',
                'auth': {'endpoint': self.url + '/v2.1',
                         'token': 'admin:admin'},
                'identity_endpoint_override': self.url + '/identity/v3',
                'image_endpoint_override': self.url + '/image',
            }}}, f)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_CLIENT_CONFIG_FILE=clouds, OS_CLOUD='migrator',
                        HOME=tmp)

    def run_tool(self, cmd):
        done = subprocess.run(cmd, env=self.env, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode,
                         '%s\nstdout: %s\nstderr: %s'
                         % (' '.join(cmd), done.stdout, done.stderr))
        return done.stdout

    def cli(self, *args, version='2.100'):
        return json.loads(self.run_tool(
            [OPENSTACK, '--os-compute-api-version', version] +
            list(args) + ['-f', 'json']))

    def nova(self, *args, version='2.80', override=False):
        """The nova CLI with a noauth2 token: through the auth URL's
        catalog (POST /identity/v3/auth/tokens), or with
        ``override`` straight at the compute endpoint."""
        where = ['--os-auth-url', self.url + '/identity/v3']
        if override:
            where += ['--os-endpoint-override', self.url + '/v2.1']
        return self.run_tool(
            [NOVA, '--os-token', 'admin:admin', '--os-project-id', 'admin'] +
            where + ['--os-compute-api-version', version] + list(args))

    def wait_active(self, server_id):
        deadline = time.monotonic() + 60
        while True:
            shown = self.cli('server', 'show', server_id)
            if shown['status'] in ('ACTIVE', 'ERROR'):
                return shown
            self.assertLess(time.monotonic(), deadline, shown['status'])
            time.sleep(0.2)

    def test_openstack_server_create_with_nova_options(self):
        anchor = self.cli('server', 'create', '--image',
                          'cirros-0.6.2', '--flavor', '1', '--no-network',
                          'anchor')
        anchor = self.wait_active(anchor['id'])
        created = self.cli(
            'server', 'create', '--image', '5a8f1e2c-7b43-4c61-9d0e-'
            '2f6a4b8c9d10', '--flavor', 'm1.tiny', '--no-network',
            '--property', 'role=web', '--description', 'the web server',
            '--tag', 'blue', '--hint', 'different_host=%s' % anchor['id'],
            'web1')
        self.assertTrue(created['adminPass'])
        shown = self.wait_active(created['id'])
        self.assertEqual('ACTIVE', shown['status'])
        self.assertEqual({'role': 'web'}, shown['properties'])
        self.assertEqual('the web server', shown['description'])
        self.assertEqual(['blue'], shown['tags'])
        self.assertIn('5a8f1e2c-7b43-4c61-9d0e-2f6a4b8c9d10',
                      shown['image'])
        # different_host: not on the anchor's host.
        self.assertNotEqual(anchor['OS-EXT-SRV-ATTR:host'],
                            shown['OS-EXT-SRV-ATTR:host'])
        self.assertEqual({'different_host': [anchor['id']]},
                         shown['scheduler_hints'])
        self.run_tool([OPENSTACK, '--os-compute-api-version', '2.100',
                       'server', 'set', '--name', 'web2', '--description',
                       'renamed', created['id']])
        shown = self.cli('server', 'show', created['id'])
        self.assertEqual('web2', shown['name'])
        self.assertEqual('renamed', shown['description'])

    def test_nova_commands_as_the_readme_shows(self):
        out = self.nova('boot', '--image', 'any-image', '--flavor', '1',
                        '--nic', 'none', 'nova1')
        self.assertIn('adminPass', out)
        deadline = time.monotonic() + 60
        while 'ACTIVE' not in self.nova('show', 'nova1'):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)
        for override in (False, True):
            listed = self.nova('list', override=override)
            self.assertIn('nova1', listed)
            self.assertIn('ACTIVE', listed)
            self.assertIn('create', self.nova('instance-action-list',
                                              'nova1', override=override))
            self.assertIn('nova1', self.nova('show', 'nova1',
                                             override=override))
            self.nova('migration-list', override=override)
            self.nova('server-migration-list', 'nova1', override=override)
