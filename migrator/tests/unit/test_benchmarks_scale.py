"""The accept-latency and scale-out benchmarks: they import, and what
they write is shaped as the runner expects (no timing is asserted)."""
import os
import shutil

import testtools

from benchmarks import __main__ as runner
from benchmarks import bench_accept_latency
from benchmarks import bench_scale_out
from benchmarks import profiling

RAW = """\
_worker (concurrent/futures/thread.py:83);migrate_live (migrator/api/compute/handlers/migrate_server.py:72);readinto (socket.py:706) 30
_worker (concurrent/futures/thread.py:83);migrate_live (migrator/api/compute/handlers/migrate_server.py:72);get_server (migrator/compute/api/servers.py:57);ping (pymysql/connections.py:560) 10
_worker (concurrent/futures/thread.py:83);wait (threading.py:327) 60
"""  # noqa: E501


class TestBenchmarks(testtools.TestCase):

    def test_listed_in_the_runner(self):
        self.assertIn('bench_accept_latency', runner.BENCHMARKS)
        self.assertIn('bench_scale_out', runner.BENCHMARKS)
        for module in (bench_accept_latency, bench_scale_out):
            self.assertTrue(callable(module.run))

    def test_profile_summary(self):
        sampler = profiling.Sampler([], 0)
        sampler.missing = False
        with open(os.path.join(sampler.dir, '1.txt'), 'w') as f:
            f.write(RAW)
        top = sampler.top(within='migrate_live')
        self.assertEqual(40, top['samples'])
        self.assertEqual((75.0, 'migrate_live (migrate_server.py:72)'),
                         top['ours'][0])
        self.assertEqual((25.0, 'get_server (servers.py:57)'),
                         top['ours'][1])
        self.assertEqual((75.0, 'readinto (socket.py:706)'),
                         top['leaves'][0])
        line = profiling.describe(top, 'API')
        self.assertIn('40 py-spy samples', line)

    def test_no_py_spy_is_said(self):
        sampler = profiling.Sampler([], 1)
        self.addCleanup(shutil.rmtree, sampler.dir, True)
        sampler.missing = True
        self.assertIn('not profiled',
                      profiling.describe(sampler.top(), 'API'))

    def test_bottleneck_names_the_busiest_process(self):
        rounds = {'2.34, 2 API workers': {
            'cpu_s': {'api': 2.0, 'conductor1': 1.0, 'mariadb': 0.5},
            'statuses': {'202': 10}, 'wall_s': 1.0,
            'all_terminal_after_s': 1.0}}
        text = bench_scale_out.bottleneck(rounds)
        self.assertIn('busiest api', text)
        self.assertIn('350.0 ms in all', text)

    def test_ratios_of_accept_latency(self):
        section = {'floor GET /v2.1': {'p50_ms': 2.0},
                   '2.34 asynchronous': {'p50_ms': 8.0},
                   '2.30 blocking': {'p50_ms': 80.0}}
        ratios = bench_accept_latency._ratios(section, 'x')
        self.assertEqual([4.0, 10.0], [r['value'] for r in ratios])
        self.assertEqual([True, True], [r['met'] for r in ratios])
