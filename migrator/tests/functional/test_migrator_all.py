"""migrator-all as a user runs it: a real process, its banner, the
clouds.yaml it writes, openstacksdk against it, the demo, a restart on the
same state path, a clean stop on SIGTERM, and volume migrations with
their progress on the block storage API."""
import os
import signal
import socket
import subprocess
import sys
import time

import fixtures
import openstack
import requests

from migrator.tests import base
from migrator.tests import rest_client

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
    def __init__(self, state, port, *extra, volume_port=None):
        self.output = os.path.join(state, 'stdout.txt')
        os.makedirs(state, exist_ok=True)
        conf = os.path.join(state, 'fast.conf')
        with open(conf, 'w') as handle:
            handle.write(FAST_CONF)
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'migrator.cmd.all', '--config-file', conf,
             '--state-path', state, '--compute-port', str(port),
             '--volume-port', str(volume_port or free_port())] +
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


class MigratorAllTestBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.port = free_port()
        self.volume_port = free_port()

    def start(self, *extra):
        proc = MigratorAll(self.state, self.port, *extra,
                           volume_port=self.volume_port)
        self.addCleanup(proc.stop)
        proc.wait_for_text('Stop with Ctrl-C.')
        return proc

    def connect(self):
        clouds = os.path.join(self.state, 'clouds.yaml')
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', clouds))
        return openstack.connect(cloud='migrator')


class TestMigratorAll(MigratorAllTestBase):

    def test_sdk_creates_a_server_that_survives_a_restart(self):
        proc = self.start()
        banner = proc.text()
        self.assertIn('http://127.0.0.1:%d/v2.1' % self.port, banner)
        self.assertIn('export OS_CLIENT_CONFIG_FILE=%s/clouds.yaml'
                      % self.state, banner)
        # The dashboard and the metrics are named, at URLs that answer.
        root = 'http://127.0.0.1:%d' % self.port
        self.assertIn(root + '/dashboard ', banner)
        self.assertIn(root + '/metrics', banner)
        self.assertEqual(200, requests.get(root + '/dashboard').status_code)
        self.assertEqual(200, requests.get(
            root + '/metrics',
            headers={'X-Auth-Token': 'admin:admin'}).status_code)
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
        # Both migrations of about 5 s (the live one at 10x simulated
        # time: faster still) instead of the default two minutes.
        proc = self.start('--demo', '--demo-seconds', '5')
        proc.wait_for_text('Demo: done.', timeout=120)
        text = proc.text()
        self.assertIn('Demo: migration completed', text)
        self.assertIn('Demo: volume migration success, volume demo-vol-',
                      text)
        self.assertIn('now on volume1@file2#file2.', text)
        self.assertIn('/dashboard (sign in with admin:admin)', text)
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


class TestMigratorAllPmem(TestMigratorAll):
    """Seed 003's "done when" on migrator-all, as a new user tries it: a
    pmem.small server's namespace holds known data, a resize to
    pmem.medium at 2.105 with copy_pmem_devices shows its disk progress
    rising in os-migrations, and after confirm the destination holds the
    data and the source is zeroed; at 2.104 the same request is a 400."""

    # The other scenarios run in TestMigratorAll.
    test_sdk_creates_a_server_that_survives_a_restart = None
    test_demo_shows_progress_and_completes = None
    test_a_taken_port_is_one_line = None

    def api(self, method, path, body=None, version='2.1'):
        resp = requests.request(
            method, 'http://127.0.0.1:%d/v2.1%s' % (self.port, path),
            json=body, timeout=60,
            headers={'X-Auth-Token': 'admin:admin',
                     'OpenStack-API-Version': 'compute %s' % version})
        return resp.status_code, (resp.json() if resp.content else None)

    def test_resize_with_pmem_copy(self):
        self.start()
        conn = self.connect()
        self.assertEqual({'hw:pmem': '256M'}, conn.compute.get_flavor(
            '6').extra_specs)
        server = conn.compute.wait_for_server(conn.compute.create_server(
            name='pm1', flavor_id='6', image_id='any', networks='none'),
            wait=60)
        log = os.path.join(self.state, 'migrator-all.log')
        with open(log) as handle:
            line = [text for text in handle
                    if 'Instance %s has PMEM namespace' % server.id in text]
        source = line[0].rstrip().rsplit(', ', 1)[1].rstrip(')')
        data = os.urandom(1024 * 1024) * 256
        with open(source, 'r+b') as handle:
            handle.write(data)
        body = {'resize': {'flavorRef': '7', 'copy_pmem_devices': True}}
        path = '/servers/%s/action' % server.id
        self.assertEqual(400, self.api('POST', path, body, '2.104')[0])
        self.assertEqual(202, self.api('POST', path, body, '2.105')[0])
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            mig = self.api('GET', '/os-migrations?instance_uuid=%s'
                           % server.id, version='2.106')[1]['migrations'][0]
            seen.append(mig['disk_processed'])
            if mig['status'] == 'finished':
                break
            time.sleep(0.3)
        processed = [p for p in seen if p is not None]
        self.assertEqual(sorted(processed), processed)
        self.assertTrue([p for p in processed if 0 < p < len(data)], seen)
        self.assertEqual(len(data), processed[-1])
        self.assertEqual(204, self.api('POST', path,
                                       {'confirmResize': None})[0])
        before = server.compute_host
        deadline = time.monotonic() + 60
        while conn.compute.get_server(server.id).status != 'ACTIVE':
            self.assertLess(time.monotonic(), deadline, 'not ACTIVE')
            time.sleep(0.3)
        server = conn.compute.get_server(server.id)
        self.assertNotEqual(before, server.compute_host)
        with open(log) as handle:
            line = [text for text in handle
                    if 'Instance %s has PMEM namespace' % server.id in text]
        dest = line[-1].rstrip().rsplit(', ', 1)[1].rstrip(')')
        self.assertIn(os.path.join('pmem', server.compute_host), dest)
        with open(dest, 'rb') as handle:
            self.assertEqual(data, handle.read(len(data)))
        with open(source, 'rb') as handle:
            self.assertEqual(b'\0' * len(data), handle.read())


class TestMigratorAllVolumes(MigratorAllTestBase):
    """Issue 9's "done when", on migrator-all out of the box."""

    def progress_of(self, http, volume_id):
        """(progress values seen as admin at 3.72, the final volume)."""
        seen = []
        while True:
            status, body = http.request('GET', '/volumes/%s' % volume_id,
                                        version='3.72')
            volume = body['volume']
            if volume['migration_status'] in ('success', 'error'):
                return seen, volume
            if 'migration_progress' in volume:
                seen.append(volume['migration_progress'])
                self.dashboard_saw(volume_id)
                for token, version in (('demo:admin', '3.72'),
                                       ('admin:admin', '3.71')):
                    other = http.request('GET', '/volumes/%s' % volume_id,
                                         token=token,
                                         version=version)[1]['volume']
                    self.assertNotIn('migration_progress', other)
            time.sleep(0.2)

    def dashboard_saw(self, volume_id):
        """The dashboard's JSON on the compute port lists the volume
        being migrated (the page reads it there: same origin)."""
        resp = requests.get(
            'http://127.0.0.1:%d/dashboard/volume-migrations' % self.port,
            headers={'X-Auth-Token': 'admin:admin'}, timeout=60)
        self.assertEqual(200, resp.status_code)
        shown = {v['id']: v for v in resp.json()['volume_migrations']}
        if volume_id in shown:
            self.dashboard_seen.append(shown[volume_id])

    def test_one_gib_volume_migrations_show_their_progress(self):
        self.dashboard_seen = []
        proc = self.start()
        self.assertIn('http://127.0.0.1:%d/v3' % self.volume_port,
                      proc.text())
        http = rest_client.RESTClient(
            'volume', 'http://127.0.0.1:%d/v3' % self.volume_port)

        def create(volume_type):
            status, body = http.request('POST', '/volumes', {
                'volume': {'size': 1, 'volume_type': volume_type}})
            self.assertEqual(202, status, body)
            volume_id = body['volume']['id']
            deadline = time.monotonic() + 60
            while http.request('GET', '/volumes/%s' % volume_id)[1][
                    'volume']['status'] != 'available':
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
            return volume_id

        detached = create(None)
        status, _ = http.request('POST', '/volumes/%s/action' % detached, {
            'os-migrate_volume': {'host': 'volume1@file2'}})
        self.assertEqual(202, status)
        seen, volume = self.progress_of(http, detached)
        self.assertEqual('success', volume['migration_status'])
        self.assertNotIn('migration_progress', volume)
        numbers = [int(p) for p in seen]
        self.assertGreaterEqual(len(set(numbers)), 3, seen)
        self.assertEqual(sorted(numbers), numbers)
        self.assertTrue(self.dashboard_seen, 'not on the dashboard')
        self.assertEqual(('volume1@file1#file1', 'volume1@file2#file2'), (
            self.dashboard_seen[-1]['source_host'],
            self.dashboard_seen[-1]['destination_host']))

        assisted = create('assisted')
        http.request('POST', '/volumes/%s/action' % assisted, {
            'os-migrate_volume': {'host': 'volume1@assisted#pool-b'}})
        seen, volume = self.progress_of(http, assisted)
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual({'driver-assisted'}, set(seen))

        # To the second volume service (another host), out of the box.
        status, _ = http.request('POST', '/volumes/%s/action' % detached, {
            'os-migrate_volume': {'host': 'volume2@file3'}})
        self.assertEqual(202, status)
        seen, volume = self.progress_of(http, detached)
        self.assertEqual('success', volume['migration_status'])
        self.assertTrue(seen, 'no migration_progress seen')

        conn = self.connect()
        shown = conn.block_storage.get_volume(detached)
        self.assertEqual('volume2@file3#file3', shown.host)
        self.assertEqual(0, proc.stop())
