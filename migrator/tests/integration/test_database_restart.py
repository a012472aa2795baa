"""The database server restarted under running services, on MariaDB and
on PostgreSQL.

A private database server (``private_servers``: its own data directory
and port, the machine's shared server untouched) holds the deployment's
API, cell and cell0 databases; migrator-api, a conductor and two computes
run on RabbitMQ. The test stops the server and checks that, during the
outage, the API answers each request 503 with a Nova-style body quickly
(no 100 s of retries, no 500) and that a live-migrate request refused
then leaves no record; it starts the server again and checks that every
service reconnects by itself: the services report up again, the API
answers, a live migration runs through, and the audit (migrator-status
check) finds nothing.
"""
import time

from migrator.tests import base
from migrator.tests.integration import test_faults
from migrator.tests import private_servers

# Well above a refused connection's few milliseconds, well below the
# 100 s that oslo.db's retries took.
QUICK = 10
OUTAGE = 5


class _DatabaseRestart(test_faults._FaultScenario):
    test_source_compute_stopped_and_killed_mid_migration = None
    test_destination_compute_killed_mid_migration = None
    test_conductor_killed_in_pre_checks = None
    SERVER = None

    def _database_server(self):
        self.db_server = self.useFixture(self.SERVER())
        return self.db_server.url

    def timed(self, *args, **kwargs):
        start = time.monotonic()
        result = self.http(*args, **kwargs)
        return result, time.monotonic() - start

    def test_database_restarted(self):
        self.deploy()
        server_id, source = self.active_server('db', flavor='1')

        self.db_server.stop()
        try:
            for method, path, body in (
                    ('GET', '/servers/detail', None),
                    ('GET', '/servers/%s' % server_id, None),
                    ('POST', '/servers/%s/action' % server_id,
                     {'os-migrateLive': {'host': None,
                                         'block_migration': 'auto'}})):
                (status, reply), took = self.timed(method, path, body)
                self.assertEqual(503, status, (method, path, reply))
                self.assertEqual(503, reply['serviceUnavailable']['code'],
                                 reply)
                self.assertLess(took, QUICK, (method, path))
            time.sleep(OUTAGE)
        finally:
            self.db_server.start()

        # Every service reconnects by itself.
        self.wait(lambda: self._api_up(), 30, 'the API to answer again')
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'up'),
            'compute2': ('migrator-compute', 'enabled', 'up'),
        }, 30)
        # The refused request left nothing behind.
        server = self.server(server_id)
        self.assertEqual(('ACTIVE', None, source), (
            server['status'], server['OS-EXT-STS:task_state'],
            server['OS-EXT-SRV-ATTR:host']))
        self.assertEqual([], self.migrations(server_id))
        code, out = self.audit()
        self.assertEqual(0, code, out)

        # ... and work goes through every service again.
        self.live_migrate(server_id)
        self.wait(lambda: self.migration_status(server_id) in
                  test_faults.FINAL, 60, 'the live migration to end')
        self.assertEqual('completed', self.migration_status(server_id))
        code, out = self.audit()
        self.assertEqual(0, code, out)


class TestDatabaseRestartMariaDB(_DatabaseRestart, base.TestCase):
    BACKEND = 'mysql'
    SERVER = private_servers.PrivateMariaDB


class TestDatabaseRestartPostgreSQL(_DatabaseRestart, base.TestCase):
    BACKEND = 'postgresql'
    SERVER = private_servers.PrivatePostgreSQL
