"""migrator-all as a user runs it: a real process, its banner, the
clouds.yaml it writes, openstacksdk against it, the demo, a restart on the
same state path, and a clean stop on SIGTERM."""
import os
import signal
import socket
import subprocess
import sys
import time

import fixtures
import openstack

from migrator.tests import base

# The demo's migration at 10x simulated time: a few seconds, every step.
FAST_CONF = """
[fake_driver]
time_scale = 10
[live_migration]
monitor_poll_interval = 0.1
progress_save_interval = 0.2
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class MigratorAll:
    def __init__(self, state, port, *extra):
        self.output = os.path.join(state, 'stdout.txt')
        os.makedirs(state, exist_ok=True)
        conf = os.path.join(state, 'fast.conf')
        with open(conf, 'w') as handle:
            handle.write(FAST_CONF)
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'migrator.cmd.all', '--config-file', conf,
             '--state-path', state, '--compute-port', str(port)] +
            list(extra),
            stdout=open(self.output, 'w'), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)

    def text(self):
        with open(self.output) as handle:
            return handle.read()

    def wait_for_text(self, needle, timeout=60):
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.proc.poll() is not None:
                raise AssertionError('migrator-all exited %s:\n%s'
                                     % (self.proc.returncode, self.text()))
            if time.monotonic() > deadline:
                raise AssertionError('no %r after %ss:\n%s'
                                     % (needle, timeout, self.text()))
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


class TestMigratorAll(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.port = free_port()

    def start(self, *extra):
        proc = MigratorAll(self.state, self.port, *extra)
        self.addCleanup(proc.stop)
        proc.wait_for_text('Stop with Ctrl-C.')
        return proc

    def connect(self):
        clouds = os.path.join(self.state, 'clouds.yaml')
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', clouds))
        return openstack.connect(cloud='migrator')

    def test_sdk_creates_a_server_that_survives_a_restart(self):
        proc = self.start()
        banner = proc.text()
        self.assertIn('http://127.0.0.1:%d/v2.1' % self.port, banner)
        self.assertIn('export OS_CLIENT_CONFIG_FILE=%s/clouds.yaml'
                      % self.state, banner)
        conn = self.connect()
        self.assertIn('m1.tiny', [f.name for f in conn.compute.flavors()])
        server = conn.compute.create_server(
            name='s1', flavor_id='1', image_id='any', networks='none')
        server = conn.compute.wait_for_server(server, wait=60)
        self.assertEqual('ACTIVE', server.status)
        self.assertEqual(0, proc.stop())

        self.start()
        conn = self.connect()
        again = conn.compute.get_server(server.id)
        self.assertEqual(('s1', 'ACTIVE'), (again.name, again.status))

    def test_demo_shows_progress_and_completes(self):
        proc = self.start('--demo')
        proc.wait_for_text('Demo: migration', timeout=120)
        text = proc.text()
        self.assertIn('Demo: migration completed', text)
        # Not a terminal: one progress line per change, percent rising.
        percents = [int(line.split(']')[1].split('%')[0])
                    for line in text.splitlines() if line.startswith('[')]
        self.assertGreater(len(percents), 2, text)
        self.assertEqual(sorted(percents), percents)
        self.assertEqual(0, proc.stop())

    def test_a_taken_port_is_one_line(self):
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', self.port))
            sock.listen()
            proc = MigratorAll(self.state, self.port)
            self.assertEqual(1, proc.proc.wait(timeout=60))
        lines = [line for line in proc.text().splitlines() if line.strip()]
        self.assertIn('cannot listen on 127.0.0.1:%d' % self.port, lines[-1])
        self.assertNotIn('Traceback', proc.text())
