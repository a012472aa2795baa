"""migrator-manage: output and exit codes of each command."""
import io
import os
from unittest import mock

import fixtures
from oslo_utils import timeutils

from migrator.cmd import manage
from migrator.db import migration
from migrator.objects import cell_mapping
from migrator.objects import flavor as flavor_obj
from migrator.objects import host_mapping
from migrator.objects import service as service_obj
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures


class ManageTestCase(base.TestCase):
    """Runs ``migrator-manage`` in-process against an empty config file."""

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.tmp = tmp
        self.config_file = os.path.join(tmp, 'migrator.conf')
        with open(self.config_file, 'w') as f:
            f.write('[DEFAULT]\n')

    def run_manage(self, *argv):
        """(exit code, stdout, stderr) of one command."""
        out, err = io.StringIO(), io.StringIO()
        with mock.patch('sys.stdout', out), mock.patch('sys.stderr', err):
            try:
                code = manage.main(['migrator-manage', '--config-file',
                                    self.config_file] + list(argv))
            except SystemExit as exc:
                code = exc.code
        return code, out.getvalue(), err.getvalue()


class TestHelpAndSettings(ManageTestCase):
    def test_help_at_each_level(self):
        code, out, _ = self.run_manage('--help')
        self.assertEqual(0, code)
        for category in ('db', 'api_db', 'flavor', 'service', 'cell_v2'):
            self.assertIn(category, out)
        code, out, _ = self.run_manage('cell_v2', '--help')
        self.assertEqual(0, code)
        for action in ('map_cell0', 'create_cell', 'list_cells',
                       'discover_hosts'):
            self.assertIn(action, out)
        code, out, _ = self.run_manage('flavor', 'create', '--help')
        self.assertEqual(0, code)
        self.assertIn('--ram', out)
        self.assertIn('--property', out)

    def test_missing_category_and_action(self):
        code, _, err = self.run_manage()
        self.assertEqual(2, code)
        self.assertIn('required', err)
        code, _, err = self.run_manage('db')
        self.assertEqual(2, code)
        self.assertNotIn('Traceback', err)

    def test_missing_connection_is_one_line(self):
        for argv, name in ((('db', 'sync'), '[database] connection'),
                           (('api_db', 'version'),
                            '[api_database] connection'),
                           (('flavor', 'list'), '[api_database] connection'),
                           (('service', 'list'), '[database] connection'),
                           (('cell_v2', 'list_cells'),
                            '[api_database] connection')):
            code, out, err = self.run_manage(*argv)
            self.assertEqual(2, code, argv)
            self.assertIn(name, err)
            self.assertEqual(1, len(err.strip().splitlines()), err)
            self.assertNotIn('Traceback', err + out)

    def test_bad_config_file(self):
        code, _, err = self.run_manage('--config-file', '/nonexistent.conf',
                                       'db', 'version')
        self.assertEqual(2, code)
        self.assertIn('/nonexistent.conf', err)

    def test_unreachable_database_is_one_line(self):
        self.flags(connection='mysql+pymysql://root@127.0.0.1:1/nodb',
                   group='api_database')
        # oslo.db retries a refused connection 10 times, 10 s apart.
        self.flags(max_retries=0, group='database')
        self.flags(max_retries=0, group='api_database')
        code, out, err = self.run_manage('api_db', 'sync')
        self.assertEqual(1, code)
        self.assertIn('[api_database] connection', err)
        self.assertEqual(1, len(err.strip().splitlines()), err)

    def test_mask_password(self):
        self.assertEqual('rabbit://guest:****@h:5672/',
                         manage.mask_password('rabbit://guest:guest@h:5672/'))
        self.assertEqual('rabbit://a:****@h1,b:****@h2/',
                         manage.mask_password('rabbit://a:x@h1,b:y@h2/'))
        self.assertEqual('sqlite:////tmp/x.db',
                         manage.mask_password('sqlite:////tmp/x.db'))


class TestDbCommands(ManageTestCase):
    def setUp(self):
        super().setUp()
        self.flags(connection='sqlite:///%s/cell.db' % self.tmp,
                   group='database')
        self.flags(connection='sqlite:///%s/api.db' % self.tmp,
                   group='api_database')
        self.addCleanup(__import__('migrator.db.session').db.session.reset)

    def test_api_db_sync_is_idempotent(self):
        code, out, _ = self.run_manage('api_db', 'version')
        self.assertEqual(0, code)
        self.assertIn('None', out)
        code, out, _ = self.run_manage('api_db', 'sync')
        self.assertEqual(0, code)
        head = migration.head_version('api')
        self.assertIn('Upgraded the API database from an empty database '
                      'to revision %s (head)' % head, out)
        code, out, _ = self.run_manage('api_db', 'sync')
        self.assertEqual(0, code)
        self.assertIn('nothing to do', out)
        code, out, _ = self.run_manage('api_db', 'version')
        self.assertEqual(head, out.strip())

    def test_db_sync_syncs_cell0_too(self):
        self.assertEqual(0, self.run_manage('api_db', 'sync')[0])
        code, out, _ = self.run_manage('db', 'sync')
        self.assertEqual(0, code)
        self.assertIn('not syncing cell0', out)
        self.assertIn('Upgraded the cell database', out)
        code, out, _ = self.run_manage('cell_v2', 'map_cell0')
        self.assertEqual(0, code)
        self.assertIn('cell_cell0.db', out)
        code, out, _ = self.run_manage('db', 'sync')
        self.assertEqual(0, code)
        self.assertIn('Upgraded the cell0 database', out)
        self.assertIn('The cell database is at revision', out)
        code, out, _ = self.run_manage('db', 'sync', '--local_cell')
        self.assertNotIn('cell0', out)
        head = migration.head_version('main')
        self.assertEqual(head, migration.db_version(
            'main', 'sqlite:///%s/cell_cell0.db' % self.tmp))
        code, out, _ = self.run_manage('db', 'version')
        self.assertEqual(head, out.strip())

    def test_sync_to_version(self):
        head = migration.head_version('api')
        code, out, _ = self.run_manage('api_db', 'sync', '--version', head)
        self.assertEqual(0, code)
        self.assertIn(head, out)


class DBManageTestCase(ManageTestCase):
    def setUp(self):
        super().setUp()
        self.db = self.useFixture(migrator_fixtures.Database())
        from migrator import context
        self.context = context.get_admin_context()


class TestFlavorCommands(DBManageTestCase):
    def test_create_list_delete(self):
        code, out, _ = self.run_manage(
            'flavor', 'create', 'm1.small', '--ram', '2048', '--vcpus', '1',
            '--disk', '20', '--id', '2', '--property', 'hw:a=1',
            '--property', 'sim:dirty_rate_mib=4')
        self.assertEqual(0, code)
        self.assertIn('m1.small', out)
        flavor = flavor_obj.Flavor.get_by_flavor_id(self.context, '2')
        self.assertEqual((2048, 1, 20, True),
                         (flavor.memory_mb, flavor.vcpus, flavor.root_gb,
                          flavor.is_public))
        self.assertEqual({'hw:a': '1', 'sim:dirty_rate_mib': '4'},
                         flavor.extra_specs)
        code, out, _ = self.run_manage('flavor', 'create', 'tiny', '--ram',
                                       '64', '--vcpus', '1', '--private')
        self.assertEqual(0, code)
        self.assertFalse(flavor_obj.Flavor.get_by_name(
            self.context, 'tiny').is_public)
        code, out, _ = self.run_manage('flavor', 'list')
        self.assertEqual(0, code)
        self.assertIn('m1.small', out)
        self.assertIn('tiny', out)
        self.assertIn('hw:a=1', out)
        code, out, _ = self.run_manage('flavor', 'delete', 'tiny')
        self.assertEqual(0, code)
        code, out, _ = self.run_manage('flavor', 'delete', '2')
        self.assertEqual(0, code)
        self.assertIn('Deleted flavor 2 (m1.small)', out)
        code, out, err = self.run_manage('flavor', 'delete', '2')
        self.assertEqual(1, code)
        self.assertIn('could not be found', err)

    def test_create_errors(self):
        argv = ('flavor', 'create', 'f', '--ram', '64', '--vcpus', '1')
        self.assertEqual(0, self.run_manage(*argv)[0])
        code, _, err = self.run_manage(*argv)
        self.assertEqual(1, code)
        self.assertIn('already exists', err)
        code, _, err = self.run_manage('flavor', 'create', 'g', '--ram', '0',
                                       '--vcpus', '1')
        self.assertEqual(2, code)
        self.assertIn('--ram', err)
        code, _, err = self.run_manage('flavor', 'create', 'g', '--ram', '1')
        self.assertEqual(2, code)
        self.assertIn('--vcpus', err)
        code, _, err = self.run_manage('flavor', 'create', 'g', '--ram', '1',
                                       '--vcpus', '1', '--property', 'x')
        self.assertEqual(1, code)
        self.assertIn('key=value', err)


class TestServiceList(DBManageTestCase):
    def test_list_up_down_disabled(self):
        self.flags(service_down_time=60)
        up = service_obj.Service(self.context, host='compute1',
                                 binary='migrator-compute', topic='compute',
                                 version=1)
        up.create()
        up.heartbeat()
        down = service_obj.Service(self.context, host='compute2',
                                   binary='migrator-compute',
                                   topic='compute', disabled=True,
                                   version=1)
        down.create()
        with mock.patch.object(timeutils, 'utcnow',
                               return_value=timeutils.utcnow()):
            down.heartbeat()
        timeutils.set_time_override(timeutils.utcnow())
        self.addCleanup(timeutils.clear_time_override)
        timeutils.advance_time_seconds(30)
        up.heartbeat()
        timeutils.advance_time_seconds(40)
        code, out, _ = self.run_manage('service', 'list')
        self.assertEqual(0, code)
        lines = {line.split('|')[1].strip(): [c.strip() for c in
                                              line.split('|')[1:-1]]
                 for line in out.splitlines() if line.startswith('| comp')}
        self.assertEqual(['compute1', 'migrator-compute', 'enabled', 'up'],
                         lines['compute1'][:4])
        self.assertEqual(['compute2', 'migrator-compute', 'disabled',
                          'down'], lines['compute2'][:4])
        self.assertEqual('1', lines['compute1'][5])
        for header in ('Host', 'Binary', 'Status', 'State', 'Updated At',
                       'Version'):
            self.assertIn(header, out)


class TestCellV2Commands(DBManageTestCase):
    def test_map_cell0_default_and_idempotent(self):
        code, out, _ = self.run_manage('cell_v2', 'map_cell0')
        self.assertEqual(0, code)
        cell0 = cell_mapping.CellMapping.get_by_uuid(
            self.context, cell_mapping.CELL0_UUID)
        self.assertEqual('cell0', cell0.name)
        self.assertEqual('none:///', cell0.transport_url)
        self.assertTrue(cell0.database_connection.endswith(
            'main_cell0.sqlite'), cell0.database_connection)
        code, out, _ = self.run_manage('cell_v2', 'map_cell0')
        self.assertEqual(0, code)
        self.assertIn('already setup', out)

    def test_map_cell0_url_forms(self):
        self.flags(connection='mysql+pymysql://root:secret@db/migrator',
                   group='database')
        self.assertEqual('mysql+pymysql://root:secret@db/migrator_cell0',
                         manage._cell0_default_connection())
        code, out, _ = self.run_manage(
            'cell_v2', 'map_cell0', '--database_connection',
            'postgresql+psycopg2://postgres@h/c0')
        self.assertEqual(0, code)
        self.assertEqual('postgresql+psycopg2://postgres@h/c0',
                         cell_mapping.CellMapping.get_by_uuid(
                             self.context, cell_mapping.CELL0_UUID)
                         .database_connection)

    def test_create_cell_and_list(self):
        self.flags(transport_url='rabbit://guest:guest@127.0.0.1:5672/')
        code, out, _ = self.run_manage('cell_v2', 'create_cell', '--name',
                                       'cell1', '--verbose')
        self.assertEqual(0, code)
        uuid = out.strip()
        cell = cell_mapping.CellMapping.get_by_uuid(self.context, uuid)
        self.assertEqual(self.db.connection, cell.database_connection)
        # Same transport URL or database: 2.
        code, _, err = self.run_manage('cell_v2', 'create_cell', '--name',
                                       'again')
        self.assertEqual(2, code)
        self.assertIn(uuid, err)
        code, _, _ = self.run_manage(
            'cell_v2', 'create_cell', '--name', 'again',
            '--database_connection', 'sqlite:///other.db')
        self.assertEqual(2, code)
        code, _, _ = self.run_manage(
            'cell_v2', 'create_cell', '--name', 'cell2', '--disabled',
            '--database_connection', 'sqlite:///other.db',
            '--transport-url', 'rabbit://guest:guest@127.0.0.1:5672/c2')
        self.assertEqual(0, code)
        code, out, _ = self.run_manage('cell_v2', 'list_cells')
        self.assertEqual(0, code)
        self.assertIn('rabbit://guest:****@127.0.0.1:5672/', out)
        self.assertNotIn('guest:guest', out)
        self.assertLess(out.index('cell1'), out.index('cell2'))
        code, out, _ = self.run_manage('cell_v2', 'list_cells', '--verbose')
        self.assertIn('guest:guest', out)

    def test_list_cells_masks_every_password_unless_verbose(self):
        # Passwords SQLAlchemy and oslo.messaging accept with '/', '@'
        # or percent-encoding in them (issue 13).
        cells = (
            ('c1', 'rabbit://u:se:cret@127.0.0.1:5672/c1',
             'mysql+pymysql://root:pa/ss@127.0.0.1/c1', 'se:cret',
             'pa/ss'),
            ('c2', 'rabbit://u:p%40w@127.0.0.1:5672/c2',
             'postgresql://u:x@y@127.0.0.1/c2', 'p%40w', 'x@y'),
        )
        for name, transport, database, _, _ in cells:
            code, _, err = self.run_manage(
                'cell_v2', 'create_cell', '--name', name,
                '--transport-url', transport,
                '--database_connection', database)
            self.assertEqual(0, code, err)
        code, out, _ = self.run_manage('cell_v2', 'list_cells')
        self.assertEqual(0, code)
        for _, _, _, transport_pw, database_pw in cells:
            self.assertNotIn(transport_pw, out)
            self.assertNotIn(database_pw, out)
        self.assertIn('u:****@127.0.0.1:5672/c1', out)
        code, out, _ = self.run_manage('cell_v2', 'list_cells', '--verbose')
        self.assertIn('pa/ss', out)

    def test_list_cells_help_says_verbose_shows_passwords(self):
        code, out, _ = self.run_manage('cell_v2', 'list_cells', '--help')
        self.assertEqual(0, code)
        self.assertIn('passwords in clear', ' '.join(out.split()))
        self.assertIn('masked', out)

    def test_create_cell_missing_or_bad_urls(self):
        self.flags(transport_url=None)
        code, _, err = self.run_manage('cell_v2', 'create_cell')
        self.assertEqual(1, code)
        self.assertIn('transport_url', err)
        code, _, err = self.run_manage('cell_v2', 'create_cell',
                                       '--transport-url', 'rabbit://a:b@:x')
        self.assertEqual(1, code)
        self.assertIn('invalid transport URL', err)
        code, _, err = self.run_manage('cell_v2', 'create_cell',
                                       '--transport-url', 'fake:/',
                                       '--database_connection', 'not a url')
        self.assertEqual(1, code)
        self.assertIn('invalid database connection', err)

    def test_discover_hosts(self):
        self.flags(transport_url='fake:/')
        self.run_manage('cell_v2', 'map_cell0')
        code, out, _ = self.run_manage('cell_v2', 'create_cell', '--name',
                                       'cell1', '--verbose')
        cell_uuid = out.strip()
        code, out, _ = self.run_manage('cell_v2', 'discover_hosts',
                                       '--strict')
        self.assertEqual(1, code)
        for host in ('compute1', 'compute2'):
            service_obj.Service(self.context, host=host,
                                binary='migrator-compute',
                                topic='compute').create()
        service_obj.Service(self.context, host='cond',
                            binary='migrator-conductor',
                            topic='conductor').create()
        code, out, _ = self.run_manage('cell_v2', 'discover_hosts',
                                       '--verbose', '--strict',
                                       '--by-service')
        self.assertEqual(0, code, out)
        self.assertIn('Creating host mapping for host compute1', out)
        mappings = {m.host: m.cell_mapping.uuid for m in
                    host_mapping.HostMappingList.get_all(self.context)}
        self.assertEqual({'compute1': cell_uuid, 'compute2': cell_uuid},
                         mappings)
        code, _, _ = self.run_manage('cell_v2', 'discover_hosts')
        self.assertEqual(0, code)
        code, _, _ = self.run_manage('cell_v2', 'discover_hosts',
                                     '--strict', '--cell_uuid', cell_uuid)
        self.assertEqual(1, code)

    def test_discover_hosts_mapped_elsewhere(self):
        other = cell_mapping.CellMapping(
            self.context, uuid='11111111-1111-1111-1111-111111111111',
            name='other', transport_url='fake:/other',
            database_connection=self.db.new_cell_database())
        other.create()
        host_mapping.HostMapping(self.context, host='compute1',
                                 cell_mapping=other).create()
        self.flags(transport_url='fake:/')
        self.run_manage('cell_v2', 'create_cell', '--name', 'cell1')
        service_obj.Service(self.context, host='compute1',
                            binary='migrator-compute',
                            topic='compute').create()
        code, _, err = self.run_manage('cell_v2', 'discover_hosts',
                                       '--by-service')
        self.assertEqual(2, code)
        self.assertIn('already mapped to cell 1111', err)

    def test_discover_hosts_unknown_cell(self):
        code, _, err = self.run_manage(
            'cell_v2', 'discover_hosts', '--cell_uuid',
            '22222222-2222-2222-2222-222222222222')
        self.assertEqual(255, code)
        self.assertIn('22222222', err)
