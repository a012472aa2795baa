"""End to end: LibvirtDriver live-migrates a real KVM guest between two
libvirtd hosts in network namespaces (tools/kvm-hosts), steered by the
LiveMigrationMonitor.

Needs root, /dev/kvm, qemu-system-x86, libvirt-daemon-system,
libvirt-clients, binutils and libvirt-python; fails (never skips) with
what is missing. Run alone or in parallel: the hosts have fixed names
(netns h1, h2), so a file lock serializes test classes across processes.

    python -m pytest migrator/tests/integration/libvirt -q
    python -m stestr --test-path migrator/tests/integration/libvirt run
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile

import testtools
from testtools import content

from migrator.virt import driver

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..', '..'))
TOOLS = os.path.join(REPO, 'tools', 'kvm-hosts')
LOCK_FILE = '/tmp/migrator-kvm-hosts.lock'
SCENARIO_TIMEOUT = 80
MIB = 1024 * 1024
PACKAGES = ('apt-get install -y --no-install-recommends qemu-system-x86 '
            'libvirt-daemon-system libvirt-clients libvirt-dev pkg-config '
            'binutils iproute2; pip install libvirt-python')


def missing_requirements():
    """What this machine lacks to run the test, as readable strings."""
    missing = []
    if os.geteuid() != 0:
        missing.append('root (network namespaces, libvirtd)')
    if not os.path.exists('/dev/kvm'):
        missing.append('/dev/kvm (hardware virtualization)')
    for tool in ('ip', 'unshare', 'virsh', 'qemu-system-x86_64', 'as',
                 'ld'):
        if shutil.which(tool) is None:
            missing.append('the %s command' % tool)
    if not os.path.exists('/usr/sbin/libvirtd'):
        missing.append('/usr/sbin/libvirtd')
    try:
        import libvirt  # noqa: F401
    except ImportError:
        missing.append('libvirt-python')
    return missing


def run_script(name, base):
    env = dict(os.environ, BASE=base)
    proc = subprocess.run([os.path.join(TOOLS, name)], env=env,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise AssertionError('%s failed (%d): %s%s' % (
            name, proc.returncode, proc.stdout, proc.stderr))


class KvmLiveMigrationTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = missing_requirements()
        if missing:
            raise AssertionError(
                'The KVM live-migration test needs: %s. Packages: %s'
                % (', '.join(missing), PACKAGES))
        cls._lock = open(LOCK_FILE, 'w')
        fcntl.flock(cls._lock, fcntl.LOCK_EX)
        cls.base = tempfile.mkdtemp(prefix='migrator-kvm-', dir='/tmp')
        try:
            run_script('start-hosts.sh', cls.base)
            run_script('build-guest.sh', cls.base)
        except Exception:
            cls._stop_hosts()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._stop_hosts()
        super().tearDownClass()

    @classmethod
    def _stop_hosts(cls):
        try:
            run_script('stop-hosts.sh', cls.base)
            shutil.rmtree(cls.base, ignore_errors=True)
        finally:
            fcntl.flock(cls._lock, fcntl.LOCK_UN)
            cls._lock.close()

    def run_scenario(self, name):
        """Run kvm_scenario inside netns h1, return its JSON result."""
        env = dict(os.environ, PYTHONPATH=REPO)
        proc = subprocess.run(
            ['ip', 'netns', 'exec', 'h1', sys.executable, '-m',
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

    def test_live_migration_h1_to_h2(self):
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

    def test_abort_keeps_guest_on_h1(self):
        result = self.run_scenario('abort')
        self.assertEqual('cancelled', result['status'], result['reason'])
        self.assertEqual('LiveMigrationAborted', result['error_type'])
        self.assertNotEqual([], self.running_samples(result))
        self.assertTrue(result['active_on_source'])
        self.assertEqual(driver.RUNNING, result['source_power'])
        self.assertFalse(result['on_dest'])
