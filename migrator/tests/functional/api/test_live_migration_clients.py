"""Live migration through the API over real HTTP: two racing requests,
python-novaclient at 2.80 (asynchronous) and openstacksdk's
``live_migrate_server`` (which sends 2.30: blocking), each followed to
its outcome through the server's instance actions."""
import threading

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
import openstack
import requests
import testtools

from migrator.api.server import WSGIServer
from migrator.compute import api as compute_api
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional import control_plane

SUCCESS_EVENTS = ('conductor_live_migrate_server',
                  'compute_check_can_live_migrate_destination',
                  'compute_check_can_live_migrate_source',
                  'compute_pre_live_migration', 'compute_live_migration',
                  'compute_post_live_migration_at_destination')


class LiveMigrationOverHTTP(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI())
        self.plane = self.api.plane
        server = WSGIServer(self.api.app(), '127.0.0.1', 0, threads=4)
        server.start()
        self.addCleanup(server.stop)
        self.url = server.url

    def instance(self, uuid):
        return instance_obj.Instance.get_by_uuid(self.plane.admin, uuid)

    def wait_until_settled(self, uuid):
        """The migration of ``uuid`` ended and its task is cleared."""
        self.plane.wait_for_migration(uuid)
        return self.plane.wait_for_task_cleared(uuid)


class TestRace(LiveMigrationOverHTTP):

    def _post(self, uuid, version, results, barrier):
        barrier.wait()
        response = requests.post(
            '%s/v2.1/servers/%s/action' % (self.url, uuid),
            json={'os-migrateLive': {'host': 'compute2',
                                     'block_migration': 'auto'}},
            headers={'X-Auth-Token': 'admin:admin',
                     'OpenStack-API-Version': 'compute %s' % version},
            timeout=30)
        results.append(response.status_code)

    def _race(self, version):
        inst = self.plane.boot(host='compute1')
        results = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=self._post,
                                    args=(inst.uuid, version, results,
                                          barrier))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual([202, 409], sorted(results))
        self.assertEqual('compute2', self.wait_until_settled(inst.uuid).host)
        # One request won: one migration, one live-migration action.
        actions = compute_api.API().get_instance_actions(
            self.plane.admin, self._with_cell(inst))
        self.assertEqual(['live-migration', 'create'],
                         [a.action for a in actions])

    def _with_cell(self, inst):
        inst._cell = self.plane.cell
        return inst

    def test_two_async_requests_one_wins(self):
        self._race('2.34')

    def test_two_blocking_requests_one_wins(self):
        self._race('2.30')

    def test_claim_is_a_compare_and_swap(self):
        """Both requests read the server before either claimed it: the
        state check passes for both, the compare-and-swap stops one."""
        inst = self.plane.boot(host='compute1')
        api = compute_api.API()
        ctxt = self.plane.new_context()
        first = api.get_server(ctxt, inst.uuid)
        second = api.get_server(ctxt, inst.uuid)
        api.live_migrate(ctxt, first, 'compute2', None, None, True)
        ctxt2 = self.plane.new_context()
        self.assertRaises(exception.UnexpectedTaskStateError,
                          api.live_migrate, ctxt2, second, 'compute2',
                          None, None, True)
        self.wait_until_settled(inst.uuid)


class TestNovaclient(LiveMigrationOverHTTP):

    def nova(self, version='2.80'):
        auth = token_endpoint.Token(self.url + '/v2.1', 'admin:admin')
        return nova_client.Client(version, session=ks_session.Session(
            auth=auth), endpoint_override=self.url + '/v2.1')

    def test_live_migration_and_its_instance_action(self):
        inst = self.plane.boot(host='compute1')
        nova = self.nova()
        result = nova.servers.live_migrate(inst.uuid, 'compute2', 'auto')
        request_id = result.request_ids[0]
        moved = self.wait_until_settled(inst.uuid)
        self.assertEqual('compute2', moved.host)
        self.assertEqual('compute2',
                         getattr(nova.servers.get(inst.uuid),
                                 'OS-EXT-SRV-ATTR:host'))
        actions = nova.instance_action.list(inst.uuid)
        self.assertEqual([('live-migration', request_id),
                          ('create', actions[1].request_id)],
                         [(a.action, a.request_id) for a in actions])
        action = nova.instance_action.get(inst.uuid, request_id)
        self.assertIsNone(action.message)
        events = {e['event']: e for e in action.events}
        self.assertEqual(set(SUCCESS_EVENTS), set(events))
        for name in SUCCESS_EVENTS:
            self.assertEqual('Success', events[name]['result'], name)

    def test_failed_check_is_seen_on_the_action(self):
        inst = self.plane.boot(host='compute1')
        nova = self.nova()
        result = nova.servers.live_migrate(inst.uuid, 'compute1', 'auto')
        request_id = result.request_ids[0]
        self.assertEqual('error',
                         self.plane.wait_for_migration(inst.uuid).status)
        action = control_plane.wait_for(
            lambda: (lambda a: a if a.message else None)(
                nova.instance_action.get(inst.uuid, request_id)),
            what='the action to record the failure')
        self.assertEqual('Error', action.message)
        [event] = action.events
        self.assertEqual('conductor_live_migrate_server', event['event'])
        self.assertEqual('Error', event['result'])
        # details come at 2.84; at 2.80 an admin sees the traceback.
        self.assertIn('UnableToMigrateToSelf', event['traceback'])
        self.assertNotIn('details', event)
        back = self.plane.wait_for_task_cleared(inst.uuid)
        self.assertEqual(instance_obj.ACTIVE, back.vm_state)

    def test_blocking_failure_below_234(self):
        inst = self.plane.boot(host='compute1')
        nova = self.nova('2.30')
        exc = self.assertRaises(nova_exc.BadRequest,
                                nova.servers.live_migrate, inst.uuid,
                                'compute1', 'auto')
        self.assertIn('to current host (compute1)', str(exc))
        inst = self.instance(inst.uuid)
        self.assertIsNone(inst.task_state)
        self.assertEqual(instance_obj.ACTIVE, inst.vm_state)


class TestOpenstackSDK(LiveMigrationOverHTTP):

    def setUp(self):
        super().setUp()
        self.conn = openstack.connect(
            auth_type='admin_token',
            auth={'endpoint': self.url + '/v2.1', 'token': 'admin:admin'},
            compute_api_version='2', region_name='RegionOne',
            load_envvars=False, load_yaml_config=False)

    def test_live_migrate_server_then_server_actions(self):
        inst = self.plane.boot(host='compute1')
        self.conn.compute.live_migrate_server(inst.uuid, host='compute2')
        # The SDK sends 2.30: the call returned after the pre-checks
        # passed; the migration itself runs on.
        self.assertEqual('compute2', self.wait_until_settled(inst.uuid).host)
        actions = list(self.conn.compute.server_actions(inst.uuid))
        self.assertEqual(['live-migration', 'create'],
                         [a.action for a in actions])
        action = self.conn.compute.get_server_action(
            actions[0].request_id, inst.uuid)
        self.assertEqual({'Success'}, {e['result'] if isinstance(e, dict)
                                       else e.result
                                       for e in action.events})

    def test_failing_pre_check_raises(self):
        inst = self.plane.boot(host='compute1')
        exc = self.assertRaises(openstack.exceptions.BadRequestException,
                                self.conn.compute.live_migrate_server,
                                inst.uuid, host='compute1')
        self.assertIn('to current host (compute1)', str(exc))
        inst = self.instance(inst.uuid)
        self.assertIsNone(inst.task_state)
        self.assertEqual('compute1', inst.host)
