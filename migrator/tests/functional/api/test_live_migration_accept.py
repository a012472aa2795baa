"""Accepting a live migration is all or nothing: the claim on the server
(task_state ``migrating``), the ``live-migration`` action and the
``accepted`` Migration are written together before the 202, or none of
them is."""
import json

import fixtures
import testtools
import webob

from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import migration as migration_obj
from migrator.tests.functional.api import control_plane_api


class TestAcceptIsAllOrNothing(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI())
        self.plane = self.api.plane
        self.app = self.api.app()

    def post(self, server_id, version):
        req = webob.Request.blank(
            '/v2.1/servers/%s/action' % server_id, method='POST',
            headers={'X-Auth-Token': 'admin:admin',
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': 'compute %s' % version})
        req.body = json.dumps({'os-migrateLive': {
            'host': 'compute2', 'block_migration': 'auto'}}).encode()
        return req.get_response(self.app)

    def actions(self, uuid):
        return [a.action for a in
                action_obj.InstanceActionList.get_by_instance_uuid(
                    self.plane.admin, uuid)]

    def test_accepted_records_exist_when_the_202_is_sent(self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        casts = []

        def cast(rpcapi, ctxt, instance, host, **kwargs):
            # What the conductor will find once it is asked.
            casts.append((instance_obj.Instance.get_by_uuid(
                self.plane.admin, instance.uuid).task_state,
                kwargs['migration'].status,
                migration_obj.Migration.get_by_id(
                    self.plane.admin, kwargs['migration'].id).status,
                self.actions(instance.uuid)))
        self.useFixture(fixtures.MockPatch(
            'migrator.rpcapi.conductor.ConductorAPI.live_migrate_server',
            autospec=True, side_effect=cast))
        resp = self.post(inst.uuid, '2.34')
        self.assertEqual(202, resp.status_int, resp.text)
        self.assertEqual([('migrating', 'accepted', 'accepted',
                           ['live-migration', 'create'])], casts)

    def test_failed_record_leaves_the_server_as_it_was(self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        real = migration_obj.Migration.create_live_migration
        calls = []

        def fail_once(ctxt, instance):
            calls.append(instance.uuid)
            if len(calls) == 1:
                raise RuntimeError('database gone (injected)')
            return real(ctxt, instance)
        self.useFixture(fixtures.MockPatch(
            'migrator.objects.migration.Migration.create_live_migration',
            side_effect=fail_once))
        resp = self.post(inst.uuid, '2.34')
        self.assertEqual(500, resp.status_int, resp.text)
        after = instance_obj.Instance.get_by_uuid(self.plane.admin,
                                                  inst.uuid)
        self.assertIsNone(after.task_state)
        self.assertEqual(['create'], self.actions(inst.uuid))
        self.assertIsNone(self.plane.migration_of(inst.uuid))
        # Nothing to clean up: the server migrates as usual next time.
        resp = self.post(inst.uuid, '2.34')
        self.assertEqual(202, resp.status_int, resp.text)
        self.assertEqual('completed',
                         self.plane.wait_for_migration(inst.uuid).status)
