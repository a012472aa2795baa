"""A cold migration with a PMEM copy between real processes (conductor,
two computes, the API) on RabbitMQ and MariaDB or PostgreSQL, and the
source compute killed with SIGKILL in the middle of the copy: started
again, it ends the move with the server ACTIVE on it, its data intact,
and the destination's namespace zeroed and free."""
import os
import signal
import socket
import time

import requests
import sqlalchemy as sa

from migrator.tests import base
from migrator.tests.integration import test_services

MIB = 1024 * 1024
NS_SIZE = 16 * MIB


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class _KillMidCopy(test_services._ServicesScenario):
    # The services scenario itself runs in test_services.
    test_conductor_and_computes_over_rabbitmq = None

    def _write_config(self):
        path = super()._write_config()
        self.port = _free_port()
        with open(path, 'a') as f:
            f.write('[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    '[libvirt]\npmem_namespaces = 16M:pmem0|pmem1\n'
                    # 16 MiB at 2 MiB/s: eight seconds to kill it in.
                    '[transfer]\nrate_limit = %d\n'
                    % (self.port, 2 * MIB))
        return path

    def api(self, method, path, body=None, version='2.1'):
        resp = requests.request(
            method, 'http://127.0.0.1:%d/v2.1%s' % (self.port, path),
            json=body, timeout=60,
            headers={'X-Auth-Token': 'admin:admin',
                     'OpenStack-API-Version': 'compute %s' % version})
        return resp.status_code, (resp.json() if resp.content else None)

    def wait(self, predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.3)
        self.fail('timed out waiting for %s' % what)

    def namespaces(self):
        engine = sa.create_engine(self.cell_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(
                    'SELECT host, name, devpath, instance_uuid FROM '
                    'pmem_namespaces ORDER BY host, name')).all()
        finally:
            engine.dispose()

    def server(self, uuid):
        return self.api('GET', '/servers/%s' % uuid)[1]['server']

    def migration(self, uuid):
        found = self.api('GET', '/os-migrations?instance_uuid=%s' % uuid,
                         version='2.106')[1]['migrations']
        return found[0] if found else None

    def test_source_killed_mid_copy(self):
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        self.manage('db', 'sync')
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.manage('flavor', 'create', 'pmem.it', '--ram', '512',
                    '--vcpus', '1', '--disk', '1', '--id', 'pmem-it',
                    '--property', 'hw:pmem=16M')
        self.start('migrator-conductor', 'conductor1')
        self.start('migrator-compute', 'compute1')
        self.start('migrator-compute', 'compute2')
        self.start('migrator-api', 'api1')
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'up'),
            'compute2': ('migrator-compute', 'enabled', 'up'),
        }, test_services.START_TIMEOUT)
        self.map_computes(['compute1', 'compute2'])

        def api_up():
            try:
                return self.api('GET', '')[0] == 200
            except requests.ConnectionError:
                return False
        self.wait(api_up, 'the API')
        status, body = self.api('POST', '/servers', {'server': {
            'name': 'pm', 'flavorRef': 'pmem-it', 'imageRef': 'any',
            'networks': 'none', 'host': 'compute1'}}, version='2.74')
        self.assertEqual(202, status, body)
        uuid = body['server']['id']
        self.wait(lambda: self.server(uuid)['status'] == 'ACTIVE',
                  'the server to be ACTIVE')
        mine = [ns for ns in self.namespaces() if ns.instance_uuid == uuid]
        self.assertEqual(['compute1'], [ns.host for ns in mine])
        data = os.urandom(NS_SIZE)
        with open(mine[0].devpath, 'r+b') as f:
            f.write(data)

        status, body = self.api('POST', '/servers/%s/action' % uuid,
                                {'migrate': {'copy_pmem_devices': True}},
                                version='2.105')
        self.assertEqual(202, status, body)
        self.wait(lambda: (self.migration(uuid)['disk_processed'] or 0)
                  > 2 * MIB, 'the copy to be under way')
        self.procs['compute1'].send_signal(signal.SIGKILL)
        self.procs['compute1'].wait(10)
        self.assertEqual('migrating', self.migration(uuid)['status'])
        self.start('migrator-compute', 'compute1')

        mig = self.wait(lambda: (self.migration(uuid)['status'] == 'error'
                                 and self.migration(uuid)),
                        'the migration to end in error')
        server = self.wait(
            lambda: (self.server(uuid)['status'] == 'ACTIVE' and
                     self.server(uuid)), 'the server ACTIVE again')
        self.assertEqual('compute1', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('migration', mig['migration_type'])
        with open(mine[0].devpath, 'rb') as f:
            self.assertEqual(data, f.read())
        on_dest = [ns for ns in self.namespaces() if ns.host == 'compute2']
        self.assertEqual([None, None], [ns.instance_uuid for ns in on_dest])
        for ns in on_dest:
            with open(ns.devpath, 'rb') as f:
                self.assertEqual(b'\0' * NS_SIZE, f.read())


class TestKillMidCopyMariaDB(_KillMidCopy, base.TestCase):
    BACKEND = 'mysql'


class TestKillMidCopyPostgreSQL(_KillMidCopy, base.TestCase):
    BACKEND = 'postgresql'
