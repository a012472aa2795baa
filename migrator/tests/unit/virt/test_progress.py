"""Progress estimation from job-stats samples."""
import testtools

from migrator.tests.unit.virt import fakes
from migrator.virt.fake import simulation
from migrator.virt import progress

MIB = fakes.MIB
GIB = fakes.GIB


def stats(memory_remaining, memory_processed, iteration=1, dirty_mib=0,
          disk_total=0, disk_processed=0, memory_total=2 * GIB):
    return {'type': 2, 'memory_total': memory_total,
            'memory_processed': memory_processed,
            'memory_remaining': memory_remaining,
            'memory_dirty_rate': int(dirty_mib * MIB / 4096),
            'memory_page_size': 4096, 'memory_iteration': iteration,
            'disk_total': disk_total, 'disk_processed': disk_processed,
            'disk_remaining': disk_total - disk_processed, 'downtime': 120}


class TestProgressEstimator(testtools.TestCase):

    def test_all_keys_present(self):
        est = progress.ProgressEstimator()
        p = est.feed(0.0, stats(2 * GIB, 0))
        self.assertEqual(set(progress.PROGRESS_KEYS), set(p))
        self.assertEqual(0, p['percent'])
        self.assertEqual(0, p['disk_total'])
        self.assertEqual(120, p['expected_downtime_ms'])

    def test_driver_without_figures_gives_nulls(self):
        est = progress.ProgressEstimator()
        p = est.feed(0.0, {'type': 2})
        for key in progress.SEED_001_KEYS:
            self.assertIsNone(p[key])
        self.assertEqual(100, est.finish(True)['percent'])

    def test_eta_none_until_a_rate_is_known(self):
        est = progress.ProgressEstimator()
        self.assertIsNone(est.feed(0.0, stats(2 * GIB, 0))['eta_seconds'])
        p = est.feed(1.0, stats(2 * GIB - 100 * MIB, 100 * MIB))
        self.assertEqual(100 * MIB, p['transfer_rate'])
        # 1948 MiB left at 100 MiB/s with nothing dirtied.
        self.assertEqual(19, p['eta_seconds'])

    def test_eta_accounts_for_dirty_rate(self):
        est = progress.ProgressEstimator()
        est.feed(0.0, stats(2 * GIB, 0, dirty_mib=50))
        p = est.feed(1.0, stats(2 * GIB - 100 * MIB, 100 * MIB,
                                dirty_mib=50))
        # (1948 left + 50 re-dirtied) at a net 50 MiB/s.
        self.assertEqual(40, p['eta_seconds'])
        self.assertEqual(50 * MIB, p['dirty_rate'])

    def test_eta_none_when_not_converging(self):
        est = progress.ProgressEstimator()
        est.feed(0.0, stats(2 * GIB, 0, dirty_mib=150))
        p = est.feed(1.0, stats(2 * GIB - 100 * MIB, 100 * MIB,
                                dirty_mib=150))
        self.assertIsNone(p['eta_seconds'])

    def test_disk_counts_in_percent(self):
        est = progress.ProgressEstimator()
        p = est.feed(0.0, stats(2 * GIB, 0, iteration=0,
                                disk_total=18 * GIB,
                                disk_processed=9 * GIB))
        self.assertEqual(45, p['percent'])

    def test_percent_never_goes_back_and_waits_for_completion(self):
        est = progress.ProgressEstimator()
        seen = []
        # Pass 1 nearly done, then pass 2 brings 600 MiB back.
        for t, s in enumerate([stats(2 * GIB, 0),
                               stats(10 * MIB, 2 * GIB - 10 * MIB),
                               stats(600 * MIB, 2 * GIB, iteration=2),
                               stats(0, 2 * GIB + 600 * MIB, iteration=3)]):
            seen.append(est.feed(float(t), s)['percent'])
        self.assertEqual(sorted(seen), seen)
        self.assertLessEqual(max(seen), 99)
        self.assertEqual(100, est.finish(True)['percent'])

    def test_redirtied_memory_holds_percent_back(self):
        est = progress.ProgressEstimator()
        est.feed(0.0, stats(2 * GIB, 0, dirty_mib=100))
        p = est.feed(10.0, stats(2 * GIB - 1250 * MIB, 1250 * MIB,
                                 dirty_mib=100))
        # 1250 MiB sent but 1000 MiB of it dirtied again: ~12%, not 61%.
        self.assertLess(p['percent'], 20)

    def test_failed_finish_keeps_figures(self):
        est = progress.ProgressEstimator()
        est.feed(0.0, stats(2 * GIB, 0))
        est.feed(1.0, stats(GIB, GIB))
        p = est.finish(False)
        self.assertEqual(50, p['percent'])
        self.assertIsNone(p['eta_seconds'])

    def test_eta_tracks_a_simulated_migration(self):
        setup = simulation.MigrationSetup(
            memory_bytes=2 * GIB, link_bps=125 * MIB,
            dirty_rate_bps=30 * MIB, working_set_bytes=2 * GIB,
            max_downtime_ms=100)
        sim = simulation.PreCopySimulation(setup)
        est = progress.ProgressEstimator()
        etas = []
        while not sim.finished:
            p = est.feed(sim.elapsed, sim.job_stats())
            etas.append((sim.elapsed, p['eta_seconds']))
            sim.advance(0.5)
        total = sim.elapsed
        self.assertIsNone(etas[0][1])
        # Halfway through, the ETA is within 25% of the truth.
        at, eta = [e for e in etas if e[0] >= total / 2][0]
        self.assertIsNotNone(eta)
        self.assertLess(abs((at + eta) - total), 0.25 * total)
