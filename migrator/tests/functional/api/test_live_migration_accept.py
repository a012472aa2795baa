"""Accepting a live migration is all or nothing: the claim on the server
(task_state ``migrating``), the ``live-migration`` action and the
``accepted`` Migration are written together before the 202, or none of
them is."""
import json

import fixtures
import testtools
import webob

from migrator.db import session
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

        def fail_once(ctxt, instance, **kwargs):
            calls.append(instance.uuid)
            if len(calls) == 1:
                raise RuntimeError('database gone (injected)')
            return real(ctxt, instance, **kwargs)
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


class TestAcceptIsOneTransaction(testtools.TestCase):
    """An accept of a server the API has seen reads it, claims it and
    writes the action and the Migration on one connection of its cell:
    four statements, one checkout (each checkout is a ping and rollbacks
    more, and the read used to go through a cell worker thread of its
    own: benchmarks/bench_accept_latency.py)."""

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI())
        self.plane = self.api.plane
        self.app = self.api.app()
        # The conductor is not asked: only the API's own work is counted.
        self.casts = []
        self.useFixture(fixtures.MockPatch(
            'migrator.rpcapi.conductor.ConductorAPI.live_migrate_server',
            autospec=True,
            side_effect=lambda rpcapi, ctxt, instance, host, **k:
                self.casts.append(dict(k, instance=instance, host=host))))

    def request(self, method, path, body=None, version='2.34'):
        req = webob.Request.blank(
            '/v2.1' + path, method=method,
            headers={'X-Auth-Token': 'admin:admin',
                     'OpenStack-API-Version': 'compute %s' % version})
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        return req.get_response(self.app)

    def capture(self):
        """The statements and pool checkouts of this thread (the
        request's) from now on."""
        import threading

        import sqlalchemy as sa
        me = threading.get_ident()
        seen = {'statements': [], 'checkouts': 0}

        def statement(conn, cursor, text, params, context, many):
            first = text.lstrip().split(None, 1)[0].upper()
            if threading.get_ident() == me and first in (
                    'SELECT', 'INSERT', 'UPDATE', 'DELETE'):
                seen['statements'].append(' '.join(text.split()[:3]))

        def checkout(dbapi, record, proxy):
            if threading.get_ident() == me:
                seen['checkouts'] += 1

        def flush(db, flush_context, instances):
            if threading.get_ident() == me:
                seen['flushes'] += 1
        seen['flushes'] = 0
        sa.event.listen(sa.engine.Engine, 'before_cursor_execute',
                        statement)
        sa.event.listen(sa.pool.Pool, 'checkout', checkout)
        sa.event.listen(sa.orm.Session, 'before_flush', flush)
        self.addCleanup(sa.event.remove, sa.engine.Engine,
                        'before_cursor_execute', statement)
        self.addCleanup(sa.event.remove, sa.pool.Pool, 'checkout', checkout)
        self.addCleanup(sa.event.remove, sa.orm.Session, 'before_flush',
                        flush)
        # Transaction scopes entered (session.reader/writer, joined or
        # not): each is enginefacade bookkeeping, a third of the API's
        # CPU per accept when the claim and records had one each.
        seen['scopes'] = 0
        real = session._marked

        def marked(scope, reading):
            if threading.get_ident() == me:
                seen['scopes'] += 1
            return real(scope, reading)
        self.useFixture(fixtures.MockPatchObject(session, '_marked',
                                                 side_effect=marked))
        return seen

    def migrate(self, uuid, version='2.34'):
        return self.request('POST', '/servers/%s/action' % uuid, {
            'os-migrateLive': {'host': None, 'block_migration': 'auto'}},
            version)

    def test_accept_statements(self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        # Seen once, as a client looks at a server before moving it.
        self.assertEqual(200, self.request(
            'GET', '/servers/%s' % inst.uuid).status_int)
        seen = self.capture()
        resp = self.migrate(inst.uuid)
        self.assertEqual(202, resp.status_int, resp.text)
        self.assertEqual(1, len(self.casts))
        self.assertEqual(
            ['SELECT instances.id, instances.uuid,',
             'UPDATE instances SET',
             'INSERT INTO instance_actions',
             'INSERT INTO migrations'],
            seen['statements'])
        self.assertEqual(1, seen['checkouts'])
        # Core statements on one scope's connection: no ORM unit of work
        # (an object and a flush per record), no nested scope.
        self.assertEqual(0, seen['flushes'])
        self.assertEqual(1, seen['scopes'])
        migration = self.plane.migration_of(inst.uuid)
        self.assertEqual('accepted', migration.status)
        # What the conductor is sent: the server claimed, the migration
        # as written.
        sent = self.casts[0]
        self.assertEqual('migrating', sent['instance'].task_state)
        self.assertEqual(set(), sent['instance'].obj_what_changed())
        self.assertEqual(migration.obj_to_primitive(),
                         sent['migration'].obj_to_primitive())

    def test_lost_claim_is_a_409_and_writes_nothing(self):
        """Two requests both read the server with no task; the
        compare-and-swap of the second one finds the first one's claim:
        409, from the UPDATE's row count, and nothing of it written."""
        inst = self.plane.boot('m1.tiny', host='compute1')
        real = instance_obj.Instance.read_in

        def read_before_the_other_claim(db, context, uuid):
            # The other request's claim lands between this one's read and
            # its claim. (SQLite's writer holds the database: the claim is
            # made before, and this read made to miss it.)
            instance = real(db, context, uuid)
            instance.task_state = None
            instance.obj_reset_changes()
            return instance
        claimed = instance_obj.Instance.get_by_uuid(self.plane.admin,
                                                    inst.uuid)
        claimed.task_state = 'migrating'
        claimed.save(expected_task_state=[None])
        self.useFixture(fixtures.MockPatchObject(
            instance_obj.Instance, 'read_in',
            side_effect=read_before_the_other_claim))
        seen = self.capture()
        resp = self.migrate(inst.uuid)
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertEqual(
            {'conflictingRequest': {
                'code': 409,
                'message': 'Conflict updating instance %s. Expected: '
                           '[None]. Actual: migrating' % inst.uuid}},
            resp.json)
        self.assertEqual(['SELECT instances.id, instances.uuid,',
                          'UPDATE instances SET',
                          'SELECT instances.task_state, instances.deleted'],
                         seen['statements'][-3:])
        self.assertEqual([], self.casts)
        self.assertEqual(['create'], [a.action for a in
                                      action_obj.InstanceActionList.
                                      get_by_instance_uuid(
                                          self.plane.admin, inst.uuid)])
        self.assertIsNone(self.plane.migration_of(inst.uuid))

    def test_refused_accept_writes_nothing(self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        self.assertEqual(202, self.migrate(inst.uuid).status_int)
        seen = self.capture()
        # Still migrating (the conductor was not asked): a 409, from the
        # same single read, and nothing written.
        resp = self.migrate(inst.uuid)
        self.assertEqual(409, resp.status_int, resp.text)
        self.assertEqual(['SELECT instances.id, instances.uuid,'],
                         seen['statements'])
        self.assertEqual(1, seen['checkouts'])

    def test_policy_and_arguments_are_checked_before_anything_is_written(
            self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        # 2.30: force without a host is the caller's mistake (400).
        resp = self.request('POST', '/servers/%s/action' % inst.uuid, {
            'os-migrateLive': {'host': None, 'block_migration': 'auto',
                               'force': True}}, '2.30')
        self.assertEqual(400, resp.status_int, resp.text)
        after = instance_obj.Instance.get_by_uuid(self.plane.admin,
                                                  inst.uuid)
        self.assertIsNone(after.task_state)
        self.assertIsNone(self.plane.migration_of(inst.uuid))
        self.assertEqual([], self.casts)

    def test_unknown_server_is_404(self):
        resp = self.migrate('8c6c0e9e-6d3a-4a36-9d1b-1f5f0c2d7c11')
        self.assertEqual(404, resp.status_int, resp.text)
