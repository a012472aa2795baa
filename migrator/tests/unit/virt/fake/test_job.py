"""The fake MigrationJob against a clock: reads see the simulation as of
the moment they are made, and the end is announced once, outside the
job's lock."""
import threading
from unittest import mock

import testtools

from migrator.virt import driver
from migrator.virt.fake import job as fake_job
from migrator.virt.fake import simulation

MIB = simulation.MIB


def _setup():
    # 1 GiB over 100 MiB/s, nothing dirtied: ends after about 10.24 s.
    return simulation.MigrationSetup(memory_bytes=1024 * MIB,
                                     link_bps=100 * MIB)


class TestFakeMigrationJob(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.now = 1000.0
        # The background thread never wakes by itself in these tests:
        # only reads and knobs move the simulation.
        patch = mock.patch.object(fake_job, 'WAKE_INTERVAL', 3600)
        patch.start()
        self.addCleanup(patch.stop)

    def _job(self, time_scale=1.0, on_finish=None):
        job = fake_job.FakeMigrationJob(
            simulation.PreCopySimulation(_setup()), 'guest-1',
            time_scale=time_scale, on_finish=on_finish,
            clock=lambda: self.now)
        job.start()
        self.addCleanup(job.stop, 1)
        return job

    def test_stats_are_as_of_the_read(self):
        job = self._job(time_scale=2.0)
        self.now += 1.5
        stats = job.get_job_stats()
        # 1.5 real s at twice real time: 3 simulated s at 100 MiB/s.
        self.assertEqual(3000, stats['time_elapsed'])
        self.assertEqual(300 * MIB, stats['memory_processed'])
        self.assertEqual(driver.JOB_UNBOUNDED, stats['type'])

    def test_a_knob_applies_from_the_moment_it_is_set(self):
        job = self._job()
        self.now += 2
        job.set_max_speed(50)
        self.now += 2
        # 2 s at 100 MiB/s, then 2 s at 50.
        self.assertEqual(300 * MIB,
                         job.get_job_stats()['memory_processed'])

    def test_an_end_found_by_a_read_is_announced_once(self):
        ends = []
        job = self._job(on_finish=ends.append)
        self.now += 60
        self.assertEqual(driver.JOB_COMPLETED, job.get_job_stats()['type'])
        self.assertTrue(job.is_finished())
        job.get_job_stats()
        job._catch_up()
        self.assertEqual([job], ends)

    def test_the_end_is_announced_outside_the_jobs_lock(self):
        # on_finish takes the driver's lock, which another thread may
        # hold while it asks the job whether it has finished.
        answered = []

        def on_finish(job):
            asker = threading.Thread(
                target=lambda: answered.append(job.is_finished()))
            asker.start()
            asker.join(5)

        job = self._job(on_finish=on_finish)
        self.now += 60
        job.get_job_stats()
        self.assertEqual([True], answered)
