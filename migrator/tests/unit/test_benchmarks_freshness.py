"""bench_progress_freshness: when its load phase ends, and its size
override (no deployment is started)."""
import testtools

from benchmarks import bench_progress_freshness as fresh


class TestLoadPhaseEnd(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.poller = fresh.WritePoller('sqlite://')
        self.addCleanup(self.poller.engine.dispose)

    def test_accepted_but_not_yet_running_is_unfinished(self):
        # At full size the conductors hand the last migrations over tens
        # of seconds after the requests: none running yet is no end.
        self.poller.statuses = {'a': ['accepted'], 'b': ['accepted']}
        self.assertEqual(2, self.poller.unfinished(['a', 'b']))

    def test_not_seen_yet_is_unfinished(self):
        self.assertEqual(1, self.poller.unfinished(['a']))

    def test_ends_when_every_migration_has_a_final_status(self):
        self.poller.statuses = {
            'a': ['accepted', 'queued', 'running', 'completed'],
            'b': ['accepted', 'running', 'post-migrating'],
            'c': ['accepted', 'error']}
        self.assertEqual(1, self.poller.unfinished(['a', 'b', 'c']))
        self.poller.statuses['b'].append('completed')
        self.assertEqual(0, self.poller.unfinished(['a', 'b', 'c']))


class TestSize(testtools.TestCase):

    def test_default(self):
        self.assertEqual((100, 10), fresh.size(100, 10, environ={}))

    def test_override(self):
        self.assertEqual((40, 4), fresh.size(
            100, 10, environ={'MIGRATOR_BENCH_FRESHNESS_SIZE': '40x4'}))

    def test_bad_override(self):
        for bad in ('40', 'ax4', '40x1', '0x4'):
            self.assertRaises(ValueError, fresh.size, 100, 10,
                              environ={'MIGRATOR_BENCH_FRESHNESS_SIZE': bad})
