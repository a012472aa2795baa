"""Fixtures every migrator test suite can use.

``ConfFixture``
    Resets the global configuration after the test, and sets the defaults a
    test wants (host ``testhost``, the in-memory ``fake:`` RPC transport,
    no config files read). Use ``self.useFixture(ConfFixture())`` then
    ``conf_fixture.config(name=value, group=...)`` to override options.

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
"""
import atexit
import os
import shutil
import tempfile
import threading

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture

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
