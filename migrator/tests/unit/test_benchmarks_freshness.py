"""bench_progress_freshness: when its load phase ends, its size
override, its CPU pinning, and common.settle at its timeout (no
deployment started)."""
import os
import subprocess
import sys
import time

import fixtures
import testtools

from benchmarks import bench_progress_freshness as fresh
from benchmarks import common


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


class TestPinned(testtools.TestCase):
    def test_only_when_asked(self):
        self.assertFalse(fresh.pinned(environ={}))
        self.assertFalse(fresh.pinned(
            environ={'MIGRATOR_BENCH_FRESHNESS_PIN': '0'}))
        self.assertTrue(fresh.pinned(
            environ={'MIGRATOR_BENCH_FRESHNESS_PIN': '1'}))

    def test_pins_every_thread_of_a_process(self):
        proc = subprocess.Popen(
            [sys.executable, '-c', 'import threading, time\n'
             'threading.Thread(target=time.sleep, args=(30,)).start()\n'
             'time.sleep(30)'])
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        deadline = time.monotonic() + 30
        while (len(os.listdir('/proc/%d/task' % proc.pid)) < 2 and
               time.monotonic() < deadline):
            time.sleep(0.05)
        fresh.pin(proc.pid, {0})
        tids = os.listdir('/proc/%d/task' % proc.pid)
        self.assertEqual(2, len(tids))
        for tid in tids:
            self.assertEqual({0}, os.sched_getaffinity(int(tid)))


class TestLoadTimeout(testtools.TestCase):

    def test_bounded_by_the_waves(self):
        # 10 per source, 5 at once: 2 waves of 20 s, three times over.
        self.assertEqual(240, fresh.load_timeout(100, 10, 1))
        # --quick: one wave of 10 s.
        self.assertEqual(150, fresh.load_timeout(10, 2, 2))


class TestSettle(testtools.TestCase):

    def test_returns_the_busy_servers_at_its_timeout(self):
        # A migration left behind keeps its server's task: settle gives
        # its id back (the callers report it) instead of raising.
        class Busy:
            def __init__(self, port):
                pass

            def request(self, method, path, version=None):
                return 200, 0.0, {'servers': [
                    {'id': 'a', 'OS-EXT-STS:task_state': 'migrating'},
                    {'id': 'b', 'OS-EXT-STS:task_state': None}]}
        self.useFixture(fixtures.MockPatchObject(common, 'Client', Busy))
        self.assertEqual(['a'], common.settle(1, timeout=0.1))
