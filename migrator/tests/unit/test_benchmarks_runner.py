"""The benchmark runner's time budgets and the shared deployment of
benchmarks.common (no timing is asserted: the clock is mocked)."""
import contextlib
import io
import types
from unittest import mock

import fixtures
import testtools

from benchmarks import __main__ as runner
from benchmarks import common


class TestBudgets(testtools.TestCase):

    def test_every_benchmark_has_a_share_of_the_suite(self):
        self.assertEqual(set(runner.BENCHMARKS), set(runner.BUDGETS))
        self.assertEqual(
            runner.SUITE_BUDGET,
            tuple(sum(b[i] for b in runner.BUDGETS.values())
                  for i in (0, 1)))

    def test_table_gives_seconds_beside_the_budget(self):
        result = {'name': 'startup', 'ratios': [
            {'name': 'r', 'value': 1.0, 'target': 'report', 'met': True}]}
        text = runner.table([('bench_startup', result, 31.0),
                             ('bench_pmem_resize', None, 2.0)], quick=True)
        self.assertIn('(31 s; budget 20 s: OVER)', text)
        self.assertIn('(2 s; budget 15 s)', text)
        self.assertIn('pmem_resize', text)

    def _main(self, seconds):
        module = types.SimpleNamespace(run=lambda quick: {
            'name': 'startup', 'figures': {}, 'ratios': [], 'notes': []})
        clock = iter([0.0, 0.0, seconds, seconds])
        out = io.StringIO()
        with mock.patch.object(runner.importlib, 'import_module',
                               return_value=module), \
                mock.patch.object(runner, 'write', return_value='x.json'), \
                mock.patch.object(runner.time, 'perf_counter',
                                  side_effect=lambda: next(clock)), \
                contextlib.redirect_stdout(out):
            self.assertEqual(0, runner.main(['--quick', 'startup']))
        return out.getvalue()

    def test_warns_over_the_budget(self):
        out = self._main(25.0)
        self.assertIn('25 s in all (budget 20 s for these)', out)
        self.assertIn('WARNING: python -m benchmarks --quick took 25 s, '
                      'over its budget of 20 s', out)

    def test_no_warning_within_the_budget(self):
        out = self._main(5.0)
        self.assertIn('5 s in all (budget 20 s for these)', out)
        self.assertNotIn('WARNING', out)


class FakeDeployment:
    made = []

    def __init__(self, **topology):
        self.topology = topology
        self.port = 1
        self.stopped = False
        self.reused = False
        self.start_seconds = None
        self.retired = False
        FakeDeployment.made.append(self)

    def start(self):
        return self

    def stop(self):
        self.stopped = True

    def retire(self):
        self.retired = True


class TestSharedDeployment(testtools.TestCase):

    def setUp(self):
        super().setUp()
        FakeDeployment.made = []
        self.patch(common, 'Deployment', FakeDeployment)
        self.settle = self.patch(common, 'settle',
                                 mock.Mock(return_value=[]))
        self.delete = self.patch(common, 'delete_servers',
                                 mock.Mock(return_value=3))
        self.patch(common, 'services_up', mock.Mock(return_value=(6, 6)))
        self.addCleanup(common._SHARED.clear)

    def patch(self, obj, attr, new):
        self.useFixture(fixtures.MockPatchObject(obj, attr, new))
        return new

    def test_second_user_gets_the_same_deployment_idle_and_empty(self):
        with common.deployment(shared=True, computes=4) as first:
            self.assertFalse(first.reused)
        self.assertFalse(first.stopped)
        with common.deployment(shared=True, computes=4) as second:
            self.assertIs(first, second)
            self.assertTrue(second.reused)
        self.settle.assert_called_once_with(1)
        self.delete.assert_called_once_with(1)
        common.stop_shared()
        self.assertTrue(first.stopped)

    def test_keep_servers_leaves_the_earlier_servers(self):
        with common.deployment(shared=True, computes=4):
            pass
        with common.deployment(shared=True, keep_servers=True,
                               computes=4) as second:
            self.assertTrue(second.reused)
        self.settle.assert_called_once_with(1)
        self.delete.assert_not_called()

    def test_another_topology_gets_its_own(self):
        with common.deployment(shared=True, computes=4) as first:
            pass
        with common.deployment(shared=True, computes=2) as second:
            pass
        self.assertIsNot(first, second)

    def test_retired_or_unshared_is_stopped(self):
        with common.deployment(shared=True, computes=4) as dep:
            dep.retire()
        self.assertTrue(dep.stopped)
        self.assertEqual({}, common._SHARED)
        with common.deployment(computes=4) as dep:
            pass
        self.assertTrue(dep.stopped)

    def test_a_failing_benchmark_stops_it(self):
        with testtools.ExpectedException(ValueError):
            with common.deployment(shared=True, computes=4) as dep:
                raise ValueError('boom')
        self.assertTrue(dep.stopped)
        self.assertEqual({}, common._SHARED)

    def test_sharing_off(self):
        self.patch(common.os, 'environ', {'MIGRATOR_BENCH_SHARE': '0'})
        with common.deployment(shared=True, computes=4) as dep:
            pass
        self.assertTrue(dep.stopped)
