"""Two cells behind one compute API: cell1 (compute1, compute2) and cell2
(cell2-compute1, cell2-compute2), each with its own database, message
queue (fake:/cell2) and conductor, all in one process.

Servers of both cells are listed together in order and paged with a
marker that crosses cells; each is live-migrated within its cell and a
move to the other cell is refused (400); a server that no host can take
is kept in cell0 with its fault; stale migrations are expired in both
cells; when cell2's database stops answering cell1's servers are still
listed, cell2's as partial records at 2.69, never a 500.
"""
import datetime
import os
from unittest import mock

import fixtures
from oslo_config import cfg
from oslo_serialization import jsonutils
from oslo_utils import timeutils
import testtools
import webob

from migrator.cmd import manage
from migrator.compute.api import base as compute_api_base
from migrator.compute.api import instance_cells
from migrator.compute import manager as compute_manager
from migrator.conductor import manager as conductor_manager
from migrator import context as migrator_context
from migrator.db import migration
from migrator.db import session
from migrator import embedded
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import migration as migration_obj
from migrator import service
from migrator.tests import cell_seed
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional import control_plane

CONF = cfg.CONF
LATEST = '2.96'


class TestTwoCells(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI())
        self.plane = self.api.plane
        self.app = self.api.app()
        tmp = self.useFixture(fixtures.TempDir()).path
        ctxt = migrator_context.get_admin_context()
        # cell0, for servers no host can take.
        cell0_url = 'sqlite:///%s' % os.path.join(tmp, 'cell0.sqlite')
        migration.db_sync('main', cell0_url)
        cell_obj.CellMapping(ctxt, uuid=cell_obj.CELL0_UUID, name='cell0',
                             transport_url='none:///',
                             database_connection=cell0_url).create()
        # cell2, as migrator-all --cells 2 makes it.
        self.plane.conf.config(state_path=tmp)
        (self.cell2, hosts), = embedded.prepare_extra_cells(2, 2)
        self.cell1 = self.plane.cell
        where = dict(cell_uuid=self.cell2.uuid,
                     transport_url=self.cell2.transport_url)
        services = [service.Service(
            'conductor-cell2', 'migrator-conductor', 'conductor',
            conductor_manager.ConductorManager('conductor-cell2'),
            **where)]
        for host in hosts:
            services.append(service.Service(
                host, 'migrator-compute', 'compute',
                compute_manager.ComputeManager(host), **where))
        for svc in services:
            svc.start()
        self.plane.services.extend(services)

    def request(self, path, version=LATEST, method='GET', body=None,
                token='admin:admin'):
        req = webob.Request.blank(
            '/v2.1' + path, method=method,
            headers={'X-Auth-Token': token,
                     'OpenStack-API-Version': 'compute %s' % version})
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        return resp.status_int, (jsonutils.loads(resp.body)
                                 if resp.body else None)

    def boot(self, name, host):
        code, body = self.request('/servers', method='POST', body={
            'server': {'name': name, 'flavorRef': '1', 'imageRef': 'any',
                       'networks': 'none', 'host': host}})
        self.assertEqual(202, code, body)
        uuid = body['server']['id']
        control_plane.wait_for(
            lambda: self.request('/servers/%s' % uuid)[1]['server'][
                'status'] != 'BUILD', what='%s to build' % name)
        return uuid

    def boot_four(self):
        return [self.boot('a', 'compute1'), self.boot('b', 'cell2-compute1'),
                self.boot('c', 'compute2'), self.boot('d', 'cell2-compute2')]

    def test_listed_together_and_paged_across_cells(self):
        uuids = self.boot_four()
        for uuid, cell in zip(uuids, (self.cell1, self.cell2) * 2):
            self.assertEqual(cell.uuid, mapping_obj.InstanceMapping.
                             get_by_instance_uuid(
                                 self.plane.admin, uuid).cell_mapping.uuid)
            self.assertEqual('ACTIVE', self.request(
                '/servers/%s' % uuid)[1]['server']['status'])
        for direction, expected in (('desc', uuids[::-1]), ('asc', uuids)):
            code, body = self.request('/servers/detail?sort_key=created_at'
                                      '&sort_dir=%s' % direction)
            self.assertEqual(200, code)
            self.assertEqual(expected, [s['id'] for s in body['servers']])
            # One per page: the marker crosses from cell to cell.
            seen, marker = [], None
            for _ in range(6):
                query = '/servers?limit=1&sort_key=created_at&sort_dir=%s' \
                    % direction + ('&marker=%s' % marker if marker else '')
                code, body = self.request(query)
                self.assertEqual(200, code, body)
                if not body['servers']:
                    break
                seen.append(body['servers'][0]['id'])
                marker = seen[-1]
            self.assertEqual(expected, seen)

    def test_remembered_cell_of_a_server(self):
        # The API remembers the cell of a scheduled server; what it
        # remembers never changes an answer.
        a = self.boot('a', 'compute1')
        self.assertEqual(self.cell1.uuid, instance_cells.CELLS.get(a)[0].uuid)
        # Another project's server is still not found for a non-admin.
        code, body = self.request('/servers/%s' % a, token='other:other')
        self.assertEqual(404, code, body)
        # A wrong cell remembered: the server's mapping is asked again.
        instance_cells.CELLS.remember(a, self.cell2, 'admin')
        code, body = self.request('/servers/%s' % a)
        self.assertEqual(200, code, body)
        self.assertEqual(self.cell1.uuid, instance_cells.CELLS.get(a)[0].uuid)
        # A deleted server is not found, and forgotten.
        code, body = self.request('/servers/%s' % a, method='DELETE')
        self.assertEqual(204, code, body)
        control_plane.wait_for(
            lambda: self.request('/servers/%s' % a)[0] == 404,
            what='%s to be deleted' % a)
        self.assertIsNone(instance_cells.CELLS.get(a))

    def test_a_listing_remembers_the_cells_of_scheduled_servers(self):
        uuids = self.boot_four()
        instance_cells.CELLS.clear()
        code, body = self.request('/servers/detail')
        self.assertEqual(200, code, body)
        for uuid, cell in zip(uuids, (self.cell1, self.cell2) * 2):
            self.assertEqual(cell.uuid,
                             instance_cells.CELLS.get(uuid)[0].uuid)
        # Each server is then read in its cell without its mapping.
        with mock.patch.object(
                mapping_obj.InstanceMapping, 'get_by_instance_uuid',
                side_effect=AssertionError('mapping read')):
            for uuid in uuids:
                code, body = self.request('/servers/%s' % uuid)
                self.assertEqual(200, code, body)
        # Another project's server is still not found for a non-admin.
        code, body = self.request('/servers/%s' % uuids[0],
                                  token='other:other')
        self.assertEqual(404, code, body)

    def test_live_migration_within_a_cell_only(self):
        a, b, _, _ = self.boot_four()
        for uuid, dest in ((a, 'compute2'), (b, 'cell2-compute2')):
            code, body = self.request(
                '/servers/%s/action' % uuid, method='POST',
                body={'os-migrateLive': {'host': dest,
                                         'block_migration': 'auto'}})
            self.assertEqual(202, code, body)
            control_plane.wait_for(
                lambda: self.request('/servers/%s' % uuid)[1]['server'][
                    'OS-EXT-SRV-ATTR:host'] == dest,
                what='%s to reach %s' % (uuid, dest))
        code, body = self.request(
            '/servers/%s/action' % a, method='POST',
            body={'os-migrateLive': {'host': 'cell2-compute1',
                                     'block_migration': 'auto'}})
        self.assertEqual(400, code)
        self.assertIn('do not move between cells',
                      body['badRequest']['message'])
        # os-migrations lists both cells' migrations.
        code, body = self.request('/os-migrations')
        self.assertEqual({a, b}, {m['instance_uuid']
                                  for m in body['migrations']})

    def test_unschedulable_server_is_kept_in_cell0(self):
        flavor_obj.Flavor(self.plane.admin, flavorid='huge', name='huge',
                          memory_mb=10 ** 7, vcpus=1, root_gb=1,
                          ephemeral_gb=0, swap=0, is_public=True).create()
        code, body = self.request('/servers', method='POST', body={
            'server': {'name': 'huge', 'flavorRef': 'huge',
                       'imageRef': 'any', 'networks': 'none'}})
        self.assertEqual(202, code, body)
        uuid = body['server']['id']
        control_plane.wait_for(
            lambda: mapping_obj.InstanceMapping.get_by_instance_uuid(
                self.plane.admin, uuid).cell_mapping.is_cell0,
            what='%s to move to cell0' % uuid)
        code, body = self.request('/servers/%s' % uuid)
        self.assertEqual(200, code)
        self.assertEqual('ERROR', body['server']['status'])
        self.assertIn('No valid host', body['server']['fault']['message'])
        listed = self.request('/servers/detail')[1]['servers']
        self.assertIn(uuid, [s['id'] for s in listed])

    def test_a_cell_that_stops_answering(self):
        a, b, c, d = self.boot_four()
        self.useFixture(fixtures.MockPatchObject(
            compute_api_base, 'CELL_TIMEOUT', 5))
        # cell2's database server goes away.
        self.plane.conf.config(max_retries=0, group='database')
        session._cell_connections[self.cell2.uuid] = (
            'mysql+pymysql://migrator:secret@127.0.0.1:9/cell2')
        code, body = self.request('/servers/detail', version='2.68')
        self.assertEqual(200, code, body)
        self.assertEqual([c, a], [s['id'] for s in body['servers']])
        code, body = self.request('/servers/detail', version='2.69')
        self.assertEqual(200, code, body)
        self.assertEqual([c, a], [s['id'] for s in body['servers'][:2]])
        partial = {s['id']: s for s in body['servers'][2:]}
        self.assertEqual({b, d}, set(partial))
        self.assertEqual({'id', 'status', 'links', 'tenant_id', 'created'},
                         set(partial[b]))
        self.assertEqual('UNKNOWN', partial[b]['status'])
        code, body = self.request('/servers', version='2.69')
        self.assertEqual({'id', 'status', 'links'},
                         set(body['servers'][-1]))
        code, body = self.request('/servers/%s' % b, version='2.69')
        self.assertEqual(200, code, body)
        self.assertEqual('UNKNOWN', body['server']['status'])
        code, body = self.request('/servers/%s' % b, version='2.68')
        self.assertEqual(503, code, body)
        self.assertIn('did not answer',
                      body['serviceUnavailable']['message'])
        code, body = self.request('/os-migrations')
        self.assertEqual(200, code, body)
        code, body = self.request('/servers/%s' % a)
        self.assertEqual(200, code, body)

    def test_stale_migrations_expired_in_every_cell(self):
        a, b, _, _ = self.boot_four()
        migrations = []
        for uuid in (a, b):
            cell = mapping_obj.InstanceMapping.get_by_instance_uuid(
                self.plane.admin, uuid).cell_mapping
            with migrator_context.target_cell(
                    self.plane.new_context(), cell) as cctxt:
                inst = instance_obj.Instance.get_by_uuid(cctxt, uuid)
                inst.task_state = instance_obj.MIGRATING
                inst.save(expected_task_state=[None])
                migrations.append(migration_obj.Migration.
                                  create_live_migration(cctxt, inst))
        conductor = self.plane.services[0].manager
        self.plane.conf.config(stale_migration_timeout=60,
                               group='conductor')
        timeutils.set_time_override(timeutils.utcnow() +
                                    datetime.timedelta(seconds=120))
        self.addCleanup(timeutils.clear_time_override)
        self.assertEqual(2, conductor.expire_stale_migrations(
            migrator_context.get_admin_context()))
        for uuid in (a, b):
            server = self.request('/servers/%s' % uuid)[1]['server']
            self.assertIsNone(server['OS-EXT-STS:task_state'])

    def test_instances_mapped_by_map_instances_are_served(self):
        engine = session.engine_for(CONF.database.connection)
        cell_seed.fill_instances(engine, 300, start=1000)
        uuids = cell_seed.instance_uuids(engine)
        code = manage.main(['migrator-manage', 'cell_v2', 'map_instances',
                            '--cell_uuid', self.cell1.uuid,
                            '--batch-size', '64'])
        self.assertEqual(0, code)
        # Every tenth (the last one) is deleted: mapped, but not found.
        for uuid in (uuids[0], uuids[-2]):
            code, body = self.request('/servers/%s' % uuid)
            self.assertEqual(200, code, body)
        self.assertEqual(404, self.request('/servers/%s' % uuids[-1])[0])
        code, body = self.request('/servers/detail?all_tenants=1&limit=1000')
        self.assertEqual(200, code, body)
        self.assertEqual(270, len(body['servers']))
