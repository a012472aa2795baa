"""Kept worker threads for cell calls."""
import threading

import testtools

from migrator.compute.api import cell_workers
from migrator.tests.functional import control_plane


class TestCellWorkers(testtools.TestCase):

    def test_calls_run_and_workers_are_kept(self):
        workers = cell_workers.CellWorkers()
        for n in range(5):
            done = threading.Event()
            workers.submit(done.set)
            self.assertTrue(done.wait(10))
            control_plane.wait_for(lambda: workers._idle == 1, 10,
                                   what='the worker to be idle')
        # One after the other: the first worker served them all.
        self.assertEqual(1, workers._started)

    def test_a_call_that_hangs_does_not_hold_the_next(self):
        workers = cell_workers.CellWorkers()
        release = threading.Event()
        self.addCleanup(release.set)
        workers.submit(release.wait)
        done = threading.Event()
        workers.submit(done.set)
        self.assertTrue(done.wait(10))
