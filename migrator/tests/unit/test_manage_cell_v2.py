"""migrator-manage cell_v2: map_instances, verify_instance, update_cell,
delete_cell, simple_cell_setup and discover_hosts --by-service, with
Nova's exit codes, on SQLite files (the other databases are in
tests/functional/db/test_map_instances.py)."""
import io

import fixtures
import sqlalchemy as sa

from migrator.cmd.manage import map_instances as map_instances_cmd
from migrator.db.api import models
from migrator.db import map_instances as mapper_db
from migrator.db import session
from migrator.objects import cell_mapping
from migrator.objects import compute_node as node_obj
from migrator.objects import host_mapping
from migrator.objects import instance_mapping
from migrator.objects import service as service_obj
from migrator.tests import cell_seed
from migrator.tests.unit import test_manage

CELL1 = '11111111-1111-1111-1111-111111111111'


class CellV2TestCase(test_manage.DBManageTestCase):
    def setUp(self):
        super().setUp()
        self.cell = cell_mapping.CellMapping(
            self.context, uuid=CELL1, name='cell1',
            transport_url='fake:/', database_connection=self.db.connection)
        self.cell.create()
        self.cell_engine = session.engine_for(self.db.connection)

    def fill(self, count, start=0):
        """The uuids of the instances of the cell, in uuid order (the
        order map_instances walks them)."""
        cell_seed.fill_instances(self.cell_engine, count, start=start)
        return sorted(cell_seed.instance_uuids(self.cell_engine))

    def mappings(self):
        return cell_seed.mapping_counts(session.api_engine())


class TestMapInstances(CellV2TestCase):
    def test_maps_all_with_deleted_and_summary(self):
        uuids = self.fill(123)
        code, out, err = self.run_manage('cell_v2', 'map_instances',
                                         '--cell_uuid', CELL1)
        self.assertEqual(0, code, err)
        counts, markers = self.mappings()
        self.assertEqual({u: 1 for u in uuids}, counts)
        self.assertEqual(0, markers)
        self.assertIn('All instances are mapped: looked at 123 instances',
                      out)
        self.assertIn('mapped 123 new', out)
        # Deleted instances are mapped, as Nova maps them.
        deleted = cell_seed.seed_uuid(9)
        mapping = instance_mapping.InstanceMapping.get_by_instance_uuid(
            self.context, deleted)
        self.assertEqual(CELL1, mapping.cell_mapping.uuid)
        self.assertEqual('project-9', mapping.project_id)
        self.assertEqual('user-9', mapping.user_id)
        self.assertFalse(mapping.queued_for_delete)
        # A second run maps nothing new.
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1)
        self.assertEqual(0, code)
        self.assertIn('mapped 0 new, 123 were already mapped', out)

    def test_max_count_exits_1_until_done_with_nova_marker(self):
        self.patch_batch(7)
        uuids = self.fill(25)
        codes = []
        for _ in range(3):
            code, out, err = self.run_manage(
                'cell_v2', 'map_instances', '--cell_uuid', CELL1,
                '--max-count', '10')
            codes.append(code)
            if code == 1:
                # Nova's marker row: the last instance looked at, with
                # spaces for dashes, project and user the marker name.
                marker = [m for m in self._all_mappings()
                          if m.project_id == mapper_db.MARKER_PROJECT_ID]
                self.assertEqual(1, len(marker))
                self.assertEqual(mapper_db.MARKER_PROJECT_ID,
                                 marker[0].user_id)
                self.assertIn(marker[0].instance_uuid.replace(' ', '-'),
                              uuids)
        self.assertEqual([1, 1, 0], codes)
        counts, markers = self.mappings()
        self.assertEqual({u: 1 for u in uuids}, counts)
        self.assertEqual(0, markers)

    def _all_mappings(self):
        with session.api_reader(self.context) as db:
            return db.scalars(sa.select(models.InstanceMapping)).all()

    def patch_batch(self, size):
        self.useFixture(fixtures.MockPatchObject(
            mapper_db, 'BATCH_SIZE', size))

    def test_resumes_from_a_marker_written_by_nova(self):
        uuids = self.fill(30)
        # A marker as Nova writes it (no cell): everything up to and
        # including uuids[19] (in uuid order) is taken as mapped.
        self.nova_marker(uuids[19])
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1)
        self.assertEqual(0, code)
        self.assertIn('Resuming after instance %s' % uuids[19], out)
        counts, markers = self.mappings()
        self.assertEqual(set(uuids[20:]), set(counts))
        self.assertEqual(0, markers)
        # --reset starts over and maps the rest.
        self.nova_marker(uuids[29])
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1, '--reset')
        self.assertEqual(0, code)
        self.assertNotIn('Resuming', out)
        counts, markers = self.mappings()
        self.assertEqual({u: 1 for u in uuids}, counts)
        self.assertEqual(0, markers)

    def nova_marker(self, uuid):
        with session.api_engine().begin() as conn:
            conn.execute(sa.text(
                'INSERT INTO instance_mappings (instance_uuid, project_id) '
                'VALUES (:u, :p)'), {'u': uuid.replace('-', ' '),
                                     'p': mapper_db.MARKER_PROJECT_ID})

    def test_new_instances_after_a_run(self):
        self.fill(10)
        self.assertEqual(0, self.run_manage(
            'cell_v2', 'map_instances', '--cell_uuid', CELL1)[0])
        uuids = self.fill(5, start=10)
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1)
        self.assertEqual(0, code)
        # New instances land anywhere in uuid order: all are looked at.
        self.assertIn('mapped 5 new, 10 were already mapped', out)
        self.assertEqual({u: 1 for u in uuids}, self.mappings()[0])

    def test_empty_cell(self):
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1)
        self.assertEqual(0, code)
        self.assertIn('looked at 0 instances', out)

    def test_bad_max_count_is_127(self):
        for bad in ('0', '-3', 'ten'):
            code, out, err = self.run_manage(
                'cell_v2', 'map_instances', '--cell_uuid', CELL1,
                '--max-count', bad)
            self.assertEqual(127, code, bad)
            self.assertIn('positive value for max-count', err)

    def test_unknown_cell_is_255(self):
        code, _, err = self.run_manage(
            'cell_v2', 'map_instances', '--cell_uuid',
            '22222222-2222-2222-2222-222222222222')
        self.assertEqual(255, code)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('22222222-2222-2222-2222-222222222222', err)
        code, _, err = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', 'not-a-uuid')
        self.assertEqual(255, code)
        self.assertIn('not-a-uuid', err)

    def test_missing_cell_uuid_is_usage_error(self):
        code, _, err = self.run_manage('cell_v2', 'map_instances')
        self.assertEqual(2, code)
        self.assertIn('--cell_uuid', err)

    def test_unreachable_cell_database_is_255_one_line(self):
        broken = cell_mapping.CellMapping(
            self.context, uuid='33333333-3333-3333-3333-333333333333',
            name='down', transport_url='fake:/down',
            database_connection='mysql+pymysql://u:secret@127.0.0.1:1/x')
        broken.create()
        code, _, err = self.run_manage(
            'cell_v2', 'map_instances', '--cell_uuid', broken.uuid)
        self.assertEqual(255, code)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('cannot map the instances of cell', err)
        self.assertNotIn('secret', err)

    def test_stream_strategy_between_unattachable_databases(self):
        # Force the streaming path (what different servers use).
        self.useFixture(fixtures.MockPatchObject(
            mapper_db.InstanceMapper, '_choose_same_server',
            lambda *a: False))
        self.patch_batch(8)
        uuids = self.fill(30)
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1,
                                       '--max-count', '20')
        self.assertEqual(1, code)
        self.assertIn('(stream)', out)
        code, out, _ = self.run_manage('cell_v2', 'map_instances',
                                       '--cell_uuid', CELL1)
        self.assertEqual(0, code)
        self.assertEqual({u: 1 for u in uuids}, self.mappings()[0])

    def test_help_explains(self):
        code, out, _ = self.run_manage('cell_v2', 'map_instances', '--help')
        self.assertEqual(0, code)
        for text in ('--cell_uuid', '--max-count', '--reset', '127'):
            self.assertIn(text, out)


class TestVerifyInstance(CellV2TestCase):
    def test_exit_codes(self):
        uuids = self.fill(10)
        code, out, _ = self.run_manage('cell_v2', 'verify_instance',
                                       '--uuid', uuids[0])
        self.assertEqual(1, code)
        self.assertIn('not mapped', out)
        self.run_manage('cell_v2', 'map_instances', '--cell_uuid', CELL1)
        code, out, _ = self.run_manage('cell_v2', 'verify_instance',
                                       '--uuid', uuids[0])
        self.assertEqual(0, code)
        self.assertIn('is in cell: cell1 (%s)' % CELL1, out)
        code, out, _ = self.run_manage('cell_v2', 'verify_instance',
                                       '--uuid', cell_seed.seed_uuid(9),
                                       '--quiet')
        self.assertEqual((3, ''), (code, out))
        # Archived: gone from the cell, mapping left.
        with self.cell_engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM instances WHERE uuid = '%s'"
                                 % uuids[3])
        self.assertEqual(4, self.run_manage(
            'cell_v2', 'verify_instance', '--uuid', uuids[3])[0])
        # Not scheduled to a cell yet.
        instance_mapping.InstanceMapping(
            self.context, instance_uuid='44444444-4444-4444-4444-'
            '444444444444', project_id='p').create()
        self.assertEqual(2, self.run_manage(
            'cell_v2', 'verify_instance', '--uuid',
            '44444444-4444-4444-4444-444444444444')[0])
        code, _, err = self.run_manage('cell_v2', 'verify_instance')
        self.assertEqual(2, code)
        self.assertIn('--uuid', err)


class TestUpdateAndDeleteCell(CellV2TestCase):
    def test_update_cell(self):
        self.flags(transport_url='fake:/')
        code, _, err = self.run_manage(
            'cell_v2', 'update_cell', '--cell_uuid',
            '22222222-2222-2222-2222-222222222222')
        self.assertEqual(1, code)
        self.assertIn('not found', err)
        code, _, _ = self.run_manage('cell_v2', 'update_cell',
                                     '--cell_uuid', CELL1, '--name', 'one',
                                     '--disable')
        self.assertEqual(0, code)
        cell = cell_mapping.CellMapping.get_by_uuid(self.context, CELL1)
        self.assertEqual(('one', True), (cell.name, cell.disabled))
        code, _, _ = self.run_manage('cell_v2', 'update_cell', '--cell_uuid',
                                     CELL1, '--disable', '--enable')
        self.assertEqual(4, code)
        self.run_manage('cell_v2', 'map_cell0')
        # As in Nova, [DEFAULT] transport_url and [database] connection
        # are the defaults, and another cell using them is refused first.
        self.flags(transport_url=None)
        self.flags(connection=None, group='database')
        code, _, _ = self.run_manage(
            'cell_v2', 'update_cell', '--cell_uuid',
            cell_mapping.CELL0_UUID, '--disable')
        self.assertEqual(5, code)
        other = cell_mapping.CellMapping(
            self.context, uuid='55555555-5555-5555-5555-555555555555',
            name='other', transport_url='fake:/other',
            database_connection='sqlite:///other.db')
        other.create()
        code, _, err = self.run_manage(
            'cell_v2', 'update_cell', '--cell_uuid', other.uuid,
            '--transport-url', 'fake:/')
        self.assertEqual(3, code)
        self.assertIn(CELL1, err)

    def test_delete_cell(self):
        code, _, _ = self.run_manage(
            'cell_v2', 'delete_cell', '--cell_uuid',
            '22222222-2222-2222-2222-222222222222')
        self.assertEqual(1, code)
        host_mapping.HostMapping(self.context, host='compute1',
                                 cell_mapping=self.cell).create()
        self.assertEqual(2, self.run_manage(
            'cell_v2', 'delete_cell', '--cell_uuid', CELL1)[0])
        uuids = self.fill(3)
        self.run_manage('cell_v2', 'map_instances', '--cell_uuid', CELL1)
        code, _, err = self.run_manage('cell_v2', 'delete_cell',
                                       '--cell_uuid', CELL1, '--force')
        self.assertEqual(3, code)
        self.assertIn('There are instances', err)
        with self.cell_engine.begin() as conn:
            conn.exec_driver_sql('UPDATE instances SET deleted = id')
        # Hosts are checked first, as in Nova.
        self.assertEqual(2, self.run_manage(
            'cell_v2', 'delete_cell', '--cell_uuid', CELL1)[0])
        host_mapping.HostMapping.get_by_host(self.context,
                                             'compute1').destroy()
        self.assertEqual(4, self.run_manage(
            'cell_v2', 'delete_cell', '--cell_uuid', CELL1)[0])
        host_mapping.HostMapping(self.context, host='compute1',
                                 cell_mapping=self.cell).create()
        # A marker row alone does not keep a cell.
        self.assertEqual(0, self.run_manage(
            'cell_v2', 'delete_cell', '--cell_uuid', CELL1, '--force')[0])
        self.assertEqual({}, self.mappings()[0])
        self.assertEqual([], list(host_mapping.HostMappingList.get_all(
            self.context)))
        self.assertNotIn(uuids[0], self.mappings()[0])


class TestDiscoverAndSimpleSetup(CellV2TestCase):
    def _node(self, host):
        node_obj.ComputeNode(
            self.context, host=host, hypervisor_hostname=host,
            vcpus=4, memory_mb=4096, local_gb=10, vcpus_used=0,
            memory_mb_used=0, local_gb_used=0,
            hypervisor_type='fake').create()

    def test_discover_by_node_or_service(self):
        service_obj.Service(self.context, host='svc-only',
                            binary='migrator-compute',
                            topic='compute').create()
        self._node('node1')
        code, out, _ = self.run_manage('cell_v2', 'discover_hosts',
                                       '--strict', '--verbose')
        self.assertEqual(0, code, out)
        self.assertEqual(['node1'], [m.host for m in
                                     host_mapping.HostMappingList.get_all(
                                         self.context)])
        code, _, _ = self.run_manage('cell_v2', 'discover_hosts',
                                     '--strict', '--by-service')
        self.assertEqual(0, code)
        self.assertEqual({'node1', 'svc-only'}, {
            m.host for m in host_mapping.HostMappingList.get_all(
                self.context)})

    def test_simple_cell_setup(self):
        self.cell.destroy()
        self.flags(transport_url=None)
        code, _, err = self.run_manage('cell_v2', 'simple_cell_setup')
        self.assertEqual(1, code)
        self.assertIn('transport', err)
        code, _, err = self.run_manage('cell_v2', 'simple_cell_setup',
                                       '--transport-url', 'fake:/')
        self.assertEqual(1, code)
        self.assertIn('No hosts found', err)
        self._node('compute1')
        uuids = self.fill(12)
        code, out, err = self.run_manage('cell_v2', 'simple_cell_setup',
                                         '--transport-url', 'fake:/')
        self.assertEqual(0, code, err)
        cells = {c.name: c for c in cell_mapping.CellMappingList.get_all(
            self.context)}
        self.assertEqual({'cell0', 'cell1'}, set(cells))
        self.assertEqual({u: 1 for u in uuids}, self.mappings()[0])
        self.assertEqual(['compute1'], [
            m.host for m in host_mapping.HostMappingList.get_all(
                self.context)])
        # Again: nothing new, still 0.
        code, out, _ = self.run_manage('cell_v2', 'simple_cell_setup',
                                       '--transport-url', 'fake:/')
        self.assertEqual(0, code)


class TestProgress(test_manage.base.TestCase):
    class _Stream(io.StringIO):
        tty = False

        def isatty(self):
            return self.tty

    def test_a_bar_on_a_terminal(self):
        stream = self._Stream()
        stream.tty = True
        progress = map_instances_cmd.Progress(1000, stream)
        progress.update(400, 350)
        progress.close()
        text = stream.getvalue()
        self.assertIn('Mapping', text)
        self.assertIn('40%', text)
        self.assertIn('400/1.00k', text.replace(' ', ''))
        self.assertIn('instances/s', text.replace(' ', ''))
        self.assertIn('mapped=350', text)

    def test_plain_lines_otherwise(self):
        self.useFixture(fixtures.MockPatchObject(
            map_instances_cmd, 'PLAIN_EVERY', 0))
        stream = self._Stream()
        progress = map_instances_cmd.Progress(1000, stream)
        progress.update(400, 350)
        progress.close()
        self.assertIn('Looked at 400 of 1000 instances (40%), 350 newly '
                      'mapped', stream.getvalue())
        self.assertNotIn('\r', stream.getvalue())
