"""The runtime controls of compute API 2.107 through REST, with a
conductor and fake computes behind the API: the source's monitor applies
them through the driver, the simulation honours them, and the settings
show in the migration's ``progress``.

Migrations are started as the API's os-migrateLive does (task claimed,
action recorded, conductor cast). Nothing here asserts on time; waits
poll with generous limits.
"""
from oslo_serialization import jsonutils
import testtools
import webob

from migrator.objects import instance as instance_obj
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional import control_plane

NON_CONVERGING = {'sim_dirty_rate_mib': '400', 'sim_working_set_mib': '512'}
VERSION = '2.107'


class ControlsTestBase(testtools.TestCase):
    config = None

    def setUp(self):
        super().setUp()
        api = self.useFixture(control_plane_api.ControlPlaneAPI(
            config=self.config))
        self.cp = api.plane
        self.app = api.app()

    def request(self, path, method='GET', body=None, version=VERSION):
        req = webob.Request.blank('/v2.1' + path, method=method, headers={
            'X-Auth-Token': 'admin:admin',
            'OpenStack-API-Version': 'compute %s' % version})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        return resp.status_int, (jsonutils.loads(resp.body)
                                 if resp.body else None)

    def start(self):
        """A non-converging server on compute1 live-migrating to
        compute2, once its migration is running."""
        inst, mig = self.cp.start_live_migration(NON_CONVERGING)
        self.addCleanup(self._stop, inst.uuid)
        return inst, mig

    def _stop(self, uuid):
        mig = self.cp.migration_of(uuid)
        if mig is None or mig.status in control_plane.FINAL + (
                'running (post-copy)',):
            if mig is not None and mig.status not in control_plane.FINAL:
                self.cp.wait_for_migration(uuid, timeout=30)
            return
        compute_rpcapi.ComputeAPI().live_migration_abort(
            self.cp.new_context(),
            instance_obj.Instance.get_by_uuid(self.cp.admin, uuid), mig.id)
        self.cp.wait_for_migration(uuid, timeout=30)

    def action(self, inst, mig, body):
        return self.request('/servers/%s/migrations/%s/action'
                            % (inst.uuid, mig.id), 'POST', body)

    def progress(self, inst, mig):
        status, body = self.request('/servers/%s/migrations/%s'
                                    % (inst.uuid, mig.id))
        if status != 200:
            return None     # ended: no longer in progress
        return body['migration']['progress']

    def wait_progress(self, inst, mig, predicate, what):
        def check():
            progress = self.progress(inst, mig)
            return progress if progress and predicate(progress) else None
        return control_plane.wait_for(check, what=what)

    def events(self, inst, action):
        """The compute events of the instance's ``action``."""
        def find():
            status, body = self.request(
                '/servers/%s/os-instance-actions' % inst.uuid,
                version='2.51')
            for entry in body['instanceActions']:
                if entry['action'] != action:
                    continue
                _, shown = self.request(
                    '/servers/%s/os-instance-actions/%s'
                    % (inst.uuid, entry['request_id']), version='2.51')
                events = {e['event']: e['result']
                          for e in shown['instanceAction']['events']}
                if any(r in ('Success', 'Error') for r in events.values()):
                    return events
            return None
        return control_plane.wait_for(find, what='events of %s' % action)


class TestControls(ControlsTestBase):

    def test_settings_show_in_progress(self):
        inst, mig = self.start()
        progress = self.wait_progress(
            inst, mig, lambda p: p['max_downtime_ms'] is not None,
            'the first progress save')
        self.assertEqual(0, progress['bandwidth_mib_per_s'])
        self.assertFalse(progress['post_copy_permitted'])
        self.assertGreater(progress['max_downtime_ms'], 0)

    def test_set_bandwidth_caps_the_transfer(self):
        inst, mig = self.start()
        self.assertEqual(202, self.action(
            inst, mig, {'set_bandwidth': {'mib_per_s': 5}})[0])
        self.wait_progress(inst, mig,
                           lambda p: p['bandwidth_mib_per_s'] == 5,
                           'bandwidth 5 MiB/s in progress')
        self.assertEqual(
            'Success',
            self.events(inst, 'live_migration_set_bandwidth')[
                'compute_live_migration_set_bandwidth'])
        self.assertEqual(202, self.action(
            inst, mig, {'set_bandwidth': {'mib_per_s': 0}})[0])
        self.wait_progress(inst, mig,
                           lambda p: p['bandwidth_mib_per_s'] == 0,
                           'the cap lifted')

    def test_set_max_downtime_lets_a_migration_converge(self):
        # The guest dirties memory as fast as the link sends it: with
        # the configured downtime it never switches over; with a pause
        # long enough for the whole working set it does.
        inst, mig = self.start()
        status, body = self.action(
            inst, mig, {'set_max_downtime': {'ms': 600000}})
        self.assertEqual(202, status, body)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.assertEqual('compute2',
                         self.cp.wait_for_task_cleared(inst.uuid).host)
        self.assertEqual(
            'Success',
            self.events(inst, 'live_migration_set_max_downtime')[
                'compute_live_migration_set_max_downtime'])
        _, body = self.request('/os-migrations?instance_uuid=%s'
                               % inst.uuid)
        self.assertEqual(['completed'],
                         [m['status'] for m in body['migrations']])

    def test_switch_to_post_copy_needs_permission(self):
        inst, mig = self.start()
        status, body = self.action(inst, mig, {'switch_to_post_copy': None})
        self.assertEqual(409, status, body)
        self.assertIn('post-copy', body['conflictingRequest']['message'])
        self.assertEqual('running', self.cp.migration_of(inst.uuid).status)


class TestPostCopy(ControlsTestBase):
    config = {'live_migration': {'permit_post_copy': True}}

    def test_switch_to_post_copy_completes_on_the_destination(self):
        inst, mig = self.start()
        self.assertTrue(self.progress(inst, mig)['post_copy_permitted'])
        status, body = self.action(inst, mig, {'switch_to_post_copy': None})
        self.assertEqual(202, status, body)
        done = self.cp.wait_for_migration(inst.uuid)
        self.assertEqual('completed', done.status)
        self.assertIn('running (post-copy)', done.progress_detail['phases'])
        self.assertEqual('compute2',
                         self.cp.wait_for_task_cleared(inst.uuid).host)
        self.assertEqual(
            'Success',
            self.events(inst, 'live_migration_switch_to_post_copy')[
                'compute_live_migration_switch_to_post_copy'])
