"""End to end: LibvirtDriver live-migrates a real KVM guest between two
libvirtd hosts in network namespaces (kvm_hosts, fresh names per run),
steered by the LiveMigrationMonitor.

Needs root, /dev/kvm, qemu-system-x86, libvirt-daemon-system,
libvirt-clients, binutils and libvirt-python; fails with what is missing
(skips only with MIGRATOR_NO_KVM=1). Runs in parallel with other runs.

    python -m stestr --test-path migrator/tests/integration/libvirt run
"""
import json
import os
import subprocess
import sys

import testtools
from testtools import content

from migrator.tests.integration.libvirt import kvm_hosts
from migrator.virt import driver

REPO = kvm_hosts.REPO
SCENARIO_TIMEOUT = 120
MIB = 1024 * 1024


class KvmLiveMigrationTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._hosts = None
        if kvm_hosts.missing_requirements():
            return  # setUp fails (or skips) each test, saying why
        cls._hosts = kvm_hosts.KvmHosts()
        try:
            cls._hosts.setUp()
        except Exception:
            cls._hosts.cleanUp()
            raise
        cls.base = cls._hosts.hosts.base

    @classmethod
    def tearDownClass(cls):
        if cls._hosts is not None:
            cls._hosts.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        kvm_hosts.require_kvm(self)

    def run_scenario(self, name):
        """Run kvm_scenario, return its JSON result."""
        env = dict(os.environ, PYTHONPATH=REPO)
        proc = subprocess.run(
            [sys.executable, '-m',
             'migrator.tests.integration.libvirt.kvm_scenario', name,
             self.base],
            cwd=REPO, env=env, capture_output=True, text=True,
            timeout=SCENARIO_TIMEOUT)
        self.addDetail('scenario-log', content.text_content(
            proc.stderr))
        lines = proc.stdout.strip().splitlines()
        if proc.returncode or not lines:
            self.fail('scenario %s failed (%d): %s' % (
                name, proc.returncode, proc.stderr[-3000:]))
        result = json.loads(lines[-1])
        self.addDetail('result', content.json_content(result))
        return result

    @staticmethod
    def running_samples(result):
        return [s for s in result['samples']
                if s.get('type') == driver.JOB_UNBOUNDED and
                s.get('memory_processed', 0) > 0]

    def test_live_migration_host1_to_host2(self):
        result = self.run_scenario('migrate')
        self.assertEqual('completed', result['status'], result['reason'])
        self.assertIsNone(result['error_type'])

        running = self.running_samples(result)
        self.assertGreaterEqual(len(running), 2, result['samples'])
        processed = [s['memory_processed'] for s in running]
        self.assertEqual(sorted(processed), processed)
        self.assertGreater(processed[-1], processed[0])
        # The guest had filled its memory: real pages moved, not zeros.
        self.assertGreater(processed[-1], 150 * MIB)
        self.assertGreaterEqual(running[0]['memory_total'], 512 * MIB)
        types = [s['type'] for s in result['samples']]
        self.assertEqual(driver.JOB_COMPLETED, types[-1])
        self.assertLess(types.index(driver.JOB_UNBOUNDED),
                        types.index(driver.JOB_COMPLETED))
        self.assertEqual(100, result['last_progress']['percent'])

        self.assertTrue(result['on_dest'])
        self.assertFalse(result['on_source'])
        self.assertEqual(driver.RUNNING, result['dest_power'])
        self.assertTrue(result['dest_cpu_advanced'])
        self.assertTrue(result['persistent_on_dest'])

    def test_abort_keeps_guest_on_host1(self):
        result = self.run_scenario('abort')
        self.assertEqual('cancelled', result['status'], result['reason'])
        self.assertEqual('LiveMigrationAborted', result['error_type'])
        self.assertNotEqual([], self.running_samples(result))
        self.assertTrue(result['active_on_source'])
        self.assertEqual(driver.RUNNING, result['source_power'])
        self.assertFalse(result['on_dest'])
