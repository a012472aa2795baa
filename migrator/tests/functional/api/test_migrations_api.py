"""os-migrations and server-migrations over the real WSGI app, with
migration records written straight into the cell database: fields per
microversion, filters, paging, errors and policy."""
import datetime
from urllib import parse

from oslo_serialization import jsonutils
from oslo_utils import uuidutils
import testtools
import webob

from migrator import context as migrator_context
from migrator.objects import instance as instance_obj
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import migration as migration_obj
from migrator import policy
from migrator.tests.functional.api import fixtures as api_fixtures

# When a phase began, as the compute stamps it.
STARTED = '2026-01-01T00:00:00.000000Z'

BASE_FIELDS = {'created_at', 'dest_compute', 'dest_host', 'dest_node',
               'id', 'instance_uuid', 'new_instance_type_id',
               'old_instance_type_id', 'source_compute', 'source_node',
               'status', 'updated_at'}
SIX = {'memory_total', 'memory_processed', 'memory_remaining',
       'disk_total', 'disk_processed', 'disk_remaining'}
SERVER_FIELDS = {'created_at', 'dest_compute', 'dest_host', 'dest_node',
                 'id', 'server_uuid', 'source_compute', 'source_node',
                 'status', 'updated_at'} | {f + '_bytes' for f in SIX}
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


class MigrationsAPITestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())
        self.app = self.api.app()
        self.ctxt = migrator_context.get_admin_context()
        self.n = 0

    def request(self, path, version='2.1', method='GET', body=None,
                token='admin:admin'):
        headers = {'X-Auth-Token': token,
                   'OpenStack-API-Version': 'compute %s' % version}
        req = webob.Request.blank(path, method=method, headers=headers)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        data = jsonutils.loads(resp.body) if resp.body else None
        return resp.status_int, data

    def server(self, project='admin', user='admin', **values):
        with migrator_context.target_cell(self.ctxt, self.api.cell) as c:
            inst = instance_obj.Instance(
                c, uuid=uuidutils.generate_uuid(), display_name='s',
                vm_state=values.pop('vm_state', instance_obj.ACTIVE),
                task_state=values.pop('task_state', instance_obj.MIGRATING),
                power_state=1, host='host1', node='host1',
                project_id=project, user_id=user, memory_mb=512, vcpus=1,
                root_gb=1, ephemeral_gb=0, locked=values.pop('locked',
                                                             False),
                metadata={}, progress=0)
            inst.create()
        mapping_obj.InstanceMapping(
            self.ctxt, instance_uuid=inst.uuid, cell_mapping=self.api.cell,
            project_id=project, user_id=user,
            queued_for_delete=False).create()
        return inst

    def migration(self, instance_uuid=None, status='running',
                  migration_type='live-migration', minutes=None, **values):
        self.n += 1
        minutes = self.n if minutes is None else minutes
        when = T0 + datetime.timedelta(minutes=minutes)
        fields = dict(
            instance_uuid=instance_uuid or uuidutils.generate_uuid(),
            status=status, migration_type=migration_type,
            source_compute='host1', dest_compute='host2',
            source_node='host1', dest_node='host2', dest_host='10.0.0.2',
            old_instance_type_id=1, new_instance_type_id=1,
            user_id='admin', project_id='admin', hidden=False,
            created_at=when, updated_at=when)
        fields.update(values)
        with migrator_context.target_cell(self.ctxt, self.api.cell) as c:
            mig = migration_obj.Migration(c, **fields)
            mig.create()
        return mig


class TestOsMigrations(MigrationsAPITestBase):

    def test_fields_per_microversion(self):
        live = self.migration(memory_total=100, memory_processed=40,
                              memory_remaining=60, disk_total=0,
                              disk_processed=0, disk_remaining=0)
        cold = self.migration(status='finished', migration_type='resize',
                              disk_total=10, disk_processed=5,
                              disk_remaining=5)
        self.migration(status='completed', hidden=True)

        status, body = self.request('/v2.1/os-migrations')
        self.assertEqual(200, status)
        self.assertEqual(2, len(body['migrations']))  # hidden left out
        self.assertEqual(BASE_FIELDS, set(body['migrations'][0]))
        self.assertEqual('2026-01-01T12:02:00.000000',
                         body['migrations'][0]['created_at'])

        _, body = self.request('/v2.1/os-migrations', '2.23')
        by_id = {m['id']: m for m in body['migrations']}
        self.assertEqual(BASE_FIELDS | {'migration_type', 'links'},
                         set(by_id[live.id]))
        self.assertTrue(by_id[live.id]['links'][0]['href'].endswith(
            '/v2.1/servers/%s/migrations/%s' % (live.instance_uuid,
                                                live.id)))
        self.assertNotIn('links', by_id[cold.id])

        _, body = self.request('/v2.1/os-migrations', '2.80')
        entry = {m['id']: m for m in body['migrations']}[live.id]
        self.assertEqual(BASE_FIELDS | {'migration_type', 'links', 'uuid',
                                        'user_id', 'project_id'},
                         set(entry))
        self.assertEqual(live.uuid, entry['uuid'])

        _, body = self.request('/v2.1/os-migrations', '2.106')
        by_id = {m['id']: m for m in body['migrations']}
        self.assertEqual(SIX, SIX & set(by_id[live.id]))
        self.assertEqual((100, 40, 60), (by_id[live.id]['memory_total'],
                                         by_id[live.id]['memory_processed'],
                                         by_id[live.id]['memory_remaining']))
        self.assertIsNone(by_id[cold.id]['memory_total'])
        self.assertEqual(5, by_id[cold.id]['disk_remaining'])
        self.assertNotIn('progress', by_id[live.id])

    def test_post_copy_counts_as_in_progress_for_links(self):
        mig = self.migration(status='running (post-copy)')
        _, body = self.request('/v2.1/os-migrations', '2.23')
        self.assertIn('links', body['migrations'][0])
        self.assertEqual(mig.id, body['migrations'][0]['id'])

    def test_filters(self):
        a = self.migration(status='running', source_compute='host1',
                           dest_compute='host2')
        b = self.migration(status='error', source_compute='host2',
                           dest_compute='host3', migration_type='migration')
        c = self.migration(status='completed', source_compute='host3',
                           dest_compute='host1')

        def ids(query, version='2.1'):
            status, body = self.request('/v2.1/os-migrations?' + query,
                                        version)
            self.assertEqual(200, status, body)
            return sorted(m['id'] for m in body['migrations'])

        self.assertEqual([a.id], ids('status=running'))
        self.assertEqual([a.id, b.id],
                         ids('status=running&status=error'))
        self.assertEqual([a.id, c.id], ids('host=host1'))
        self.assertEqual([b.id], ids('source_compute=host2'))
        # host wins over source_compute
        self.assertEqual([a.id, c.id],
                         ids('host=host1&source_compute=host2'))
        self.assertEqual([c.id], ids('instance_uuid=' + c.instance_uuid))
        self.assertEqual([b.id], ids('migration_type=migration'))
        self.assertEqual([], ids('hidden=true'))
        self.assertEqual([a.id, b.id, c.id], ids('hidden=false'))
        # Below 2.59 unknown keys are ignored.
        self.assertEqual([a.id, b.id, c.id], ids('foo=bar'))

    def test_changes_since_and_before(self):
        old = self.migration(minutes=1)
        new = self.migration(minutes=30)
        since = parse.quote('2026-01-01T12:10:00Z')
        before = parse.quote('2026-01-01T12:05:00Z')

        def ids(query, version):
            status, body = self.request('/v2.1/os-migrations?' + query,
                                        version)
            return status, sorted(m['id'] for m in body.get(
                'migrations', [])) if status == 200 else body

        # Dropped before 2.59, as in Nova.
        self.assertEqual((200, sorted([old.id, new.id])),
                         ids('changes-since=' + since, '2.58'))
        self.assertEqual((200, [new.id]),
                         ids('changes-since=' + since, '2.59'))
        # changes-before is an unknown key at 2.59.
        self.assertEqual(400, ids('changes-before=' + before, '2.59')[0])
        self.assertEqual((200, [old.id]),
                         ids('changes-before=' + before, '2.66'))
        status, body = ids('changes-since=%s&changes-before=%s'
                           % (since, before), '2.66')
        self.assertEqual(400, status)
        self.assertIn('changes-since must be less than or equal',
                      body['badRequest']['message'])
        self.assertEqual(400, ids('changes-since=yesterday', '2.59')[0])

    def test_user_and_project_filters_at_2_80(self):
        mine = self.migration(user_id='u1', project_id='p1')
        other = self.migration(user_id='u2', project_id='p2')
        _, body = self.request('/v2.1/os-migrations?project_id=p1', '2.80')
        self.assertEqual([mine.id], [m['id'] for m in body['migrations']])
        _, body = self.request('/v2.1/os-migrations?user_id=u2', '2.80')
        self.assertEqual([other.id], [m['id'] for m in body['migrations']])
        status, _ = self.request('/v2.1/os-migrations?user_id=u2', '2.79')
        self.assertEqual(400, status)

    def test_paging_with_marker(self):
        made = [self.migration(minutes=m) for m in (1, 2, 2, 3, 4)]
        expected = [m.uuid for m in sorted(
            made, key=lambda m: (m.created_at, m.id), reverse=True)]
        seen = []
        url = '/v2.1/os-migrations?limit=2'
        pages = 0
        while url:
            status, body = self.request(url, '2.59')
            self.assertEqual(200, status, body)
            pages += 1
            seen.extend(m['uuid'] for m in body['migrations'])
            links = body.get('migrations_links')
            if links:
                self.assertEqual('next', links[0]['rel'])
                url = links[0]['href'].split('http://localhost', 1)[-1]
                self.assertIn('marker=' + seen[-1], url)
            else:
                url = None
        self.assertEqual(expected, seen)
        self.assertEqual(3, pages)

    def test_paging_errors(self):
        self.migration()
        for query, version in (('marker=' + uuidutils.generate_uuid(),
                                '2.59'),
                               ('limit=-1', '2.59'), ('limit=x', '2.59'),
                               ('limit=1&limit=2', '2.59'),
                               ('foo=bar', '2.59')):
            status, body = self.request('/v2.1/os-migrations?' + query,
                                        version)
            self.assertEqual(400, status, query)
            self.assertIn('badRequest', body)
        # Paging parameters are not part of the API below 2.59.
        status, body = self.request('/v2.1/os-migrations?limit=0', '2.58')
        self.assertEqual((200, 1), (status, len(body['migrations'])))

    def test_non_admin_is_forbidden_and_hosts_hidden(self):
        self.migration(project_id='demo')
        status, body = self.request('/v2.1/os-migrations', token='demo:demo')
        self.assertEqual(403, status)
        self.assertIn('forbidden', body)

    def test_manager_policy(self):
        manager = migrator_context.RequestContext(
            user_id='m', project_id='p1', roles=['manager'])
        root = 'os_compute_api:os-migrations:%s'
        self.assertTrue(policy.check(manager, root % 'index'))
        self.assertFalse(policy.check(manager, root % 'index:all_projects'))
        self.assertFalse(policy.check(manager, root % 'index:host'))
        sm = 'os_compute_api:servers:migrations:%s'
        target = {'project_id': 'p1', 'user_id': 'x'}
        for rule in ('index', 'force_complete', 'delete'):
            self.assertTrue(policy.check(manager, sm % rule, target), rule)
            self.assertFalse(policy.check(
                manager, sm % rule, {'project_id': 'p2'}), rule)
        self.assertFalse(policy.check(manager, sm % 'show', target))


class TestServerMigrations(MigrationsAPITestBase):

    def path(self, inst, mid=None, suffix=''):
        path = '/v2.1/servers/%s/migrations' % inst.uuid
        if mid is not None:
            path += '/%s' % mid
        return path + suffix

    def test_list_and_show_in_progress_live_migrations(self):
        inst = self.server()
        running = self.migration(inst.uuid, 'running', memory_total=10,
                                 memory_processed=4, memory_remaining=6,
                                 progress_detail={
                                     'percent': 40, 'transfer_rate': 1000,
                                     'dirty_rate': 10, 'iteration': 2,
                                     'expected_downtime_ms': 300,
                                     'eta_seconds': None,
                                     'phases': {'running': STARTED}})
        postcopy = self.migration(inst.uuid, 'running (post-copy)')
        done = self.migration(inst.uuid, 'completed')
        cold = self.migration(inst.uuid, 'migrating',
                              migration_type='migration')

        status, body = self.request(self.path(inst), '2.22')
        self.assertEqual(404, status)

        status, body = self.request(self.path(inst), '2.23')
        self.assertEqual(200, status)
        self.assertEqual({running.id, postcopy.id},
                         {m['id'] for m in body['migrations']})
        self.assertEqual(SERVER_FIELDS, set(body['migrations'][0]))

        _, body = self.request(self.path(inst, running.id), '2.23')
        self.assertEqual(4, body['migration']['memory_processed_bytes'])
        self.assertEqual(inst.uuid, body['migration']['server_uuid'])

        _, body = self.request(self.path(inst, running.id), '2.80')
        self.assertEqual(SERVER_FIELDS | {'uuid', 'user_id', 'project_id'},
                         set(body['migration']))

        _, body = self.request(self.path(inst, running.id), '2.106')
        self.assertEqual({'percent': 40, 'transfer_rate': 1000,
                          'dirty_rate': 10, 'iteration': 2,
                          'expected_downtime_ms': 300, 'eta_seconds': None,
                          'phases': {'running': STARTED}},
                         body['migration']['progress'])
        _, body = self.request(self.path(inst, postcopy.id), '2.106')
        self.assertEqual(0, body['migration']['progress']['percent'])
        self.assertEqual({}, body['migration']['progress']['phases'])

        for mid in (done.id, cold.id, 999999, 'abc'):
            status, body = self.request(self.path(inst, mid), '2.23')
            self.assertEqual(404, status, mid)
        other = self.server()
        status, _ = self.request(self.path(other, running.id), '2.23')
        self.assertEqual(404, status)
        status, _ = self.request(
            '/v2.1/servers/%s/migrations' % uuidutils.generate_uuid(),
            '2.23')
        self.assertEqual(404, status)

    def test_force_complete_errors(self):
        inst = self.server()
        queued = self.migration(inst.uuid, 'queued')
        running = self.migration(inst.uuid, 'running')
        body = {'force_complete': None}
        cases = [
            ('2.21', running.id, body, 404),   # not served below 2.22
            ('2.22', queued.id, body, 400),    # not running
            ('2.22', 999999, body, 400),       # not found: 400 like Nova
            ('2.22', running.id, {'force_complete': 1}, 400),
            ('2.22', running.id, {'other': None}, 400),
        ]
        for version, mid, req_body, expected in cases:
            status, resp = self.request(
                self.path(inst, mid, '/action'), version, 'POST',
                req_body)
            self.assertEqual(expected, status, (version, mid, resp))
        idle = self.server(task_state=None)
        mig = self.migration(idle.uuid, 'running')
        status, resp = self.request(self.path(idle, mig.id, '/action'),
                                    '2.22', 'POST', body)
        self.assertEqual(409, status, resp)
        locked = self.server(locked=True, project='demo', user='demo')
        mig = self.migration(locked.uuid, 'running')
        status, _ = self.request(self.path(locked, mig.id, '/action'),
                                 '2.22', 'POST', body, token='demo:demo')
        self.assertEqual(403, status)  # members may not (manager/admin)
        status, _ = self.request(
            '/v2.1/servers/%s/migrations/1/action'
            % uuidutils.generate_uuid(), '2.22', 'POST', body)
        self.assertEqual(404, status)

    def test_runtime_controls_errors(self):
        inst = self.server()
        queued = self.migration(inst.uuid, 'queued')
        postcopy = self.migration(inst.uuid, 'running (post-copy)')
        running = self.migration(inst.uuid, 'running')
        downtime = {'set_max_downtime': {'ms': 500}}
        switch = {'switch_to_post_copy': None}
        cases = [
            # No runtime controls below 2.107.
            ('2.106', running.id, downtime, 400),
            ('2.106', running.id, {'set_bandwidth': {'mib_per_s': 1}}, 400),
            ('2.106', running.id, switch, 400),
            # Bad bodies.
            ('2.107', running.id, {'set_max_downtime': {'ms': 0}}, 400),
            ('2.107', running.id, {'set_max_downtime': {'ms': 'x'}}, 400),
            ('2.107', running.id, {'set_max_downtime': {}}, 400),
            ('2.107', running.id,
             {'set_max_downtime': {'ms': 5, 'other': 1}}, 400),
            ('2.107', running.id, {'set_bandwidth': {'mib_per_s': -1}},
             400),
            ('2.107', running.id, {'switch_to_post_copy': {}}, 400),
            ('2.107', running.id, dict(downtime, **switch), 400),
            ('2.107', running.id, {}, 400),
            # Not the server's: 400 as Nova's force_complete.
            ('2.107', 999999, downtime, 400),
            ('2.107', 'abc', downtime, 400),
            # Not running: 409.
            ('2.107', queued.id, downtime, 409),
            ('2.107', postcopy.id, downtime, 409),
            ('2.107', postcopy.id, switch, 409),
            # Running, but post-copy was not permitted at its start.
            ('2.107', running.id, switch, 409),
            # force_complete is still there.
            ('2.107', queued.id, {'force_complete': None}, 400),
        ]
        for version, mid, req_body, expected in cases:
            status, resp = self.request(
                self.path(inst, mid, '/action'), version, 'POST',
                req_body)
            self.assertEqual(expected, status, (version, mid, req_body,
                                                resp))
        status, resp = self.request(
            '/v2.1/servers/%s/migrations/1/action'
            % uuidutils.generate_uuid(), '2.107', 'POST', downtime)
        self.assertEqual(404, status)
        idle = self.server(task_state=None)
        mig = self.migration(idle.uuid, 'running')
        status, resp = self.request(self.path(idle, mig.id, '/action'),
                                    '2.107', 'POST', downtime)
        self.assertEqual(409, status, resp)

    def test_runtime_controls_are_admin_only(self):
        inst = self.server(project='demo', user='demo')
        mig = self.migration(inst.uuid, 'running')
        for body in ({'set_max_downtime': {'ms': 500}},
                     {'set_bandwidth': {'mib_per_s': 10}},
                     {'switch_to_post_copy': None}):
            status, _ = self.request(self.path(inst, mig.id, '/action'),
                                     '2.107', 'POST', body,
                                     token='demo:demo')
            self.assertEqual(403, status, body)
        manager = migrator_context.RequestContext(
            user_id='m', project_id='demo', roles=['manager', 'member'])
        target = {'project_id': 'demo', 'user_id': 'demo'}
        for rule in ('set_max_downtime', 'set_bandwidth',
                     'switch_to_post_copy'):
            self.assertFalse(policy.check(
                manager, 'os_compute_api:servers:migrations:%s' % rule,
                target), rule)

    def test_runtime_controls_accepted_and_recorded(self):
        inst = self.server()
        mig = self.migration(inst.uuid, 'running', progress_detail={
            'percent': 10, 'max_downtime_ms': 50,
            'bandwidth_mib_per_s': 0, 'post_copy_permitted': True})
        for body, action in (
                ({'set_max_downtime': {'ms': 500}},
                 'live_migration_set_max_downtime'),
                ({'set_bandwidth': {'mib_per_s': 0}},
                 'live_migration_set_bandwidth'),
                ({'switch_to_post_copy': None},
                 'live_migration_switch_to_post_copy')):
            status, resp = self.request(self.path(inst, mig.id, '/action'),
                                        '2.107', 'POST', body)
            self.assertEqual(202, status, resp)
            self.assertIsNone(resp)
            _, actions = self.request(
                '/v2.1/servers/%s/os-instance-actions' % inst.uuid)
            self.assertIn(action, [a['action']
                                   for a in actions['instanceActions']])
        # The settings in force show in progress from 2.107 only.
        _, body = self.request(self.path(inst, mig.id), '2.107')
        progress = body['migration']['progress']
        self.assertEqual((50, 0, True),
                         (progress['max_downtime_ms'],
                          progress['bandwidth_mib_per_s'],
                          progress['post_copy_permitted']))
        _, body = self.request(self.path(inst, mig.id), '2.106')
        self.assertNotIn('max_downtime_ms', body['migration']['progress'])

    def test_abort_errors_per_microversion(self):
        inst = self.server()
        queued = self.migration(inst.uuid, 'queued')
        postcopy = self.migration(inst.uuid, 'running (post-copy)')
        status, _ = self.request(self.path(inst, queued.id), '2.23',
                                 'DELETE')
        self.assertEqual(404, status)  # DELETE arrives in 2.24
        status, body = self.request(self.path(inst, queued.id), '2.64',
                                    'DELETE')
        self.assertEqual(400, status, body)
        status, body = self.request(self.path(inst, postcopy.id), '2.65',
                                    'DELETE')
        self.assertEqual(400, status, body)
        status, body = self.request(self.path(inst, 999999), '2.65',
                                    'DELETE')
        self.assertEqual(404, status, body)
        idle = self.server(task_state=None)
        mig = self.migration(idle.uuid, 'running')
        status, body = self.request(self.path(idle, mig.id), '2.24',
                                    'DELETE')
        self.assertEqual(409, status, body)

    def test_members_are_forbidden(self):
        inst = self.server(project='demo', user='demo')
        mig = self.migration(inst.uuid, 'running')
        for method, path in (('GET', self.path(inst)),
                             ('GET', self.path(inst, mig.id)),
                             ('DELETE', self.path(inst, mig.id))):
            status, _ = self.request(path, '2.80', method,
                                     token='demo:demo')
            self.assertEqual(403, status, (method, path))
