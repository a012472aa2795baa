"""tools/deploy-local.sh as a user runs it: migrator-api under gunicorn
(2 workers), 2 conductors and 4 computes on RabbitMQ and MariaDB; a live
migration runs through them, the audit finds nothing, and ``stop`` ends
every process with SIGTERM."""
import os
import subprocess

import fixtures
import sqlalchemy as sa

from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.functional import test_migrator_all
from migrator.tests.integration import test_faults
from migrator.tests.integration import test_services
from migrator.tests import rest_client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SCRIPT = os.path.join(ROOT, 'tools', 'deploy-local.sh')
SERVER = 'mysql+pymysql://root@127.0.0.1:3306'


class TestDeployLocal(base.TestCase):

    def setUp(self):
        super().setUp()
        # The server must be up; a missing one fails naming it.
        self.useFixture(migrator_fixtures.TempDatabase('mysql'))
        self.dir = self.useFixture(fixtures.TempDir()).path
        suffix = migrator_fixtures.uuidutils_hex()
        self.prefix = 'mdeploy_%s' % suffix
        self.api_port = test_migrator_all.free_port()
        self.env = dict(
            os.environ,
            MIGRATOR_TRANSPORT_URL=self.useFixture(
                test_services.RabbitVhost()).url,
            MIGRATOR_DB_SERVER=SERVER,
            MIGRATOR_DB_PREFIX=self.prefix,
            MIGRATOR_CONTROL_EXCHANGE='mdeploy_%s' % suffix,
            MIGRATOR_API_PORT=str(self.api_port),
            MIGRATOR_BIN=os.path.dirname(test_services.sys.executable))
        self.addCleanup(self._drop_databases)
        self.addCleanup(self.script, 'stop', check=False)

    def script(self, action, check=True):
        result = subprocess.run(['bash', SCRIPT, action, self.dir],
                                env=self.env, capture_output=True,
                                text=True, timeout=600,
                                stdin=subprocess.DEVNULL)
        if check:
            self.assertEqual(0, result.returncode,
                             '%s: %s%s' % (action, result.stdout,
                                           result.stderr))
        return result.stdout

    def _drop_databases(self):
        engine = sa.create_engine(SERVER + '/', isolation_level='AUTOCOMMIT',
                                  poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            for name in (self.prefix + '_api', self.prefix,
                         self.prefix + '_cell0'):
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))

    def test_services_run_a_live_migration_and_stop(self):
        out = self.script('start')
        self.assertIn('API /healthcheck: API database OK', out)
        for host in ('conductor1', 'conductor2', 'compute1', 'compute2',
                     'compute3', 'compute4'):
            self.assertRegex(out, r'\| %s +\| [^|]+\| enabled \| up ' % host)
        with open(os.path.join(self.dir, 'run', 'api.pid')) as f:
            api_pid = int(f.read())
        # start mapped every compute host (it waits for their compute
        # nodes): discovering again finds nothing new.
        discover = subprocess.run(
            test_services._command('migrator-manage') +
            ['--config-file', os.path.join(self.dir, 'migrator.conf'),
             'cell_v2', 'discover_hosts', '--strict'],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(1, discover.returncode,
                         discover.stdout + discover.stderr)
        workers = subprocess.run(['pgrep', '-P', str(api_pid)],
                                 capture_output=True, text=True).stdout
        self.assertEqual(2, len(workers.split()), workers)

        def api(*args, **kwargs):
            return rest_client.ComputeClient(self.api_port).request(
                *args, **kwargs)
        status, body = api('POST', '/servers', {'server': {
            'name': 'd1', 'flavorRef': '1', 'imageRef': 'any',
            'networks': 'none'}})
        self.assertEqual(202, status, body)
        server_id = body['server']['id']
        rest_client.wait_for(
            lambda: api('GET', '/servers/%s' % server_id)[1]['server'][
                'status'] == 'ACTIVE', 60, 'server ACTIVE')
        status, body = api(
            'POST', '/servers/%s/action' % server_id,
            {'os-migrateLive': {'host': None, 'block_migration': 'auto'}})
        self.assertEqual(202, status, body)

        def ended():
            migs = api('GET', '/os-migrations?instance_uuid=%s'
                       % server_id)[1]['migrations']
            return migs and migs[0]['status'] in test_faults.FINAL and \
                migs[0]
        migration = rest_client.wait_for(ended, 120, 'migration ended')
        self.assertEqual('completed', migration['status'])
        audit = subprocess.run(
            test_services._command('migrator-status') +
            ['--config-file', os.path.join(self.dir, 'migrator.conf'),
             'check'], capture_output=True, text=True, timeout=120)
        self.assertEqual(0, audit.returncode, audit.stdout + audit.stderr)

        out = self.script('stop')
        for name in ('api', 'conductor1', 'compute4'):
            self.assertIn('%s stopped' % name, out)
        self.assertEqual([], os.listdir(os.path.join(self.dir, 'run')))

    def test_start_fails_at_once_when_a_service_exits(self):
        # Every compute exits at start-up (an unknown driver): start says
        # which and where its log is, without waiting for the time it
        # allows the services to come up, and stop still stops the rest.
        extra = os.path.join(self.dir, 'extra.conf')
        with open(extra, 'w') as f:
            f.write('[DEFAULT]\ncompute_driver = no-such-driver\n')
        self.env.update(MIGRATOR_CONDUCTORS='1', MIGRATOR_COMPUTES='1',
                        MIGRATOR_EXTRA_CONF=extra)
        result = subprocess.run(['bash', SCRIPT, 'start', self.dir],
                                env=self.env, capture_output=True,
                                text=True, timeout=600,
                                stdin=subprocess.DEVNULL)
        self.assertEqual(1, result.returncode, result.stdout + result.stderr)
        self.assertIn('compute1 exited during start-up: see %s' %
                      os.path.join(self.dir, 'log', 'compute1.log'),
                      result.stdout)
        out = self.script('stop')
        self.assertIn('conductor1 stopped', out)
        self.assertEqual([], os.listdir(os.path.join(self.dir, 'run')))
