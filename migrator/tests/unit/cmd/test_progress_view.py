"""The demo's progress line says what the API reported, readably."""
from migrator.cmd import progress_view
from migrator.tests import base

GIB = 1024 ** 3
MIB = 1024 ** 2


class TestRender(base.TestCase):

    def test_running_migration(self):
        line = progress_view.render({
            'status': 'running',
            'memory_total_bytes': 2 * GIB,
            'memory_processed_bytes': GIB,
            'disk_total_bytes': 0,
            'progress': {'percent': 42, 'transfer_rate': 125 * MIB,
                         'dirty_rate': 30 * MIB, 'iteration': 2,
                         'eta_seconds': 75}})
        self.assertIn('[############..................]  42%', line)
        self.assertIn('1.0 GiB sent of 2.0 GiB RAM', line)
        self.assertIn('125.0 MiB/s', line)
        self.assertIn('dirtying 30.0 MiB/s', line)
        self.assertIn('pass 2', line)
        self.assertIn('ETA 1m15s', line)
        self.assertTrue(line.endswith('running'))
        self.assertNotIn('disk', line)

    def test_unknown_figures_are_shown_as_unknown(self):
        line = progress_view.render({'status': 'queued'})
        self.assertIn('  0%', line)
        self.assertIn('? sent of ? RAM', line)
        self.assertIn('ETA --', line)

    def test_block_migration_shows_disk(self):
        line = progress_view.render({
            'status': 'running', 'disk_total_bytes': 20 * GIB,
            'disk_processed_bytes': 5 * GIB, 'progress': {'percent': 20}})
        self.assertIn('disk 5.0 GiB/20.0 GiB', line)
