"""Fixtures every migrator test suite can use.

``ConfFixture``
    Resets the global configuration after the test, registers the
    objects, and sets test defaults: host ``testhost``, transport_url
    ``fake:/``, report_interval 1, service_down_time 3, and no database
    connections. Use ``self.useFixture(ConfFixture())`` then
    ``conf_fixture.config(name=value, group=...)`` to override options
    (``migrator.tests.base.TestCase`` does this and offers ``flags()``).

``Database``
    Points ``[database] connection`` and ``[api_database] connection`` at
    fresh SQLite files in a temporary directory, both synced with Alembic
    (``db_sync``), and forgets every engine afterwards. The synced schema
    is built once per process and copied for each test, so it costs a file
    copy. ``Database(schemas=('main',))`` only sets up the cell database.
    ``Database(connection=URL, api_connection=URL)`` uses given databases
    instead (they are synced, not copied).

``RPCFixture``
    ``rpc.init`` on the ``fake:`` transport and ``rpc.cleanup`` afterwards.

``TempDatabase(backend)``
    A throw-away database on 'sqlite', 'mysql' (MariaDB) or 'postgresql',
    dropped afterwards; ``.url``. ``server=URL`` makes it on another
    server than the shared one (``migrator.tests.private_servers``). A
    server that is down fails the test (``ServiceMissing``, saying how to
    start it); it never skips.
"""
import atexit
import os
import shutil
import tempfile
import threading

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import sqlalchemy as sa

import migrator.conf  # noqa: F401 - registers the option groups
from migrator.db import migration
from migrator.db import session
from migrator import objects

CONF = cfg.CONF

_TEMPLATES = {}
_TEMPLATE_DIR = None
_template_lock = threading.Lock()
# oslotest points tempfile at a per-test directory that goes away with the
# test; the per-process schema templates must outlive single tests.
_SYSTEM_TMP = tempfile.gettempdir()


class ConfFixture(config_fixture.Config):
    """Global configuration with test defaults, reset after the test."""

    def __init__(self, conf=CONF):
        super().__init__(conf)

    def setUp(self):
        super().setUp()
        objects.register_all()
        self.config(host='testhost', transport_url='fake:/',
                    report_interval=1, service_down_time=3)
        self.config(connection=None, group='database')
        self.config(connection=None, group='api_database')


def _sqlite_url(path):
    return 'sqlite:///%s' % path


def _template(schema):
    """Path of a SQLite file synced to the newest ``schema`` revision,
    built once per process."""
    global _TEMPLATE_DIR
    with _template_lock:
        if schema not in _TEMPLATES:
            if _TEMPLATE_DIR is None:
                _TEMPLATE_DIR = tempfile.mkdtemp(prefix='migrator-schema-',
                                                 dir=_SYSTEM_TMP)
                atexit.register(shutil.rmtree, _TEMPLATE_DIR, True)
            path = os.path.join(_TEMPLATE_DIR, '%s.sqlite' % schema)
            url = _sqlite_url(path)
            migration.db_sync(schema, url)
            session.main_manager(url).writer.get_engine().dispose()
            _TEMPLATES[schema] = path
        return _TEMPLATES[schema]


class Database(fixtures.Fixture):
    """Fresh, synced API and cell databases for one test."""

    def __init__(self, schemas=('api', 'main'), connection=None,
                 api_connection=None):
        super().__init__()
        self.schemas = schemas
        self.given = {'main': connection, 'api': api_connection}
        self.connection = None
        self.api_connection = None

    def setUp(self):
        super().setUp()
        session.reset()
        self.addCleanup(session.reset)
        tmp = self.useFixture(fixtures.TempDir()).path
        urls = {}
        for schema in self.schemas:
            url = self.given[schema]
            if url is None:
                path = os.path.join(tmp, '%s.sqlite' % schema)
                shutil.copyfile(_template(schema), path)
                url = _sqlite_url(path)
            else:
                migration.db_sync(schema, url)
            urls[schema] = url
        self.connection = urls.get('main')
        self.api_connection = urls.get('api')
        conf = self.useFixture(config_fixture.Config(CONF))
        if self.connection:
            conf.config(connection=self.connection, group='database')
        if self.api_connection:
            conf.config(connection=self.api_connection,
                        group='api_database')
        # The API engine is created from the option on first use.
        session.reset()

    def new_cell_database(self):
        """URL of one more synced cell database (for cell mappings)."""
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'cell.sqlite')
        shutil.copyfile(_template('main'), path)
        return _sqlite_url(path)


class RPCFixture(fixtures.Fixture):
    """The fake (in-process) RPC transport, initialised and cleaned up."""

    def setUp(self):
        super().setUp()
        from migrator import rpc
        rpc.cleanup()
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(transport_url='fake:/')
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)


# -- real database servers -------------------------------------------------

#: Server URLs (no database name) of the backends the functional and
#: integration tests use; override with MIGRATOR_TEST_MYSQL_URL and
#: MIGRATOR_TEST_POSTGRESQL_URL.
SERVER_URLS = {
    'mysql': os.environ.get('MIGRATOR_TEST_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306'),
    'postgresql': os.environ.get(
        'MIGRATOR_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432'),
}

#: How to start each service on a machine of the project's kind (Debian,
#: services installed from Debian's packages).
START_COMMANDS = {
    'mysql': ('MariaDB', 'start-stop-daemon --start --oknodo --background '
                         '--exec /usr/sbin/mariadbd'),
    'postgresql': ('PostgreSQL', 'pg_ctlcluster --skip-systemctl-redirect '
                                 '$(ls /etc/postgresql) main start'),
    'rabbit': ('RabbitMQ', 'rabbitmq-server -detached'),
}


class ServiceMissing(AssertionError):
    """A server the test needs is not reachable: the test fails (it is
    never skipped), saying which server and how to start it."""


def service_missing(kind, where, error):
    name, command = START_COMMANDS[kind]
    return ServiceMissing(
        '%s is not reachable at %s (%s). These tests need it and do not '
        'skip: start it with "%s" (tools/run-tests.sh starts it when run '
        'as root).' % (name, where, error, command))


class TempDatabase(fixtures.Fixture):
    """A throw-away database on ``backend`` ('sqlite', 'mysql' or
    'postgresql'), dropped after the test. ``.url`` is its URL."""

    def __init__(self, backend, prefix='migrator_test', server=None):
        super().__init__()
        self.backend = backend
        self.prefix = prefix
        # Another server than the shared one (private_servers).
        self.server = server
        self.url = None

    def setUp(self):
        super().setUp()
        if self.backend == 'sqlite':
            path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'db.sqlite')
            self.url = _sqlite_url(path)
            return
        import sqlalchemy as sa
        from sqlalchemy.engine import url as sa_url
        server = self.server or SERVER_URLS[self.backend]
        name = '%s_%s' % (self.prefix, uuidutils_hex())
        admin_db = 'postgres' if self.backend == 'postgresql' else None
        admin_url = sa_url.make_url(server).set(database=admin_db)
        engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT',
                                  poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text('CREATE DATABASE %s' % name))
        except sa.exc.OperationalError as exc:
            raise service_missing(
                self.backend, admin_url.render_as_string(),
                str(exc.orig).strip().splitlines()[0])
        self.url = sa_url.make_url(server).set(
            database=name).render_as_string(hide_password=False)
        if self.backend == 'mysql':
            self.url += '?charset=utf8mb4'

        def drop():
            session.reset()
            force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
            with engine.connect() as conn:
                conn.execute(sa.text('DROP DATABASE IF EXISTS %s%s'
                                     % (name, force)))
            engine.dispose()
        self.addCleanup(drop)


def uuidutils_hex():
    from oslo_utils import uuidutils
    return uuidutils.generate_uuid(dashed=False)[:12]


def check_rabbit(url='rabbit://guest:guest@127.0.0.1:5672/'):
    """Fail (ServiceMissing) unless RabbitMQ accepts a connection."""
    import socket
    from urllib import parse
    parsed = parse.urlparse(url)
    host, port = parsed.hostname or '127.0.0.1', parsed.port or 5672
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise service_missing('rabbit', '%s:%s' % (host, port), exc)


class StatementLog(fixtures.Fixture):
    """``.statements``: the SQL text of every statement any engine runs
    while the fixture is in use (clear it to count from a point on)."""

    def _setUp(self):
        self.statements = []
        sa.event.listen(sa.engine.Engine, 'before_cursor_execute',
                        self._add)
        self.addCleanup(sa.event.remove, sa.engine.Engine,
                        'before_cursor_execute', self._add)

    def _add(self, conn, cursor, statement, *args):
        self.statements.append(statement)
