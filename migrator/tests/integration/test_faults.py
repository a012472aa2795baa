"""Faults with real processes on RabbitMQ and MariaDB.

A deployment set up as the README does (migrator-manage), with
migrator-api, one migrator-conductor and two migrator-compute processes;
a server whose simulated guest never converges, so that its live
migration is still running when its source compute is stopped:

* SIGTERM of the source compute: it exits 0 within its graceful timeout,
  the migration is cancelled and rolled back, the server ACTIVE on its
  source; the audit (migrator-status check) finds nothing;
* SIGKILL (kill -9) of the source compute: once restarted, the migration
  is ``error`` with its action closed, the server ACTIVE on its source,
  nothing claimed on the destination (whose periodic update is an hour
  away); the audit finds nothing.
"""
import signal
import subprocess
import time

from migrator.tests import base
from migrator.tests.functional import test_migrator_all
from migrator.tests.integration import test_services
from migrator.tests import rest_client

GRACE = 10
# Three processes starting on a loaded 2-core machine take longer than the
# services test allows.
START_TIMEOUT = 90
FINAL = ('completed', 'failed', 'error', 'cancelled')
NON_CONVERGING = {'sim_dirty_rate_mib': '200', 'sim_working_set_mib': '400'}


class _FaultScenario(test_services._ServicesScenario):
    # Not the services scenario again: only the faults.
    test_conductor_and_computes_over_rabbitmq = None

    def _write_config(self):
        path = super()._write_config()
        self.api_port = test_migrator_all.free_port()
        with open(path, 'a') as f:
            f.write('[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    '[live_migration]\nmonitor_poll_interval = 0.2\n'
                    'progress_save_interval = 0.5\n' % self.api_port)
        return path

    # -- helpers ------------------------------------------------------------
    def http(self, method, path, body=None, version='2.80'):
        return rest_client.ComputeClient(self.api_port).request(
            method, path, body, version)

    def wait(self, predicate, timeout, what):
        return rest_client.wait_for(predicate, timeout, what, 0.3)

    def server(self, server_id):
        return self.http('GET', '/servers/%s' % server_id)[1]['server']

    def migrations(self, server_id):
        return self.http('GET', '/os-migrations?instance_uuid=%s'
                         % server_id)[1]['migrations']

    def memory_used(self):
        hyps = self.http('GET', '/os-hypervisors/detail',
                         version='2.27')[1]['hypervisors']
        return {h['hypervisor_hostname']: h['memory_mb_used']
                for h in hyps}

    def audit(self):
        result = subprocess.run(
            test_services._command('migrator-status') +
            ['--config-file', self.config_file, 'check'],
            capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout + result.stderr

    def deploy(self):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.manage('flavor', 'create', 'm1.small', '--ram', '2048',
                    '--vcpus', '1', '--disk', '20', '--id', '2')
        self.start('migrator-conductor', 'conductor1')
        for host in ('compute1', 'compute2'):
            self.start('migrator-compute', host)
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'up'),
            'compute2': ('migrator-compute', 'enabled', 'up'),
        }, START_TIMEOUT)
        self.manage('cell_v2', 'discover_hosts')
        self.start('migrator-api', 'api1')
        self.wait(lambda: self._api_up(), 30, 'migrator-api to answer')

    def _api_up(self):
        try:
            return self.http('GET', '/flavors')[0] == 200
        except OSError:
            return False

    def running_migration(self, name):
        status, body = self.http('POST', '/servers', {'server': {
            'name': name, 'flavorRef': '2', 'imageRef': 'any',
            'networks': 'none', 'metadata': NON_CONVERGING}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        self.wait(lambda: self.server(server_id)['status'] == 'ACTIVE', 60,
                  'server ACTIVE')
        source = self.server(server_id)['OS-EXT-SRV-ATTR:host']
        self.wait(lambda: self.memory_used()[source] > 0, 30,
                  'the server counted on %s' % source)
        self.before = self.memory_used()
        status, body = self.http(
            'POST', '/servers/%s/action' % server_id,
            {'os-migrateLive': {'host': None, 'block_migration': 'auto'}})
        self.assertEqual(202, status, body)
        mig = self.wait(lambda: [m for m in self.migrations(server_id)
                                 if m['status'] == 'running'], 60,
                        'migration running')[0]
        return server_id, source, mig['dest_compute']

    def assert_settled(self, server_id, source, dest, statuses):
        mig = self.migrations(server_id)[0]
        self.assertIn(mig['status'], statuses)
        server = self.server(server_id)
        self.assertEqual(('ACTIVE', None, source), (
            server['status'], server['OS-EXT-STS:task_state'],
            server['OS-EXT-SRV-ATTR:host']))
        actions = self.http('GET', '/servers/%s/os-instance-actions'
                            % server_id)[1]['instanceActions']
        live = [a for a in actions if a['action'] == 'live-migration'][0]
        action = self.http('GET', '/servers/%s/os-instance-actions/%s'
                           % (server_id, live['request_id']))[1][
                               'instanceAction']
        for event in action['events']:
            self.assertIsNotNone(event['finish_time'], event)
        self.wait(lambda: self.memory_used() == self.before, 10,
                  'nothing claimed on %s (usage back to %s)'
                  % (dest, self.before))
        code, out = self.audit()
        self.assertEqual(0, code, out)

    # -- the scenario ------------------------------------------------------
    def test_source_compute_stopped_and_killed_mid_migration(self):
        self.deploy()

        # SIGTERM: a graceful stop aborts and rolls back.
        server_id, source, dest = self.running_migration('term')
        proc = self.procs[source]
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        self.assertEqual(0, proc.wait(GRACE + 10))
        self.assertLess(time.monotonic() - start, GRACE + 5)
        self.assert_settled(server_id, source, dest, ('cancelled',))
        self.start('migrator-compute', source)
        self.wait_for_states({source: ('migrator-compute', 'enabled', 'up')},
                             START_TIMEOUT)

        # SIGKILL: the restarted compute ends what was cut short.
        server_id, source, dest = self.running_migration('kill')
        proc = self.procs[source]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        self.assertEqual('running', self.migrations(server_id)[0]['status'])
        self.start('migrator-compute', source)
        self.wait(lambda: self.migrations(server_id)[0]['status'] in FINAL,
                  30, 'the restarted compute to end the migration')
        self.assert_settled(server_id, source, dest, ('error',))


class TestFaultsMariaDB(_FaultScenario, base.TestCase):
    BACKEND = 'mysql'
