"""Graceful shutdown of a real migrator-all process with work in flight.

A server whose simulated guest dirties memory faster than the link can
send never converges, so its live migration is still running when the
process gets SIGTERM. The process must exit within its
``graceful_shutdown_timeout``; after a restart on the same state the
migration has ended, the server is ACTIVE with no task on its source, its
instance action is closed, and nothing is claimed on the destination.
"""
import os
import shutil
import signal
import time

import fixtures

from migrator.tests import base
from migrator.tests.functional import test_migrator_all
from migrator.tests import rest_client

GRACE = 6
CONF_TEXT = """
[DEFAULT]
graceful_shutdown_timeout = %d
[live_migration]
monitor_poll_interval = 0.1
progress_save_interval = 0.2
""" % GRACE
FINAL = ('completed', 'failed', 'error', 'cancelled')


class TestSigtermMidMigration(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.port = test_migrator_all.free_port()
        self.conf = os.path.join(self.state, 'grace.conf')
        with open(self.conf, 'w') as handle:
            handle.write(CONF_TEXT)

    def start(self):
        proc = test_migrator_all.MigratorAll(
            self.state, self.port, '--config-file', self.conf)
        self.addCleanup(self._kill, proc)
        proc.wait_for_text('Stop with Ctrl-C.')
        return proc

    @staticmethod
    def _kill(proc):
        if proc.proc.poll() is None:
            proc.proc.kill()
            proc.proc.wait(10)

    def _server_with_running_migration(self, api):
        status, body = api.request('POST', '/servers', {'server': {
            'name': 'busy', 'flavorRef': '2', 'imageRef': 'any',
            'networks': 'none',
            'metadata': {'sim_dirty_rate_mib': '200',
                         'sim_working_set_mib': '400'}}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        rest_client.wait_for(
            lambda: api.request('GET', '/servers/%s' % server_id)[1]
            ['server']['status'] == 'ACTIVE', 60, 'server ACTIVE')
        source = api.request('GET', '/servers/%s' % server_id)[1][
            'server']['OS-EXT-SRV-ATTR:host']
        status, body = api.request(
            'POST', '/servers/%s/action' % server_id,
            {'os-migrateLive': {'host': None, 'block_migration': 'auto'}})
        self.assertEqual(202, status, body)

        def running():
            migs = api.request('GET', '/servers/%s/migrations'
                               % server_id)[1]['migrations']
            return migs and migs[0]['status'] == 'running' and migs[0]
        migration = rest_client.wait_for(running, 60, 'migration running')
        return server_id, source, migration

    def test_sigterm_mid_migration_exits_and_leaves_nothing_half_done(self):
        proc = self.start()
        api = rest_client.ComputeClient(self.port)
        server_id, source, migration = \
            self._server_with_running_migration(api)
        dest = migration['dest_compute']

        proc.proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        try:
            code = proc.proc.wait(timeout=GRACE + 10)
        except Exception:
            self.fail('migrator-all still running %d s after SIGTERM:\n%s'
                      % (GRACE + 10, proc.text()[-3000:]))
        took = time.monotonic() - start
        self.assertLessEqual(took, GRACE + 5, proc.text()[-3000:])
        self.assertEqual(0, code, proc.text()[-3000:])
        log = open(os.path.join(self.state, 'migrator-all.log')).read()
        self.assertNotIn('migrator.rpc.init() was not called', log)

        self.start()
        mig = api.request('GET', '/os-migrations?instance_uuid=%s'
                          % server_id)[1]['migrations'][0]
        self.assertIn(mig['status'], FINAL)
        self.assertNotEqual('completed', mig['status'])
        server = api.request('GET', '/servers/%s' % server_id)[1]['server']
        self.assertEqual('ACTIVE', server['status'])
        self.assertIsNone(server['OS-EXT-STS:task_state'])
        self.assertEqual(source, server['OS-EXT-SRV-ATTR:host'])

        actions = api.request('GET', '/servers/%s/os-instance-actions'
                              % server_id)[1]['instanceActions']
        live = [a for a in actions if a['action'] == 'live-migration'][0]
        action = api.request(
            'GET', '/servers/%s/os-instance-actions/%s'
            % (server_id, live['request_id']))[1]['instanceAction']
        for event in action['events']:
            self.assertIsNotNone(event['finish_time'], event)
            self.assertIsNotNone(event['result'], event)

        # Nothing claimed on the destination: its hypervisor reports no
        # memory used beyond what its own servers use (none).
        hyps = api.request('GET', '/os-hypervisors/detail',
                           version='2.27')[1]['hypervisors']
        used = {h['hypervisor_hostname']: h['memory_mb_used'] for h in hyps}
        self.assertIn(dest, used)
        self.assertEqual(min(used.values()), used[dest], used)


class TestSighup(base.TestCase):

    def test_sighup_reloads_mutable_options_and_says_so(self):
        state = self.useFixture(fixtures.TempDir()).path
        conf = os.path.join(state, 'mutable.conf')
        with open(conf, 'w') as handle:
            handle.write('[DEFAULT]\ndebug = false\n'
                         'graceful_shutdown_timeout = 20\n')
        port = test_migrator_all.free_port()
        proc = test_migrator_all.MigratorAll(state, port, '--config-file',
                                             conf)
        self.addCleanup(proc.stop)
        proc.wait_for_text('Stop with Ctrl-C.')
        log_path = os.path.join(state, 'migrator-all.log')
        with open(conf, 'w') as handle:
            handle.write('[DEFAULT]\ndebug = true\n'
                         'graceful_shutdown_timeout = 7\n')
        proc.proc.send_signal(signal.SIGHUP)

        def reloaded():
            with open(log_path) as handle:
                text = handle.read()
            return 'Configuration reloaded' in text and text
        text = rest_client.wait_for(reloaded, 30, 'the reload to be logged')
        line = [x for x in text.splitlines()
                if 'Configuration reloaded' in x][0]
        self.assertIn('[DEFAULT] debug = true (was false)', line)
        self.assertIn('[DEFAULT] graceful_shutdown_timeout = 7 (was 20)',
                      line)
        self.assertIsNone(proc.proc.poll())
        # It goes on serving.
        api = rest_client.ComputeClient(port)
        status, _ = api.request('POST', '/servers', {'server': {
            'name': 'after', 'flavorRef': '1', 'imageRef': 'any',
            'networks': 'none'}})
        self.assertEqual(202, status)
        self.assertEqual(0, proc.stop())


class TestLogFileGone(base.TestCase):
    """The log file's directory removed under a running process (a log
    volume unmounted, a rotation that left no directory): the process
    goes on answering, and SIGTERM still stops it. Python's
    WatchedFileHandler, oslo.log's default for a log file, raises from
    every later log call when it cannot reopen the file."""

    def test_serves_and_stops_when_its_log_cannot_be_written(self):
        state = self.useFixture(fixtures.TempDir()).path
        logs = os.path.join(self.useFixture(fixtures.TempDir()).path, 'log')
        os.makedirs(logs)
        conf = os.path.join(state, 'grace.conf')
        with open(conf, 'w') as handle:
            handle.write('[DEFAULT]\ngraceful_shutdown_timeout = %d\n'
                         % GRACE)
        port = test_migrator_all.free_port()
        proc = test_migrator_all.MigratorAll(
            state, port, '--config-file', conf,
            '--log-file', os.path.join(logs, 'migrator-all.log'))
        self.addCleanup(TestSigtermMidMigration._kill, proc)
        proc.wait_for_text('Stop with Ctrl-C.')
        api = rest_client.ComputeClient(port)
        self.assertEqual(200, api.request('GET', '/flavors')[0])

        shutil.rmtree(logs)
        status, body = api.request('POST', '/servers', {'server': {
            'name': 'unlogged', 'flavorRef': '1', 'imageRef': 'any',
            'networks': 'none'}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        rest_client.wait_for(
            lambda: api.request('GET', '/servers/%s' % server_id)[1]
            ['server']['status'] == 'ACTIVE', 60, 'server ACTIVE')

        proc.proc.send_signal(signal.SIGTERM)
        try:
            code = proc.proc.wait(timeout=GRACE + 10)
        except Exception:
            self.fail('migrator-all still running %d s after SIGTERM:\n%s'
                      % (GRACE + 10, proc.text()[-3000:]))
        self.assertEqual(0, code, proc.text()[-3000:])
        # Each record it could not write was reported on its stderr.
        self.assertIn('--- Logging error ---', proc.text())
        self.assertIn('FileNotFoundError', proc.text())
