"""The volume service's progress board, Cinder's host naming, the copy
throttle and the file backends' naming."""
import fixtures
from oslo_config import cfg
import testtools

from migrator import migration_progress as progress
from migrator.objects import volume as volume_obj
from migrator.tests import fixtures as migrator_fixtures
from migrator.volume import backends
from migrator.volume import migration

CONF = cfg.CONF


class TestProgressBoard(testtools.TestCase):

    def test_percent_never_goes_back(self):
        board = progress.ProgressBoard()
        self.assertIsNone(board.get('v1'))
        board.start('v1')
        self.assertEqual('0', board.get('v1'))
        board.update('v1', 40)
        board.update('v1', 35)
        self.assertEqual('40', board.get('v1'))
        board.update('v1', 41)
        self.assertEqual('41', board.get('v1'))
        board.finish('v1')
        self.assertIsNone(board.get('v1'))

    def test_driver_assisted_is_the_fixed_string(self):
        board = progress.ProgressBoard()
        board.start('v1', driver_assisted=True)
        board.update('v1', 50)
        self.assertEqual('driver-assisted', board.get('v1'))

    def test_update_of_an_unknown_volume_is_ignored(self):
        board = progress.ProgressBoard()
        board.update('v1', 50)
        self.assertIsNone(board.get('v1'))


class TestHostParts(testtools.TestCase):

    def test_parts(self):
        self.assertEqual(('h', 'b', 'p'),
                         volume_obj.host_parts('h@b#p'))
        self.assertEqual(('h', 'b', None), volume_obj.host_parts('h@b'))
        self.assertEqual(('h', None, None), volume_obj.host_parts('h'))
        self.assertEqual((None, None, None), volume_obj.host_parts(None))

    def test_name_follows_name_id(self):
        volume = volume_obj.Volume(uuid='u1', name_id=None)
        self.assertEqual('volume-u1', volume.name)
        volume.name_id = 'u2'
        self.assertEqual('volume-u2', volume.name)


class TestRateLimitAndBackends(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())

    def test_rate_limit_is_the_lower_one(self):
        self.assertIsNone(migration.rate_limit())
        self.conf.config(copy_rate_limit_mib=100, group='volume')
        self.assertEqual(100 * 1024 ** 2, migration.rate_limit())
        self.conf.config(rate_limit=1024 ** 2, group='transfer')
        self.assertEqual(1024 ** 2, migration.rate_limit())

    def test_file_backend_naming_and_files(self):
        state = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=state)
        backend = backends.load(CONF, 'volume1', 'gold')
        backend.start()
        self.assertEqual('volume1@gold', backend.service_host)
        self.assertEqual('volume1@gold#gold', backend.host_string())
        path = backend.create('volume-x', 1, 'gold')
        self.assertEqual(state + '/volumes/gold/gold/volume-x', path)
        self.assertTrue(backend.exists('volume-x', 'gold'))
        self.assertFalse(backend.can_move_itself(backend))
        backend.delete('volume-x', 'gold')
        backend.delete('volume-x', 'gold')
        self.assertFalse(backend.exists('volume-x', 'gold'))

    def test_driver_assisted_moves_between_its_own_pools(self):
        state = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=state)
        from migrator.conf import volume as volume_conf
        volume_conf.register_backend_opts(CONF, 'array')
        self.conf.config(volume_driver='driver-assisted',
                         pools=['a', 'b'], group='array')
        array = backends.load(CONF, 'volume1', 'array')
        other = backends.load(CONF, 'volume1', 'plain')
        self.assertTrue(array.can_move_itself(array))
        self.assertFalse(array.can_move_itself(other))
        self.assertEqual('volume1@array#a', array.host_string())

    def test_unknown_driver_is_one_configuration_error(self):
        from migrator import exception
        path = self.useFixture(fixtures.TempDir()).join('volume.conf')
        with open(path, 'w') as handle:
            handle.write('[odd]\nvolume_driver = nfs\n')
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[path])
        error = self.assertRaises(exception.ConfigurationError,
                                  backends.load, conf, 'h', 'odd')
        self.assertIn("[odd] volume_driver: Valid values are [file, "
                      "driver-assisted], but found 'nfs'", str(error))


class TestTargetSink(testtools.TestCase):
    """Where a migration to another volume service writes: the file here
    when the destination is this machine, over SSH otherwise."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())

    def test_no_address_or_this_machine_is_a_local_file(self):
        from migrator import transfer
        self.assertIsInstance(migration.sink('/v/volume-1'),
                              transfer.LocalFile)
        self.conf.config(my_ip='192.0.2.10')
        self.assertIsInstance(migration.sink('/v/volume-1', '192.0.2.10'),
                              transfer.LocalFile)

    def test_another_address_is_the_file_over_ssh(self):
        from migrator import transfer
        self.conf.config(my_ip='192.0.2.10')
        self.conf.config(ssh_user='migrator', ssh_port=2222,
                         group='transfer')
        sink = migration.sink('/v/volume-1', '192.0.2.11')
        self.assertIsInstance(sink, transfer.RemoteFile)
        self.assertEqual('192.0.2.11', sink.host.hostname)
        self.assertEqual(2222, sink.host.port)
        self.assertEqual('migrator', sink.host.user)
