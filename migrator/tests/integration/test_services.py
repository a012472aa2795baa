"""Real processes on RabbitMQ with MariaDB, then with PostgreSQL.

Each run sets a deployment up the way the README does (migrator-manage
api_db sync, cell_v2 map_cell0, db sync, cell_v2 create_cell), starts one
migrator-conductor and two migrator-compute processes (hosts compute1 and
compute2, fake driver), and then, from this test process over RabbitMQ:

* waits until ``migrator-manage service list`` shows all three up;
* maps the compute hosts (cell_v2 discover_hosts);
* makes a call to the conductor and to each compute (ping);
* casts refresh_resources to compute1 and sees its compute_nodes row
  updated;
* kills the computes with SIGKILL and sees them reported down;
* stops the conductor with SIGTERM and sees it exit 0.

Every run has its own databases (created and dropped here), its own
RabbitMQ virtual host (made with rabbitmqctl when it can, else "/") and its
own control_exchange, so runs in parallel do not cross. RabbitMQ, MariaDB
and PostgreSQL must be running: a missing one fails the test, naming it
and how to start it; nothing is skipped.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import fixtures
from oslo_utils import uuidutils
import sqlalchemy as sa
from testtools import content

from migrator import context as migrator_context
from migrator import rpc
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.functional import test_migrator_all
from migrator.tests import manage_shell

RABBIT = os.environ.get('MIGRATOR_TEST_RABBIT_URL',
                        'rabbit://guest:guest@127.0.0.1:5672/')
REPORT_INTERVAL = 1
SERVICE_DOWN_TIME = 3
START_TIMEOUT = 30


def _command(name):
    """argv prefix of a console script: the installed one next to this
    Python if there is one, else the module."""
    script = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(script):
        return [script]
    module = {'migrator-manage': 'manage', 'migrator-conductor': 'conductor',
              'migrator-compute': 'compute', 'migrator-volume': 'volume',
              'migrator-api': 'api', 'migrator-status': 'status'}[name]
    return [sys.executable, '-m', 'migrator.cmd.' + module]


class RabbitVhost(fixtures.Fixture):
    """A throw-away RabbitMQ virtual host for guest, if rabbitmqctl can
    make one; ``.url`` is the transport URL to use."""

    def setUp(self):
        super().setUp()
        migrator_fixtures.check_rabbit(RABBIT)
        self.url = RABBIT
        ctl = shutil.which('rabbitmqctl')
        if not ctl or 'MIGRATOR_TEST_RABBIT_URL' in os.environ:
            return
        vhost = 'migrator-test-' + uuidutils.generate_uuid(dashed=False)[:12]
        try:
            subprocess.run([ctl, 'add_vhost', vhost], check=True,
                           capture_output=True, timeout=60)
        except (subprocess.SubprocessError, OSError):
            return  # not allowed (not root): "/" and a unique exchange
        self.addCleanup(subprocess.run, [ctl, 'delete_vhost', vhost],
                        capture_output=True, timeout=60)
        subprocess.run([ctl, 'set_permissions', '-p', vhost, 'guest',
                        '.*', '.*', '.*'], check=True, capture_output=True,
                       timeout=60)
        self.url = RABBIT.rstrip('/') + '/' + vhost


class Deployment:
    """Mixin: a deployment's databases on BACKEND, its config file, and
    starting and watching its service processes (other integration
    tests use it too)."""
    BACKEND = None

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.transport_url = self._transport_url()
        self.exchange = 'migrator_test_%s' % uuidutils.generate_uuid(
            dashed=False)[:12]
        server = self._database_server()
        dbs = [self.useFixture(migrator_fixtures.TempDatabase(
            self.BACKEND, prefix='migrator_it', server=server))
            for _ in range(3)]
        self.api_url, self.cell_url, self.cell0_url = (db.url for db in dbs)
        self.config_file = self._write_config()
        self.procs = {}
        self.addCleanup(self._stop_all)
        self.manage_in_own_process = False
        self.manage_shell = None

    # -- set-up -----------------------------------------------------------
    def _transport_url(self):
        """The broker to use: a virtual host of the shared one."""
        return self.useFixture(RabbitVhost()).url

    def _database_server(self):
        """URL of the database server to use (None: the shared one)."""
        return None

    def _write_config(self):
        path = os.path.join(self.tmp, 'migrator.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\n'
                    'transport_url = %s\n'
                    'control_exchange = %s\n'
                    'report_interval = %d\n'
                    'service_down_time = %d\n'
                    'graceful_shutdown_timeout = 10\n'
                    'compute_driver = fake\n'
                    'state_path = %s\n'
                    '[database]\nconnection = %s\nmax_retries = 3\n'
                    '[api_database]\nconnection = %s\n'
                    '[compute]\nresource_update_interval = 3600\n'
                    # Block storage on a free port, not the default 8776:
                    # deployments of tests run side by side (a subclass
                    # may set its own; the last value in the file wins).
                    '[api]\nvolume_bind_port = %d\n'
                    % (self.transport_url, self.exchange, REPORT_INTERVAL,
                       SERVICE_DOWN_TIME, self.tmp, self.cell_url,
                       self.api_url, test_migrator_all.free_port()))
        return path

    def manage(self, *argv, expect=0):
        """``migrator-manage ARGV``'s output, its exit status checked
        against ``expect`` (None: not checked). Run in the deployment's
        ManageShell unless ``manage_in_own_process`` is set (a test of the
        commands as an operator runs them)."""
        argv = ['--config-file', self.config_file] + list(argv)
        if self.manage_in_own_process:
            result = subprocess.run(
                _command('migrator-manage') + argv, capture_output=True,
                text=True, timeout=120, stdin=subprocess.DEVNULL)
            code, out, err = result.returncode, result.stdout, result.stderr
        else:
            if self.manage_shell is None:
                self.manage_shell = self.useFixture(manage_shell.ManageShell(
                    os.path.join(self.tmp, 'manage-shell.log')))
            code, out, err = self.manage_shell.run(argv, timeout=120)
        if expect is not None:
            self.assertEqual(expect, code, 'migrator-manage %s: %s%s' % (
                ' '.join(argv[2:]), out, err))
        return out

    def start(self, binary, host, extra_config=''):
        """Start ``binary`` as ``host``; ``extra_config`` is appended to
        its own config file (after ``[DEFAULT] host``)."""
        host_conf = os.path.join(self.tmp, '%s.conf' % host)
        with open(host_conf, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\n%s' % (host, extra_config))
        log = os.path.join(self.tmp, '%s.log' % host)
        out = open(log, 'ab')
        self.addCleanup(self._attach_log, host, log)
        self.addCleanup(out.close)
        proc = subprocess.Popen(
            _command(binary) + ['--config-file', self.config_file,
                                '--config-file', host_conf],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs[host] = proc
        return proc

    def _attach_log(self, host, path):
        # Read now: the temporary directory goes before results are shown.
        with open(path, errors='replace') as f:
            self.addDetail('log-' + host, content.text_content(f.read()))

    def _stop_all(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)

    def service_states(self):
        """{host: (binary, status, state)} from migrator-manage."""
        states = {}
        for line in self.manage('service', 'list').splitlines():
            cells = [c.strip() for c in line.split('|')[1:-1]]
            if len(cells) == 6 and cells[0] != 'Host':
                states[cells[0]] = (cells[1], cells[2], cells[3])
        return states

    def wait_for_states(self, wanted, timeout):
        deadline = time.monotonic() + timeout
        states = None
        while time.monotonic() < deadline:
            for host, proc in self.procs.items():
                if wanted.get(host, (None, None, None))[2] == 'up':
                    self.assertIsNone(
                        proc.poll(), '%s exited with %s' % (
                            host, proc.returncode))
            states = self.service_states()
            if all(states.get(host) == want
                   for host, want in wanted.items()):
                return states
            time.sleep(0.5)
        self.fail('services did not reach %s within %s s; last: %s'
                  % (wanted, timeout, states))

    def map_computes(self, hosts, timeout=START_TIMEOUT):
        """``cell_v2 discover_hosts`` once each of ``hosts`` has recorded
        its compute node: discover_hosts maps nodes, and a compute's
        service reports up a moment before its node is written."""
        deadline = time.monotonic() + timeout
        engine = sa.create_engine(self.cell_url, poolclass=sa.pool.NullPool)
        try:
            while True:
                with engine.connect() as conn:
                    recorded = set(conn.scalars(sa.text(
                        'SELECT host FROM compute_nodes WHERE deleted = 0')))
                if recorded >= set(hosts):
                    break
                if time.monotonic() > deadline:
                    self.fail('compute nodes of %s not recorded within %s '
                              's' % (sorted(set(hosts) - recorded), timeout))
                time.sleep(0.2)
        finally:
            engine.dispose()
        self.manage('cell_v2', 'discover_hosts')

    def rpc_client_setup(self):
        # This test process talks to the services over the same broker.
        self.flags(transport_url=self.transport_url)
        # oslo.messaging registers control_exchange when it makes the
        # first transport: make one, then override and make it again.
        rpc.cleanup()
        rpc.init()
        rpc.cleanup()
        self.flags(control_exchange=self.exchange)
        rpc.init()
        self.addCleanup(rpc.cleanup)

    def compute_node_updated_at(self, host):
        engine = sa.create_engine(self.cell_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(
                    'SELECT updated_at, created_at FROM compute_nodes '
                    'WHERE host = :host AND deleted = 0'),
                    {'host': host}).one()
        finally:
            engine.dispose()


class _ServicesScenario(Deployment):
    """Mixin: the scenario on the database server BACKEND."""

    # -- the scenario ----------------------------------------------------
    def test_conductor_and_computes_over_rabbitmq(self):
        # The README's set-up, each step twice where it must be idempotent,
        # each command its own process as an operator runs it.
        self.manage_in_own_process = True
        self.assertIn('Upgraded the API database',
                      self.manage('api_db', 'sync'))
        self.assertIn('nothing to do', self.manage('api_db', 'sync'))
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    self.cell0_url)
        out = self.manage('db', 'sync')
        self.assertIn('Upgraded the cell0 database', out)
        self.assertIn('Upgraded the cell database', out)
        self.assertIn('nothing to do', self.manage('db', 'sync'))
        cell_uuid = self.manage('cell_v2', 'create_cell', '--name', 'cell1',
                                '--verbose').strip()
        self.assertTrue(uuidutils.is_uuid_like(cell_uuid), cell_uuid)
        self.assertIn('cell1', self.manage('cell_v2', 'list_cells'))

        conductor = self.start('migrator-conductor', 'conductor1')
        computes = [self.start('migrator-compute', host)
                    for host in ('compute1', 'compute2')]
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'up'),
            'compute2': ('migrator-compute', 'enabled', 'up'),
        }, START_TIMEOUT)
        # By service: a compute's node row may come a moment after its
        # service row says it is up.
        self.manage('cell_v2', 'discover_hosts', '--strict', '--by-service')
        self.manage('cell_v2', 'discover_hosts', '--strict', '--by-service',
                    expect=1)

        # A call to each service, over RabbitMQ.
        self.rpc_client_setup()
        ctxt = migrator_context.get_admin_context()
        self.assertEqual(
            {'host': 'conductor1', 'service': 'conductor',
             'payload': 'hello'},
            conductor_rpcapi.ConductorAPI().ping(ctxt, 'hello'))
        compute_api = compute_rpcapi.ComputeAPI()
        for host in ('compute1', 'compute2'):
            self.assertEqual(host, compute_api.ping(ctxt, host, 1)['host'])

        # A cast: compute1 rewrites its compute node record.
        before = self.compute_node_updated_at('compute1')
        time.sleep(1.1)  # DATETIME has whole seconds on MariaDB
        compute_api.refresh_resources(ctxt, 'compute1')
        deadline = time.monotonic() + 15
        after = before
        while after == before and time.monotonic() < deadline:
            time.sleep(0.2)
            after = self.compute_node_updated_at('compute1')
        self.assertNotEqual(before, after,
                            'refresh_resources did not update compute1')
        self.assertGreater(after.updated_at, before.created_at)

        # SIGKILL the computes: no goodbye, the heartbeat just stops.
        for proc in computes:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        self.wait_for_states({
            'conductor1': ('migrator-conductor', 'enabled', 'up'),
            'compute1': ('migrator-compute', 'enabled', 'down'),
            'compute2': ('migrator-compute', 'enabled', 'down'),
        }, SERVICE_DOWN_TIME + 10)

        # SIGTERM the conductor: it stops cleanly and exits 0.
        conductor.send_signal(signal.SIGTERM)
        self.assertEqual(0, conductor.wait(30))
        with open(os.path.join(self.tmp, 'conductor1.log')) as f:
            log = f.read()
        self.assertIn('Caught SIGTERM, stopping', log)
        self.assertIn('migrator-conductor on conductor1 stopped', log)
        self.assertNotIn('Traceback', log)


class TestServicesMariaDB(_ServicesScenario, base.TestCase):
    BACKEND = 'mysql'


class TestServicesPostgreSQL(_ServicesScenario, base.TestCase):
    BACKEND = 'postgresql'
