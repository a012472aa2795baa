"""migrator-api as its own process: it serves, stops on SIGTERM, and
reports a missing setting in one line."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import fixtures
import testtools


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class TestMigratorAPI(testtools.TestCase):

    def _run(self, *args):
        return subprocess.Popen(
            [sys.executable, '-m', 'migrator.cmd.api'] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_missing_api_database_is_one_line(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        conf = os.path.join(tmp, 'migrator.conf')
        with open(conf, 'w') as f:
            f.write('[api]\nauth_strategy = noauth2\n')
        proc = self._run('--config-file', conf)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(2, proc.returncode)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertIn('[api_database] connection is not set', err)

    def test_serves_and_stops_on_sigterm(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        port = _free_port()
        volume_port = _free_port()
        conf = os.path.join(tmp, 'migrator.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake:/\n'
                    '[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    'volume_bind_port = %d\n'
                    '[api_database]\nconnection = sqlite:///%s/api.db\n'
                    '[database]\nconnection = sqlite:///%s/cell.db\n'
                    % (port, volume_port, tmp, tmp))
        proc = self._run('--config-file', conf)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        wanted = 'listening on http://127.0.0.1:%d/v2.1' % port
        lines = []
        while not any(wanted in seen for seen in lines):
            line = proc.stdout.readline()
            if not line:
                self.fail('migrator-api exited: %s' % ''.join(lines))
            lines.append(line)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                        'http://127.0.0.1:%d/' % port) as resp:
                    body = resp.read().decode()
                    request_id = resp.headers['X-OpenStack-Request-Id']
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.assertIn('"v2.1"', body)
        self.assertTrue(request_id.startswith('req-'))
        self.assertIn('http://127.0.0.1:%d/v3' % volume_port,
                      ''.join(lines))
        with urllib.request.urlopen(
                'http://127.0.0.1:%d/v3' % volume_port) as resp:
            self.assertIn('"v3.0"', resp.read().decode())
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(timeout=30))
