"""Active-active: two migrator-api processes and two conductors share the
work on RabbitMQ and MariaDB.

``SERVERS`` servers whose simulated guests never converge (so that no
live migration ends while the requests come in) each get ``PER_SERVER``
live-migrate requests, ``CLIENTS`` clients sending them at once, spread
over both API processes, on a private MariaDB server. Each request is
answered 202 or 409; each server has exactly one Migration record per
202, at least one, and all but its newest ended before the next was
accepted (one accepted migration per server at a time: the task claim, a
compare-and-swap on the instance's task state, lets one request through
whatever process or thread it reaches).
"""
import collections
import concurrent.futures
import os
import random

from testtools import content

from migrator.tests import base
from migrator.tests.functional import test_migrator_all
from migrator.tests.integration import test_faults
from migrator.tests import private_servers
from migrator.tests import rest_client

# The figures: 100 servers (500 requests) from 8 clients (about
# 30 s on a quiet 2-core machine, 143 s on a loaded one);
# MIGRATOR_TEST_ACTIVE_ACTIVE_SERVERS sets another count.
SERVERS = int(os.environ.get('MIGRATOR_TEST_ACTIVE_ACTIVE_SERVERS', 100))
PER_SERVER = 5
CLIENTS = 8


class _ActiveActive(test_faults._FaultScenario):
    test_source_compute_stopped_and_killed_mid_migration = None
    test_destination_compute_killed_mid_migration = None
    test_conductor_killed_in_pre_checks = None

    def _database_server(self):
        # Four API and conductor processes with their connection pools
        # (and threads) would take much of a shared server's
        # max_connections: a private one (500).
        return self.useFixture(private_servers.PrivateMariaDB()).url

    def _write_config(self):
        path = super()._write_config()
        with open(path, 'a') as f:
            # Room for every guest on either host; heartbeats that a
            # loaded machine delays do not make a host look down.
            f.write('[DEFAULT]\nservice_down_time = 30\n'
                    '[fake_driver]\nvcpus = 256\nmemory_mb = 524288\n')
        return path

    def test_one_migration_per_server_from_two_apis(self):
        self.deploy(conductors=2)
        ports = [self.api_port, test_migrator_all.free_port()]
        self.start('migrator-api', 'api2', '[api]\nbind_port = %d\n'
                   'volume_bind_port = %d\n'
                   % (ports[1], test_migrator_all.free_port()))
        clients = [rest_client.ComputeClient(port) for port in ports]
        self.wait(lambda: all(self._answers(c) for c in clients), 60,
                  'both API processes to answer')

        def boot(n):
            status, body = clients[n % 2].request('POST', '/servers', {
                'server': {'name': 'aa%d' % n, 'flavorRef': '1',
                           'imageRef': 'any', 'networks': 'none',
                           'metadata': {'sim_dirty_rate_mib': '200',
                                        'sim_working_set_mib': '200'}}})
            self.assertEqual(202, status, body)
            return body['server']['id']
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            ids = list(pool.map(boot, range(SERVERS)))
        self.wait(lambda: self._all_active(ids), 300,
                  '%d servers ACTIVE' % SERVERS)

        requests = [(server_id, n) for server_id in ids
                    for n in range(PER_SERVER)]
        random.shuffle(requests)

        def migrate(request):
            server_id, n = request
            client = clients[(hash(server_id) + n) % 2]
            status, body = client.request(
                'POST', '/servers/%s/action' % server_id,
                {'os-migrateLive': {'host': None,
                                    'block_migration': 'auto'}})
            return server_id, status, body
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(migrate, requests))

        accepted = collections.Counter()
        for server_id, status, body in answers:
            self.assertIn(status, (202, 409), body)
            accepted[server_id] += status == 202
        migrations = collections.defaultdict(list)
        for m in self.http('GET', '/os-migrations?limit=1000')[1][
                'migrations']:
            if m['migration_type'] == 'live-migration':
                migrations[m['instance_uuid']].append(m)
        repeated = {}
        for server_id in ids:
            mine = sorted(migrations[server_id], key=lambda m: m['id'])
            # One Migration per request taken, none for a 409.
            self.assertEqual(accepted[server_id], len(mine), server_id)
            self.assertGreaterEqual(len(mine), 1, server_id)
            # One at a time: a later one was accepted only once the one
            # before had ended (it failed its pre-checks, say).
            for earlier in mine[:-1]:
                self.assertIn(earlier['status'], test_faults.FINAL,
                              (server_id, mine))
            if len(mine) > 1:
                repeated[server_id] = [m['status'] for m in mine]
        self.addDetail('accepted-again', content.text_content(
            '%d servers had a migration end during the burst and took '
            'another: %s' % (len(repeated), repeated)))
        self.assertEqual(SERVERS * PER_SERVER, len(answers))
        code, out = self.audit()
        self.assertEqual(0, code, out)

    @staticmethod
    def _answers(client):
        try:
            return client.request('GET', '/flavors')[0] == 200
        except OSError:
            return False

    def _all_active(self, ids):
        servers = self.http('GET', '/servers/detail?limit=1000')[1][
            'servers']
        active = {s['id'] for s in servers if s['status'] == 'ACTIVE'}
        return active.issuperset(ids)


class TestActiveActiveMariaDB(_ActiveActive, base.TestCase):
    BACKEND = 'mysql'
