"""migrator-volume and migrator-api as real processes on RabbitMQ with
MariaDB, then PostgreSQL: a 1 GiB volume migrates between two file
backends while the block storage API shows migration_progress rising at
3.72; a volume service that stops answering (SIGSTOP) makes the field
disappear, never the volume (no 500); a volume service killed mid-copy
(SIGKILL) ends the migration when it starts again, leaving the volume on
its first backend with its data intact. A peer service
(doc/examples/peer_migration_progress.py) asks the volume service for the
progress over RPC while the first migration runs."""
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

from migrator.tests import base
from migrator.tests.integration import test_services
from migrator.tests import rest_client

GiB = 1024 ** 3
PEER_EXAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                            'doc', 'examples', 'peer_migration_progress.py')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


class _VolumeScenario(test_services._ServicesScenario):
    # The set-up of the services scenario, not its test.
    test_conductor_and_computes_over_rabbitmq = None

    def _write_config(self):
        path = super()._write_config()
        self.compute_port = _free_port()
        self.volume_port = _free_port()
        with open(path, 'a') as f:
            f.write('[DEFAULT]\nenabled_backends = file1, file2\n'
                    '[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    'volume_bind_port = %d\n'
                    '[volume]\ncopy_rate_limit_mib = 256\n'
                    'progress_interval = 0.2\n'
                    'migration_progress_timeout = 1\n'
                    'migration_target_timeout = 3\n'
                    '[file1]\nvolume_driver = file\n'
                    '[file2]\nvolume_driver = file\n'
                    % (self.compute_port, self.volume_port))
        return path

    def http(self, method, path, body=None, version='3.72'):
        return rest_client.RESTClient(
            'volume', 'http://127.0.0.1:%d/v3' % self.volume_port).request(
            method, path, body, version=version)

    def volume(self, volume_id):
        status, body = self.http('GET', '/volumes/%s' % volume_id)
        self.assertEqual(200, status, body)
        return body['volume']

    def wait(self, predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail('timed out waiting for %s' % what)

    def wait_api(self):
        def up():
            try:
                return self.http('GET', '', version='3.0')[0] == 200
            except OSError:
                return False
        self.wait(up, 'the block storage API')

    def path(self, volume):
        host = volume['os-vol-host-attr:host']
        backend, pool = host.split('@')[1].split('#')
        name = 'volume-%s' % (volume['os-vol-mig-status-attr:name_id'] or
                              volume['id'])
        return os.path.join(self.tmp, 'volumes', backend, pool, name)

    def test_volume_migration_over_rabbitmq(self):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        volume_proc = self.start('migrator-volume', 'volume1')
        self.start('migrator-api', 'api1')
        self.wait_for_states({
            'volume1@file1': ('migrator-volume', 'enabled', 'up'),
            'volume1@file2': ('migrator-volume', 'enabled', 'up'),
        }, test_services.START_TIMEOUT)
        self.wait_api()

        status, body = self.http('POST', '/volumes', {
            'volume': {'size': 1, 'name': 'it', 'volume_type': 'file1'}})
        self.assertEqual(202, status, body)
        volume_id = body['volume']['id']
        volume = self.wait(
            lambda: (lambda v: v if v['status'] == 'available' else None)(
                self.volume(volume_id)), 'available')
        source = self.path(volume)
        with open(source, 'r+b') as handle:
            for offset in range(0, GiB, 101 * 1024 ** 2):
                handle.seek(offset)
                handle.write(os.urandom(4096))
        before = _sha256(source)

        # A migration, its progress read while it runs (through the API,
        # and by a peer service over RPC: doc/examples).
        status, _ = self.http('POST', '/volumes/%s/action' % volume_id, {
            'os-migrate_volume': {'host': 'volume1@file2'}})
        self.assertEqual(202, status)
        peer = subprocess.Popen(
            [sys.executable, PEER_EXAMPLE, '--config-file', self.config_file,
             'volume1', volume_id], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        seen = []
        while True:
            volume = self.volume(volume_id)
            if volume['migration_status'] in ('success', 'error'):
                break
            if 'migration_progress' in volume:
                seen.append(int(volume['migration_progress']))
            time.sleep(0.3)
        self.assertEqual('success', volume['migration_status'])
        out, err = peer.communicate(timeout=60)
        self.assertEqual(0, peer.returncode, err)
        # Started while the copy ran: a percent, or, on a loaded machine,
        # too late ("not migrating"); either way the answer came over RPC.
        self.assertRegex(out.strip(), r'^(\d+|not migrating)$')
        self.assertGreaterEqual(len(set(seen)), 3, seen)
        self.assertEqual(sorted(seen), seen)
        self.assertEqual(before, _sha256(self.path(volume)))

        # Back to file1; the volume service stops answering mid-copy.
        self.http('POST', '/volumes/%s/action' % volume_id,
                  {'os-migrate_volume': {'host': 'volume1@file1'}})
        self.wait(lambda: 'migration_progress' in self.volume(volume_id),
                  'progress')
        volume_proc.send_signal(signal.SIGSTOP)
        try:
            volume = self.volume(volume_id)
            self.assertEqual('migrating', volume['migration_status'])
            self.assertNotIn('migration_progress', volume)
        finally:
            volume_proc.send_signal(signal.SIGCONT)
        self.wait(lambda: 'migration_progress' in self.volume(volume_id),
                  'progress again')

        # Killed mid-copy, then started again: the migration ends, the
        # volume stays on file2 with its data.
        volume_proc.send_signal(signal.SIGKILL)
        volume_proc.wait(10)
        self.start('migrator-volume', 'volume1')
        volume = self.wait(
            lambda: (lambda v: v if v['migration_status'] == 'error'
                     else None)(self.volume(volume_id)),
            'the interrupted migration to end')
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertNotIn('migration_progress', volume)
        self.assertEqual(before, _sha256(self.path(volume)))
        self.assertEqual([], os.listdir(os.path.join(
            self.tmp, 'volumes', 'file1', 'file1')))

    def test_volume_migration_between_volume_services(self):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.start('migrator-volume', 'volume1')
        far = self.start(
            'migrator-volume', 'volume2',
            'enabled_backends = far\n[far]\nvolume_driver = file\n'
            'volumes_dir = %s\n' % os.path.join(self.tmp, 'volumes', 'far'))
        self.start('migrator-api', 'api1')
        self.wait_for_states({
            'volume1@file1': ('migrator-volume', 'enabled', 'up'),
            'volume2@far': ('migrator-volume', 'enabled', 'up'),
        }, test_services.START_TIMEOUT)
        self.wait_api()

        status, body = self.http('POST', '/volumes', {
            'volume': {'size': 1, 'name': 'it', 'volume_type': 'file1'}})
        self.assertEqual(202, status, body)
        volume_id = body['volume']['id']
        volume = self.wait(
            lambda: (lambda v: v if v['status'] == 'available' else None)(
                self.volume(volume_id)), 'available')
        with open(self.path(volume), 'r+b') as handle:
            for offset in range(0, GiB, 101 * 1024 ** 2):
                handle.seek(offset)
                handle.write(os.urandom(4096))
        before = _sha256(self.path(volume))

        # To the other volume service: volume1 copies (and answers the
        # progress), volume2 holds the data afterwards.
        status, _ = self.http('POST', '/volumes/%s/action' % volume_id, {
            'os-migrate_volume': {'host': 'volume2@far'}})
        self.assertEqual(202, status)
        seen = []
        while True:
            volume = self.volume(volume_id)
            if volume['migration_status'] in ('success', 'error'):
                break
            if 'migration_progress' in volume:
                seen.append(int(volume['migration_progress']))
            time.sleep(0.3)
        self.assertEqual('success', volume['migration_status'])
        self.assertGreaterEqual(len(set(seen)), 2, seen)
        self.assertEqual('volume2@far#far', volume['os-vol-host-attr:host'])
        self.assertEqual(before, _sha256(self.path(volume)))
        self.assertEqual([], os.listdir(os.path.join(
            self.tmp, 'volumes', 'file1', 'file1')))

        # And back, copied by volume2.
        self.http('POST', '/volumes/%s/action' % volume_id,
                  {'os-migrate_volume': {'host': 'volume1@file2'}})
        volume = self.wait(
            lambda: (lambda v: v if v['migration_status'] in
                     ('success', 'error') else None)(
                self.volume(volume_id)), 'the migration back')
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(before, _sha256(self.path(volume)))

        # volume2 dies: while its row still looks up (service_down_time)
        # the migration is accepted and ends in error within [volume]
        # migration_target_timeout; once the row is down it is refused.
        # Either way the volume is untouched and nothing hangs.
        far.send_signal(signal.SIGKILL)
        far.wait(10)
        status, body = self.http('POST', '/volumes/%s/action' % volume_id, {
            'os-migrate_volume': {'host': 'volume2@far'}})
        if status == 400:
            self.assertIn('No available service',
                          body['badRequest']['message'])
        else:
            self.assertEqual(202, status, body)
            volume = self.wait(
                lambda: (lambda v: v if v['migration_status'] in
                         ('success', 'error') else None)(
                    self.volume(volume_id)), 'the migration to fail', 30)
            self.assertEqual('error', volume['migration_status'])
        volume = self.volume(volume_id)
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(before, _sha256(self.path(volume)))


class TestVolumeServicesMariaDB(_VolumeScenario, base.TestCase):
    BACKEND = 'mysql'


class TestVolumeServicesPostgreSQL(_VolumeScenario, base.TestCase):
    BACKEND = 'postgresql'
