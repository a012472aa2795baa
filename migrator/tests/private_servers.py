"""Private database and message-broker servers that a fault test may stop
and start without touching the machine's shared ones.

``PrivateMariaDB``, ``PrivatePostgreSQL`` and ``PrivateRabbitMQ`` are
fixtures: ``setUp`` makes a fresh server in a temporary directory
(``mariadb-install-db``; PostgreSQL's ``initdb``; a RabbitMQ node with its
own name, ports and Mnesia directory) on free, randomly chosen ports of
127.0.0.1 and starts it; ``stop()`` and ``start()`` stop and start it
again on the same port with the same data; clean-up stops it and removes
its files. ``.url`` is the server URL (a database server's has no
database name: ``fixtures.TempDatabase(backend, server=srv.url)`` makes
databases on it; a broker's is a transport URL).

Run as root, PostgreSQL runs as the ``postgres`` user (it refuses root)
and MariaDB as root (``--user=root``).
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import fixtures

PG_BIN = os.environ.get('MIGRATOR_TEST_PG_BIN', '/usr/lib/postgresql/15/bin')
START_TIMEOUT = 90
# oslotest points TMPDIR at a per-test directory only root may enter.
_TMP = '/tmp' if os.path.isdir('/tmp') else tempfile.gettempdir()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout, proc=None, what='server'):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise AssertionError('%s exited with %s before it listened on '
                                 '%d' % (what, proc.returncode, port))
        if time.monotonic() > deadline:
            raise AssertionError('%s did not listen on %d within %ss'
                                 % (what, port, timeout))
        time.sleep(0.2)


def _run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=START_TIMEOUT,
                            **kwargs)
    if result.returncode:
        raise AssertionError('%s failed (%s): %s%s' % (
            ' '.join(argv), result.returncode, result.stdout,
            result.stderr))
    return result


class _PrivateServer(fixtures.Fixture):
    #: Name in messages.
    NAME = None

    def _setUp(self):
        # (_setUp: a server that fails to start is cleaned up too.)
        # Not under the test's own temporary directory: oslotest's may be
        # private to root, and PostgreSQL runs as another user.
        self.dir = tempfile.mkdtemp(prefix='migrator-%s-' % self.NAME,
                                    dir=_TMP)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.port = free_port()
        self.proc = None
        self.log = os.path.join(self.dir, 'server.log')
        self._init()
        self.addCleanup(self._cleanup)
        self.start()

    def _cleanup(self):
        if self.running:
            self.stop()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        with open(self.log, 'ab') as out:
            self.proc = subprocess.Popen(
                self._argv(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=self._env(),
                start_new_session=True, **self._owner())
        wait_for_port(self.port, START_TIMEOUT, self.proc, self.NAME)
        self._ready()

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Stop the server (SIGTERM: a clean shutdown) and wait for it."""
        if not self.running:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def log_text(self):
        with open(self.log, errors='replace') as f:
            return f.read()

    # -- per server --------------------------------------------------------
    def _init(self):
        raise NotImplementedError

    def _argv(self):
        raise NotImplementedError

    def _env(self):
        return None

    def _owner(self):
        """Popen's user and group arguments (none: this process's)."""
        return {}

    def _ready(self):
        pass


class PrivateMariaDB(_PrivateServer):
    NAME = 'mariadb'
    BACKEND = 'mysql'

    def _init(self):
        self.datadir = os.path.join(self.dir, 'data')
        _run(['mariadb-install-db', '--no-defaults', '--user=%s' % _me(),
              '--datadir=%s' % self.datadir, '--skip-test-db',
              '--auth-root-authentication-method=normal'])
        self.url = 'mysql+pymysql://root@127.0.0.1:%d' % self.port

    def _argv(self):
        return ['mariadbd', '--no-defaults', '--user=%s' % _me(),
                '--datadir=%s' % self.datadir,
                '--bind-address=127.0.0.1', '--port=%d' % self.port,
                '--socket=%s' % os.path.join(self.dir, 'mysqld.sock'),
                '--pid-file=%s' % os.path.join(self.dir, 'mysqld.pid'),
                # No passwords on a throw-away server bound to loopback.
                '--skip-grant-tables', '--skip-name-resolve',
                '--max-connections=500', '--skip-log-bin',
                '--innodb-buffer-pool-size=32M',
                '--innodb-flush-log-at-trx-commit=2',
                '--performance-schema=OFF']


class PrivatePostgreSQL(_PrivateServer):
    NAME = 'postgresql'
    BACKEND = 'postgresql'

    def _init(self):
        self.datadir = os.path.join(self.dir, 'data')
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam('postgres')
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        _run([os.path.join(PG_BIN, 'initdb'), '-D', self.datadir,
              '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
             **self._owner())
        self.url = 'postgresql+psycopg2://postgres@127.0.0.1:%d' % self.port

    def _owner(self):
        if self.user is None:
            return {}
        return {'user': self.user.pw_uid, 'group': self.user.pw_gid,
                'extra_groups': [], 'cwd': self.dir}

    def _argv(self):
        # The server itself, in the foreground: its process is ours to
        # signal (SIGTERM: smart, SIGINT: fast shutdown).
        return [os.path.join(PG_BIN, 'postgres'), '-D', self.datadir,
                '-p', str(self.port), '-k', self.dir,
                '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
                '-c', 'max_connections=300', '-c', 'full_page_writes=off']

    def stop(self, sig=signal.SIGINT, timeout=60):
        # Fast shutdown: open sessions are ended, as a restart does.
        super().stop(sig, timeout)


class PrivateRabbitMQ(_PrivateServer):
    """A RabbitMQ node of its own (name, AMQP and distribution ports,
    Mnesia and log directories), guest/guest allowed from loopback, no
    plugins (the management plugin would take the shared 15672)."""
    NAME = 'rabbitmq'

    def _init(self):
        self.dist_port = free_port()
        self.node = 'migrator-test-%d@localhost' % self.port
        conf = os.path.join(self.dir, 'rabbitmq.conf')
        with open(conf, 'w') as f:
            f.write('listeners.tcp.default = 127.0.0.1:%d\n'
                    'loopback_users = none\n'
                    'heartbeat = 10\n' % self.port)
        env_file = os.path.join(self.dir, 'rabbitmq-env.conf')
        with open(env_file, 'w') as f:
            f.write('ERL_EPMD_ADDRESS=127.0.0.1\n')
        plugins = os.path.join(self.dir, 'enabled_plugins')
        with open(plugins, 'w') as f:
            f.write('[].\n')
        self._environ = dict(
            os.environ, RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_NODE_IP_ADDRESS='127.0.0.1',
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_CONFIG_FILE=conf,
            RABBITMQ_CONF_ENV_FILE=env_file,
            RABBITMQ_ENABLED_PLUGINS_FILE=plugins,
            RABBITMQ_MNESIA_BASE=os.path.join(self.dir, 'mnesia'),
            RABBITMQ_LOG_BASE=os.path.join(self.dir, 'log'),
            RABBITMQ_PID_FILE=os.path.join(self.dir, 'rabbit.pid'),
            ERL_EPMD_ADDRESS='127.0.0.1')
        self._environ.pop('ERL_FLAGS', None)
        for name in ('mnesia', 'log'):
            os.mkdir(os.path.join(self.dir, name))
        if os.geteuid() == 0:
            # Debian's rabbitmq-server runs the node as "rabbitmq".
            user = pwd.getpwnam('rabbitmq')
            for root, dirs, files in os.walk(self.dir):
                for name in [root] + [os.path.join(root, n)
                                      for n in dirs + files]:
                    os.chown(name, user.pw_uid, user.pw_gid)
        self.url = 'rabbit://guest:guest@127.0.0.1:%d/' % self.port

    def _env(self):
        return self._environ

    def _argv(self):
        return ['rabbitmq-server']

    def _ready(self):
        # The port opens before the node takes connections: wait for it.
        _run(['rabbitmqctl', '-n', self.node, 'await_startup',
              '--timeout', str(START_TIMEOUT)], env=self._environ)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if not self.running:
            return
        subprocess.run(['rabbitmqctl', '-n', self.node, 'stop'],
                       capture_output=True, env=self._environ,
                       timeout=timeout)
        super().stop(sig, timeout)


def _me():
    return pwd.getpwuid(os.geteuid()).pw_name
