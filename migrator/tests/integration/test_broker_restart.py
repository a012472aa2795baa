"""RabbitMQ stopped and started under live migrations in flight.

A private RabbitMQ node (``private_servers``: its own name, ports and
Mnesia directory; the machine's broker on 5672 is untouched) carries a
deployment of migrator-api, a conductor and two computes on MariaDB.
The test boots ``SERVERS`` servers, asks for a live migration of each
(every request answered 202, so each migration is recorded
``accepted``), stops the broker while they are under way, and starts it
again ``OUTAGE`` seconds later. Then:

* every migration reaches a terminal state (completed, error, failed or
  cancelled): those whose messages the stop lost are ended by the
  conductors' stale-migration check;
* no server keeps a task, each is ACTIVE on one host;
* within ``BACK_WITHIN`` seconds of the broker's return the conductor
  and the computes answer over RPC again and the API takes new work
  (a build, then a live migration, both carried through);
* the audit (migrator-status check) finds nothing.
"""
import concurrent.futures
import os
import time

import oslo_messaging as messaging
from testtools import content

from migrator import context as migrator_context
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator.tests import base
from migrator.tests.integration import test_faults
from migrator.tests import private_servers
from migrator.tests import rest_client

# The 200 (about 75 s on a quiet 2-core machine);
# MIGRATOR_TEST_BROKER_RESTART_SERVERS sets another count.
SERVERS = int(os.environ.get('MIGRATOR_TEST_BROKER_RESTART_SERVERS', 200))
OUTAGE = 5
# [DEFAULT] rpc_response_timeout: a call whose reply the restart lost
# fails after it (and so does a long call's heartbeat monitor).
RPC_TIMEOUT = 30
BACK_WITHIN = 10
FINAL = test_faults.FINAL


class _BrokerRestart(test_faults._FaultScenario):
    test_source_compute_stopped_and_killed_mid_migration = None
    test_destination_compute_killed_mid_migration = None
    test_conductor_killed_in_pre_checks = None

    def _transport_url(self):
        self.broker = self.useFixture(private_servers.PrivateRabbitMQ())
        return self.broker.url

    def _write_config(self):
        path = super()._write_config()
        with open(path, 'a') as f:
            # Several migrations out of each host at once (Nova's 5
            # workers). The simulated link is shared by the migrations
            # between two hosts: 2 MiB/s per server, at 20 times real
            # time, keeps every 512 MiB guest under way for about 13 s,
            # while the broker stops and starts.
            # Heartbeats that a loaded machine delays (200 builds, then
            # 200 migrations, on 2 cores) must not make a compute look
            # down (the scenario's 3 s): builds would find no host.
            f.write('[DEFAULT]\nrpc_response_timeout = %d\n'
                    'service_down_time = 30\n'
                    '[compute]\nmax_concurrent_live_migrations = 0\n'
                    '[fake_driver]\ntime_scale = 20\nvcpus = 64\n'
                    'link_bandwidth_mib = %d\n'
                    # Room for every m1.tiny guest on either host.
                    'memory_mb = %d\n'
                    % (RPC_TIMEOUT, 2 * SERVERS, max(32768, 300 * SERVERS)))
        return path

    def boot_all(self, count):
        def boot(n):
            status, body = self.http('POST', '/servers', {'server': {
                'name': 'b%d' % n, 'flavorRef': '1', 'imageRef': 'any',
                'networks': 'none'}})
            self.assertEqual(202, status, body)
            return body['server']['id']
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(boot, range(count)))
        self.wait(lambda: all(s["status"] == "ACTIVE" for s in
                              self.servers() if s['id'] in ids), 180,
                  '%d servers ACTIVE' % count)
        return ids

    @staticmethod
    def _answers(call):
        try:
            call()
            return True
        except messaging.MessagingException:
            return False

    def servers(self):
        return self.http('GET', '/servers/detail?limit=1000')[1]['servers']

    def all_migrations(self):
        return self.http('GET', '/os-migrations?limit=1000')[1][
            'migrations']

    def test_broker_restarted_under_live_migrations(self):
        self.deploy()
        ids = self.boot_all(SERVERS)
        client = rest_client.ComputeClient(self.api_port)

        def migrate(server_id):
            return client.request(
                'POST', '/servers/%s/action' % server_id,
                {'os-migrateLive': {'host': None,
                                    'block_migration': 'auto'}})[0]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            self.assertEqual([202] * SERVERS, list(pool.map(migrate, ids)))
        self.assertFalse(all(m['status'] in FINAL
                             for m in self.all_migrations()),
                         'every migration ended before the broker stopped')

        self.broker.stop()
        # The outage must meet migrations in flight, or it tests nothing.
        self.assertFalse(all(m['status'] in FINAL
                             for m in self.all_migrations()),
                         'every migration ended before the broker was down')
        time.sleep(OUTAGE)
        # The database still answers: the API does too.
        self.assertEqual(200, self.http('GET', '/servers/detail')[0])
        self.broker.start()
        back = time.monotonic()
        # Figures for the record (details of the result, not asserted).
        figures = {}

        # The services' RPC servers are back on the broker soon (a message
        # sent before they declared their queues again would be lost).
        self.flags(rpc_response_timeout=2)
        self.rpc_client_setup()
        ctxt = migrator_context.get_admin_context()
        self.wait(lambda: self._answers(lambda: conductor_rpcapi.ConductorAPI(
        ).ping(ctxt, 'back')), BACK_WITHIN, 'the conductor to answer')
        figures['conductor answers after s'] = round(
            time.monotonic() - back, 1)
        for host in ('compute1', 'compute2'):
            self.wait(lambda: self._answers(lambda: compute_rpcapi.ComputeAPI(
            ).ping(ctxt, host, 'back')), BACK_WITHIN,
                'compute %s to answer' % host)
        # The API takes new work at once, and it is carried through.
        status, body = self.http('POST', '/servers', {'server': {
            'name': 'after', 'flavorRef': '1', 'imageRef': 'any',
            'networks': 'none'}})
        self.assertEqual(202, status, body)
        figures['API takes a build after s'] = round(
            time.monotonic() - back, 1)
        self.assertLess(time.monotonic() - back, BACK_WITHIN)
        extra = body['server']['id']
        self.wait(lambda: self.server(extra)['status'] == 'ACTIVE',
                  RPC_TIMEOUT + 30, 'a server built after the restart')
        self.live_migrate(extra)
        self.wait(lambda: self.migration_status(extra) == 'completed',
                  RPC_TIMEOUT + 30, 'a live migration after the restart')

        self.wait(lambda: all(m['status'] in FINAL
                              for m in self.all_migrations()),
                  test_faults.STALE_AGE + 120,
                  'every live migration to end')
        figures['all migrations terminal after s'] = round(
            time.monotonic() - back, 1)
        migrations = self.all_migrations()
        self.assertEqual(SERVERS + 1, len(migrations))
        outcome = {}
        for m in migrations:
            outcome[m['status']] = outcome.get(m['status'], 0) + 1
        self.addDetail('outcome', content.text_content(str(outcome)))
        self.addDetail('figures', content.text_content(str(figures)))
        servers = self.servers()
        for server in servers:
            self.assertEqual(('ACTIVE', None), (
                server['status'], server['OS-EXT-STS:task_state']),
                server['id'])
        # Each guest runs on exactly one host: the one its server names.
        by_host = {}
        for server in servers:
            host = server['OS-EXT-SRV-ATTR:host']
            by_host[host] = by_host.get(host, 0) + 1
        self.wait(lambda: self.running_vms() == by_host, 30,
                  'the hypervisors to run %s' % by_host)
        code, out = self.audit()
        self.assertEqual(0, code, out)


class TestBrokerRestartMariaDB(_BrokerRestart, base.TestCase):
    BACKEND = 'mysql'
