"""Nova's live-migration arithmetic."""
import fixtures
from oslo_config import cfg
import testtools

from migrator.conf import live_migration
from migrator.tests.unit.virt import fakes
from migrator.virt import migration_policy


class TestMigrationPolicy(testtools.TestCase):

    def test_data_gb_counts_at_least_two_gib_each(self):
        self.assertEqual(2, migration_policy.data_gb(512))
        self.assertEqual(4, migration_policy.data_gb(4096))
        self.assertEqual(2 + 20 + 2,
                         migration_policy.data_gb(2048, [20, 1]))
        guest = fakes.make_guest(memory_mb=2048, root_gb=20, ephemeral_gb=0)
        self.assertEqual(2, migration_policy.guest_data_gb(guest, False))
        self.assertEqual(22, migration_policy.guest_data_gb(guest, True))

    def test_downtime_steps_as_nova(self):
        conf = fakes.make_conf().live_migration
        steps = list(migration_policy.downtime_steps(conf, 2))
        self.assertEqual(11, len(steps))
        self.assertEqual((0, 50), steps[0])
        self.assertEqual((150, 95), steps[1])
        self.assertEqual((1500, 500), steps[-1])

    def test_completion_timeout(self):
        conf = fakes.make_conf().live_migration
        self.assertEqual(1600, migration_policy.completion_timeout(conf, 2))
        conf = fakes.make_conf({'completion_timeout': 0}).live_migration
        self.assertEqual(0, migration_policy.completion_timeout(conf, 2))

    def test_start_params(self):
        conf = fakes.make_conf({'permit_post_copy': True,
                                'permit_auto_converge': True,
                                'bandwidth': 80}).live_migration
        params = migration_policy.start_params(conf, True, 2)
        self.assertEqual({'block_migration': True, 'bandwidth_mib': 80,
                          'permit_post_copy': True,
                          'permit_auto_converge': False,
                          'max_downtime_ms': 50}, params)

    def test_nova_option_names_still_work(self):
        path = self.useFixture(fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[libvirt]\n'
                    'live_migration_downtime = 900\n'
                    'live_migration_completion_timeout = 0\n'
                    'live_migration_permit_post_copy = true\n')
        conf = cfg.ConfigOpts()
        conf.register_opts(live_migration.lm_opts, group='live_migration')
        conf(['--config-file', path])
        self.assertEqual(900, conf.live_migration.downtime)
        self.assertEqual(0, conf.live_migration.completion_timeout)
        self.assertTrue(conf.live_migration.permit_post_copy)
