"""The demo's pace: with the numbers it picks for ``--demo-seconds``, the
simulated live migration (the fake driver's model, in simulated time)
lasts about that long and converges on its own, at the first downtime
step (500 ms over 10 steps: 50 ms), and the volume copy rate moves
1 GiB in about that time."""
import testtools

from migrator.cmd import demo
from migrator.virt import driver
from migrator.virt.fake import simulation

MiB = 1024 * 1024
LINK_MIB = 125     # [fake_driver] link_bandwidth_mib's default


def simulate(pace, limit=3600):
    sim = simulation.PreCopySimulation(simulation.MigrationSetup(
        memory_bytes=demo.GUEST_MIB * MiB, link_bps=LINK_MIB * MiB,
        dirty_rate_bps=pace.dirty_rate_mib * MiB,
        working_set_bytes=pace.working_set_mib * MiB,
        speed_cap_bps=pace.bandwidth_mib * MiB, max_downtime_ms=50))
    while not sim.finished and sim.elapsed < limit:
        sim.advance(1.0)
    return sim


class TestDemoPace(testtools.TestCase):

    def test_default_two_minutes(self):
        pace = demo.Pace()
        self.assertEqual(120, pace.seconds)
        sim = simulate(pace)
        self.assertEqual(driver.JOB_COMPLETED, sim.job_type)
        self.assertGreater(sim.elapsed, 0.8 * 120)
        self.assertLess(sim.elapsed, 1.3 * 120)
        self.assertAlmostEqual(120, 1024 / pace.volume_copy_mib, delta=15)

    def test_short_runs_converge_too(self):
        # Caps above the link: the link decides, and the dirty rate stays
        # small next to it.
        for seconds in (5, 10, 30):
            sim = simulate(demo.Pace(seconds))
            self.assertEqual(driver.JOB_COMPLETED, sim.job_type, seconds)
