"""Live-migration progress and the operator controls through the clients
operators use — openstacksdk, the openstack CLI (run as a subprocess)
and python-novaclient — against the API over real HTTP, with a conductor
and fake computes behind it.

Migrations are started the way the API's os-migrateLive does it (task
claimed, action recorded, conductor cast), so these tests do not depend
on that action's REST layer. Nothing here asserts on time; waits poll
with generous limits.
"""
import json
import os
import subprocess
import sys
import time

import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client
from oslo_config import cfg
from oslo_utils import uuidutils
import testtools

from migrator.api.compute import app as compute_app
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import migration as migration_obj
from migrator import policy
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests.functional.api import test_sdk
from migrator.tests.functional import control_plane

NON_CONVERGING = {'sim_dirty_rate_mib': '400', 'sim_working_set_mib': '512'}
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


class ClientsTestBase(test_sdk.ServeMixin, testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cp = self.useFixture(control_plane.ControlPlane())
        self.cp.conf.config(auth_strategy='noauth2', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.url = self.serve(compute_app.make_app(cfg.CONF))
        self.conn = test_sdk.connect(self.url)

    def start(self, metadata=NON_CONVERGING, wait_for=('running',)):
        """A server on compute1 live-migrating to compute2; returns
        (instance, migration) once the migration reaches ``wait_for``."""
        inst, mig = self.cp.start_live_migration(metadata, statuses=wait_for)
        self.addCleanup(self._stop_migration, inst.uuid)
        return inst, mig

    def _stop_migration(self, uuid):
        """A non-converging migration left running (a failed test) would
        outlive the control plane: cancel it."""
        mig = self.cp.migration_of(uuid)
        if mig is None or mig.status in control_plane.FINAL:
            return
        compute_rpcapi.ComputeAPI().live_migration_abort(
            self.cp.new_context(), self.instance(uuid), mig.id)
        self.cp.wait_for_migration(uuid, timeout=30)

    def instance(self, uuid):
        return instance_obj.Instance.get_by_uuid(self.cp.admin, uuid)

    def actions(self, uuid):
        return [a.action for a in
                instance_action.InstanceActionList.get_by_instance_uuid(
                    self.cp.admin, uuid)]


class TestSDK(ClientsTestBase):

    def test_progress_changes_and_force_complete_finishes(self):
        inst, mig = self.start()
        listed = list(self.conn.compute.server_migrations(inst.uuid))
        self.assertEqual([mig.id], [m.id for m in listed])
        self.assertEqual('running', listed[0].status)

        # memory_processed_bytes moves between successive reads.
        first = self.conn.compute.get_server_migration(
            mig.id, inst.uuid).memory_processed_bytes
        control_plane.wait_for(
            lambda: self.conn.compute.get_server_migration(
                mig.id, inst.uuid).memory_processed_bytes != first,
            what='memory_processed_bytes to change')
        shown = self.conn.compute.get_server_migration(mig.id, inst.uuid)
        self.assertEqual(2048 * 1024 * 1024, shown.memory_total_bytes)

        # 2.106's progress object, as the demo's progress bar reads it.
        progress = self.conn.compute.get(
            '/servers/%s/migrations/%s' % (inst.uuid, mig.id),
            microversion='2.106').json()['migration']['progress']
        self.assertLessEqual(0, progress['percent'])
        self.assertLessEqual(progress['percent'], 100)
        self.assertIn('running', progress['phases'])
        self.assertGreater(progress['transfer_rate'], 0)
        self.assertGreater(progress['dirty_rate'], 0)

        self.conn.compute.force_complete_server_migration(mig.id, inst.uuid)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.assertEqual('compute2',
                         self.cp.wait_for_task_cleared(inst.uuid).host)
        self.assertIn('live_migration_force_complete',
                      self.actions(inst.uuid))
        # Finished: no longer listed as in progress.
        self.assertEqual(
            [], list(self.conn.compute.server_migrations(inst.uuid)))
        found = list(self.conn.compute.migrations(server_id=inst.uuid))
        self.assertEqual(['completed'], [m.status for m in found])

    def test_abort_cancels_and_the_server_stays(self):
        inst, mig = self.start()
        self.conn.compute.abort_server_migration(mig.id, inst.uuid)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(inst.uuid).status)
        after = self.cp.wait_for_task_cleared(inst.uuid)
        self.assertEqual(('compute1', instance_obj.ACTIVE),
                         (after.host, after.vm_state))
        self.assertIn('live_migration_cancel', self.actions(inst.uuid))
        found = list(self.conn.compute.migrations(server_id=inst.uuid))
        self.assertEqual(['cancelled'], [m.status for m in found])
        server = self.conn.compute.get_server(inst.uuid)
        self.assertEqual('ACTIVE', server.status)

    def test_migrations_pages_through_every_record(self):
        made = []
        for _ in range(5):
            m = migration_obj.Migration(
                self.cp.admin, instance_uuid=uuidutils.generate_uuid(),
                status='completed', migration_type='live-migration',
                source_compute='compute1', dest_compute='compute2',
                hidden=False)
            m.create()
            made.append(m.uuid)
        found = list(self.conn.compute.migrations(limit=2))
        self.assertEqual(sorted(made), sorted(m.uuid for m in found))


class TestEndings(ClientsTestBase):
    """The backend's completion timeout and stall detector, read through
    os-migrations."""

    def _ended(self, inst):
        self.cp.wait_for_migration(inst.uuid, timeout=30)
        self.cp.wait_for_task_cleared(inst.uuid)
        found = list(self.conn.compute.migrations(server_id=inst.uuid))
        self.assertEqual(1, len(found))
        self.assertEqual('compute1', self.instance(inst.uuid).host)
        return found[0].status

    def test_completion_timeout_shows_cancelled(self):
        self.cp.conf.config(completion_timeout=1, group='live_migration')
        inst, _ = self.start(wait_for=('running',) + control_plane.FINAL)
        self.assertEqual('cancelled', self._ended(inst))

    def test_stall_detector_shows_cancelled_or_failed(self):
        self.cp.conf.config(stall_timeout=2, stall_iterations=2,
                            completion_timeout=0, group='live_migration')
        inst, _ = self.start(wait_for=('running',) + control_plane.FINAL)
        self.assertIn(self._ended(inst), ('cancelled', 'failed'))


class TestOpenStackCLI(ClientsTestBase):

    def setUp(self):
        super().setUp()
        if not os.path.exists(OPENSTACK):
            self.skipTest('the openstack CLI is not installed')
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

    def cli(self, *args, json_out=True):
        cmd = [OPENSTACK, '--os-compute-api-version', '2.80'] + list(args)
        if json_out:
            cmd += ['-f', 'json']
        done = subprocess.run(cmd, env=self.env, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode,
                         '%s\nstdout: %s\nstderr: %s'
                         % (' '.join(cmd), done.stdout, done.stderr))
        return json.loads(done.stdout) if json_out else done.stdout

    def test_list_show_force_complete(self):
        inst, mig = self.start()
        listed = self.cli('server', 'migration', 'list', '--server',
                          inst.uuid)
        self.assertEqual([mig.id], [row['Id'] for row in listed])
        self.assertEqual(mig.uuid, listed[0]['UUID'])
        # By uuid: this openstackclient passes server and migration to
        # openstacksdk's get_server_migration in the wrong order when given
        # an integer id (it would ask for /servers/<id>/migrations/<server>,
        # against Nova too); by uuid it lists and picks the migration.

        def show():
            return self.cli('server', 'migration', 'show', inst.uuid,
                            mig.uuid)
        shown = show()
        first = shown['Memory Processed Bytes']
        self.assertEqual('running', shown['Status'])
        self.assertEqual(mig.id, shown['ID'])
        deadline = time.monotonic() + 30
        while show()['Memory Processed Bytes'] == first:
            self.assertLess(time.monotonic(), deadline,
                            'memory_processed_bytes never changed')
        self.cli('server', 'migration', 'force', 'complete', inst.uuid,
                 str(mig.id), json_out=False)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)

    def test_abort(self):
        inst, mig = self.start()
        self.cli('server', 'migration', 'abort', inst.uuid, str(mig.id),
                 json_out=False)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.assertEqual('compute1',
                         self.cp.wait_for_task_cleared(inst.uuid).host)
        listed = self.cli('server', 'migration', 'list', '--server',
                          inst.uuid, '--status', 'cancelled')
        self.assertEqual([mig.uuid], [row['UUID'] for row in listed])


class TestNovaclient(ClientsTestBase):

    def test_migration_list_and_server_migrations(self):
        inst, mig = self.start()
        sess = ks_session.Session(auth=token_endpoint.Token(
            self.url + '/v2.1', 'admin:admin'))
        nova = nova_client.Client(
            '2.80', session=sess, endpoint_override=self.url + '/v2.1')
        listed = nova.server_migrations.list(inst.uuid)
        self.assertEqual([mig.id], [m.id for m in listed])
        self.assertIsNotNone(listed[0].memory_processed_bytes)
        found = nova.migrations.list(instance_uuid=inst.uuid)
        self.assertEqual([mig.uuid], [m.uuid for m in found])
        nova.server_migrations.live_migration_abort(inst.uuid, mig.id)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(inst.uuid).status)
