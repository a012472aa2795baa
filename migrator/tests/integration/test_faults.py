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
  away); the audit finds nothing;
* SIGKILL of a conductor in a live migration's pre-checks (held there by
  a destination compute paused with SIGSTOP): the other conductor's
  periodic check ends the migration (``error``, action closed, server
  ACTIVE on its source with no task) once it is older than
  ``[conductor] stale_migration_timeout``, then carries the next live
  migration of that server through; the audit finds nothing.
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
# [conductor] stale_migration_timeout: well above what the pre-checks take
# on a loaded machine, well below the default hour.
STALE_AGE = 10
NON_CONVERGING = {'sim_dirty_rate_mib': '200', 'sim_working_set_mib': '400'}


class _FaultScenario(rest_client.ComputeAPIHelpers,
                     test_services._ServicesScenario):
    # Not the services scenario again: only the faults.
    test_conductor_and_computes_over_rabbitmq = None

    def _write_config(self):
        path = super()._write_config()
        self.api_port = test_migrator_all.free_port()
        self.volume_port = test_migrator_all.free_port()
        with open(path, 'a') as f:
            f.write('[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    # Not the default 8776: tests run side by side.
                    'volume_bind_port = %d\n'
                    '[live_migration]\nmonitor_poll_interval = 0.2\n'
                    'progress_save_interval = 0.5\n'
                    '[conductor]\nstale_migration_timeout = %d\n'
                    'stale_migration_check_interval = 1\n'
                    % (self.api_port, self.volume_port, STALE_AGE))
        return path

    # -- helpers ------------------------------------------------------------
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

    def deploy(self, conductors=1):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.manage('flavor', 'create', 'm1.small', '--ram', '2048',
                    '--vcpus', '1', '--disk', '20', '--id', '2')
        # Its guest moves in a few seconds on the simulated 1 Gbit/s link.
        self.manage('flavor', 'create', 'm1.tiny', '--ram', '256',
                    '--vcpus', '1', '--disk', '1', '--id', '1')
        wanted = {}
        for n in range(1, conductors + 1):
            self.start('migrator-conductor', 'conductor%d' % n)
            wanted['conductor%d' % n] = ('migrator-conductor', 'enabled',
                                         'up')
        for host in ('compute1', 'compute2'):
            self.start('migrator-compute', host)
            wanted[host] = ('migrator-compute', 'enabled', 'up')
        self.wait_for_states(wanted, START_TIMEOUT)
        self.map_computes(['compute1', 'compute2'])
        self.start('migrator-api', 'api1')
        self.wait(lambda: self._api_up(), 30, 'migrator-api to answer')

    def _api_up(self):
        try:
            return self.http('GET', '/flavors')[0] == 200
        except OSError:
            return False

    def active_server(self, name, flavor='2', metadata=None):
        """(id, host) of a new ACTIVE server, counted on its host;
        ``self.before`` is every host's memory use then."""
        status, body = self.http('POST', '/servers', {'server': {
            'name': name, 'flavorRef': flavor, 'imageRef': 'any',
            'networks': 'none', 'metadata': metadata or {}}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        self.wait(lambda: self.server(server_id)['status'] == 'ACTIVE', 60,
                  'server ACTIVE')
        source = self.server(server_id)['OS-EXT-SRV-ATTR:host']
        self.wait(lambda: self.memory_used()[source] > 0, 30,
                  'the server counted on %s' % source)
        self.before = self.memory_used()
        return server_id, source

    def live_migrate(self, server_id, host=None):
        status, body = self.http(
            'POST', '/servers/%s/action' % server_id,
            {'os-migrateLive': {'host': host, 'block_migration': 'auto'}})
        self.assertEqual(202, status, body)

    def migration_status(self, server_id):
        return self.migrations(server_id)[0]['status']

    def running_vms(self):
        hyps = self.http('GET', '/os-hypervisors/detail',
                         version='2.27')[1]['hypervisors']
        return {h['hypervisor_hostname']: h['running_vms'] for h in hyps}

    def live_migration_events(self, server_id):
        actions = self.http('GET', '/servers/%s/os-instance-actions'
                            % server_id)[1]['instanceActions']
        live = [a for a in actions if a['action'] == 'live-migration'][0]
        return self.http('GET', '/servers/%s/os-instance-actions/%s'
                         % (server_id, live['request_id']))[1][
                             'instanceAction']['events']

    def running_migration(self, name):
        server_id, source = self.active_server(name,
                                               metadata=NON_CONVERGING)
        self.live_migrate(server_id)
        mig = self.wait(lambda: [m for m in self.migrations(server_id)
                                 if m['status'] == 'running'], 60,
                        'migration running')[0]
        return server_id, source, mig['dest_compute']

    def assert_settled(self, server_id, source, dest, statuses):
        mig = self.migrations(server_id)[0]
        self.assertIn(mig['status'], statuses, mig)
        server = self.server(server_id)
        self.assertEqual(('ACTIVE', None, source), (
            server['status'], server['OS-EXT-STS:task_state'],
            server['OS-EXT-SRV-ATTR:host']))
        for event in self.live_migration_events(server_id):
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

    def test_destination_compute_killed_mid_migration(self):
        self.deploy()
        # A second server on the same source, whose migration to the same
        # destination waits (max_concurrent_live_migrations = 1).
        small_id, small_host = self.active_server('queued', flavor='1')
        big_id, source = self.active_server('running',
                                            metadata=NON_CONVERGING)
        dest = {'compute1': 'compute2', 'compute2': 'compute1'}[source]
        if small_host != source:
            self.live_migrate(small_id, source)
            self.wait(lambda: self.migration_status(small_id) in FINAL, 60,
                      'the small server to move to %s' % source)
            self.assertEqual('completed', self.migration_status(small_id))
        self.wait(lambda: self.memory_used()[dest] == 0, 30,
                  'nothing on %s' % dest)
        self.before = self.memory_used()
        self.live_migrate(big_id)
        self.wait(lambda: self.migration_status(big_id) == 'running', 60,
                  'migration running')
        self.live_migrate(small_id, dest)
        self.wait(lambda: self.migration_status(small_id) == 'queued', 60,
                  'the second migration queued')

        self.procs[dest].send_signal(signal.SIGKILL)
        self.procs[dest].wait(10)
        # The source sees its destination down (service_down_time): the
        # running migration fails, and the queued one fails at once
        # instead of waiting long_rpc_timeout in pre_live_migration.
        self.wait(lambda: self.migration_status(big_id) in FINAL and
                  self.migration_status(small_id) in FINAL, 30,
                  'both migrations to end')
        self.assertEqual('failed', self.migration_status(big_id))
        self.assertEqual('failed', self.migration_status(small_id))
        self.start('migrator-compute', dest)
        self.wait_for_states({dest: ('migrator-compute', 'enabled', 'up')},
                             START_TIMEOUT)
        self.assert_settled(small_id, source, dest, ('failed',))
        self.assert_settled(big_id, source, dest, ('failed',))
        self.assertEqual({source: 2, dest: 0}, self.running_vms())

    def test_conductor_killed_in_pre_checks(self):
        self.deploy(conductors=2)
        server_id, source = self.active_server('precheck', flavor='1')
        dest = {'compute1': 'compute2', 'compute2': 'compute1'}[source]
        # A paused destination holds the conductor in its check call.
        self.procs[dest].send_signal(signal.SIGSTOP)
        try:
            self.live_migrate(server_id)
            event = self.wait(
                lambda: [e for e in self.live_migration_events(server_id)
                         if e['event'] == 'conductor_live_migrate_server'],
                30, 'a conductor to take the migration')[0]
            self.assertIsNone(event['finish_time'], event)
            conductor = event['host']
            self.procs[conductor].send_signal(signal.SIGKILL)
            self.procs[conductor].wait(10)
            self.assertEqual('accepted',
                             self.migrations(server_id)[0]['status'])
        finally:
            self.procs[dest].send_signal(signal.SIGCONT)
        # The other conductor's periodic check ends it.
        self.wait(lambda: self.migrations(server_id)[0]['status'] in FINAL,
                  STALE_AGE + 30, 'the surviving conductor to end the '
                  'migration left accepted')
        self.assert_settled(server_id, source, dest, ('error',))

        # ... and carries the next one through.
        self.live_migrate(server_id)
        self.wait(lambda: self.migrations(server_id)[0]['status'] in FINAL,
                  60, 'the next live migration to end')
        self.assertEqual('completed',
                         self.migrations(server_id)[0]['status'])
        server = self.server(server_id)
        self.assertEqual(('ACTIVE', None, dest), (
            server['status'], server['OS-EXT-STS:task_state'],
            server['OS-EXT-SRV-ATTR:host']))
        code, out = self.audit()
        self.assertEqual(0, code, out)


class TestFaultsMariaDB(_FaultScenario, base.TestCase):
    BACKEND = 'mysql'
