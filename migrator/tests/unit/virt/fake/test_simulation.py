"""The pre-copy model: convergence decided by the numbers."""
import testtools

from migrator.virt import driver
from migrator.virt.fake import simulation

MIB = simulation.MIB
GIB = simulation.GIB


def make_sim(**kwargs):
    setup = dict(memory_bytes=2 * GIB, link_bps=125 * MIB,
                 dirty_rate_bps=8 * MIB, working_set_bytes=256 * MIB,
                 max_downtime_ms=500)
    setup.update(kwargs)
    return simulation.PreCopySimulation(simulation.MigrationSetup(**setup))


def run(sim, limit=3600.0, step=0.5):
    while not sim.finished and sim.elapsed < limit:
        sim.advance(step)
    return sim


class TestConvergence(testtools.TestCase):

    def test_idle_small_guest_converges_in_demo_time(self):
        sim = run(make_sim(max_downtime_ms=50))
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)
        # The demo's m1.small: about 15-25 s on the default link.
        self.assertTrue(15 <= sim.elapsed <= 25, sim.elapsed)
        self.assertGreater(sim.iteration, 1)
        self.assertLessEqual(sim.downtime_ms, 50)
        self.assertTrue(sim.guest_on_destination)

    def test_dirtying_faster_than_the_link_never_converges(self):
        sim = run(make_sim(dirty_rate_bps=200 * MIB), limit=600)
        self.assertFalse(sim.finished)
        self.assertEqual(driver.JOB_UNBOUNDED, sim.job_stats()['type'])
        self.assertGreater(sim.iteration, 10)
        # Each pass re-sends the whole hot set: too much for 500 ms.
        self.assertGreater(sim.job_stats()['downtime'], 500)

    def test_small_hot_set_converges_despite_high_dirty_rate(self):
        sim = run(make_sim(dirty_rate_bps=200 * MIB,
                           working_set_bytes=32 * MIB))
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)

    def test_remaining_memory_rises_again_at_each_pass(self):
        sim = make_sim(dirty_rate_bps=60 * MIB, working_set_bytes=2 * GIB,
                       max_downtime_ms=100)
        seen = []
        while not sim.finished:
            sim.advance(0.25)
            seen.append(sim.job_stats()['memory_remaining'])
        rises = sum(1 for a, b in zip(seen, seen[1:]) if b > a)
        self.assertGreater(rises, 0)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)

    def test_larger_downtime_lets_it_converge(self):
        sim = make_sim(dirty_rate_bps=200 * MIB)
        run(sim, limit=120)
        self.assertFalse(sim.finished)
        sim.set_max_downtime(3000)
        run(sim, limit=240)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)

    def test_speed_cap_slows_the_transfer(self):
        fast = run(make_sim(max_downtime_ms=50))
        slow = make_sim(max_downtime_ms=50)
        slow.set_max_speed(50)
        run(slow)
        self.assertEqual(driver.JOB_COMPLETED, slow.job_type)
        self.assertGreater(slow.elapsed, fast.elapsed * 2)


class TestStatsShape(testtools.TestCase):

    def test_libvirt_job_stats_keys(self):
        sim = make_sim(disk_bytes=4 * GIB)
        sim.advance(10)
        stats = sim.job_stats()
        for key in ('type', 'time_elapsed', 'data_total', 'data_processed',
                    'data_remaining', 'memory_total', 'memory_processed',
                    'memory_remaining', 'memory_bps', 'memory_dirty_rate',
                    'memory_page_size', 'memory_iteration', 'disk_total',
                    'disk_processed', 'disk_remaining', 'downtime'):
            self.assertIn(key, stats)
        self.assertEqual(10000, stats['time_elapsed'])
        self.assertEqual(4096, stats['memory_page_size'])
        self.assertEqual(8 * MIB // 4096, stats['memory_dirty_rate'])
        self.assertEqual(stats['memory_total'] + stats['disk_total'],
                         stats['data_total'])

    def test_block_migration_copies_disks_before_memory(self):
        sim = make_sim(disk_bytes=4 * GIB)
        sim.advance(10)
        stats = sim.job_stats()
        self.assertEqual(1250 * MIB, stats['disk_processed'])
        self.assertEqual(0, stats['memory_processed'])
        self.assertEqual(0, stats['memory_iteration'])
        run(sim)
        stats = sim.job_stats()
        self.assertEqual(driver.JOB_COMPLETED, stats['type'])
        self.assertEqual(0, stats['disk_remaining'])
        self.assertGreaterEqual(stats['memory_processed'], 2 * GIB)


class TestControls(testtools.TestCase):

    def test_pause_makes_a_non_converging_migration_finish(self):
        sim = make_sim(dirty_rate_bps=200 * MIB)
        run(sim, limit=60)
        self.assertFalse(sim.finished)
        sim.pause()
        self.assertEqual(0, sim.job_stats()['memory_dirty_rate'])
        run(sim, limit=80)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)

    def test_postcopy_finishes_a_non_converging_migration(self):
        sim = make_sim(dirty_rate_bps=200 * MIB, permit_post_copy=True)
        run(sim, limit=60)
        sim.start_postcopy()
        sim.advance(0.1)
        self.assertTrue(sim.guest_on_destination)
        self.assertEqual(simulation.POSTCOPY_SWITCH_DOWNTIME_MS,
                         sim.downtime_ms)
        run(sim, limit=80)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)
        self.assertIn('memory_postcopy_requests', sim.job_stats())

    def test_postcopy_needs_permission(self):
        sim = make_sim()
        self.assertRaises(simulation.SimulationError, sim.start_postcopy)

    def test_postcopy_cannot_be_aborted(self):
        sim = make_sim(permit_post_copy=True)
        sim.advance(1)
        sim.start_postcopy()
        sim.advance(0.1)
        self.assertRaises(simulation.SimulationError, sim.abort)

    def test_abort_cancels_and_keeps_the_guest_on_the_source(self):
        sim = make_sim()
        sim.advance(5)
        sim.abort()
        self.assertTrue(sim.finished)
        self.assertEqual(driver.JOB_CANCELLED, sim.job_type)
        self.assertFalse(sim.guest_on_destination)
        processed = sim.job_stats()['memory_processed']
        sim.advance(5)
        self.assertEqual(processed, sim.job_stats()['memory_processed'])

    def test_failure_at_percent(self):
        sim = make_sim(fail_at_percent=40)
        run(sim)
        self.assertEqual(driver.JOB_FAILED, sim.job_type)
        self.assertFalse(sim.guest_on_destination)
        stats = sim.job_stats()
        self.assertIn('40', stats['errmsg'])
        self.assertAlmostEqual(0.4 * 2 * GIB, stats['data_processed'],
                               delta=8 * MIB)

    def test_auto_converge_throttles_until_it_converges(self):
        plain = make_sim(dirty_rate_bps=200 * MIB, working_set_bytes=2 * GIB)
        run(plain, limit=600)
        self.assertFalse(plain.finished)
        sim = make_sim(dirty_rate_bps=200 * MIB, working_set_bytes=2 * GIB,
                       permit_auto_converge=True)
        throttles = []
        while not sim.finished and sim.elapsed < 600:
            sim.advance(1)
            throttles.append(sim.throttle)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)
        self.assertEqual(sorted(throttles), throttles)
        self.assertGreater(len(set(throttles)), 2)   # step by step
        self.assertLess(sim.job_stats()['memory_dirty_rate'],
                        200 * MIB // 4096)
