"""Database sessions: the API database and one database per cell.

``api_reader/api_writer(ctx)`` and ``reader/writer(ctx)`` are enginefacade
transaction scopes. A cell scope uses the database of ``ctx.cell_uuid``
(looked up once in the API database's cell_mappings and cached), or the
``[database] connection`` of this service when the context targets no cell.
"""
import contextlib
import threading

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy.dialects import plugins as sa_plugins
from sqlalchemy.engine import url as sa_url
from sqlalchemy import event

from migrator.db.api import models as api_models
from migrator import exception

CONF = cfg.CONF

_lock = threading.Lock()
_api_manager = None
_main_managers = {}     # connection URL -> transaction context manager
_cell_connections = {}  # cell uuid -> connection URL


def _is_sqlite(dbapi_connection):
    return type(dbapi_connection).__module__.startswith('sqlite3')


@event.listens_for(sa.engine.Engine, 'connect')
def _tune_sqlite(dbapi_connection, connection_record):
    """Several threads share one SQLite file in the embedded default.

    A deferred transaction that reads and then writes must upgrade its
    lock, and two doing so at once deadlock: SQLite then fails at once with
    "database is locked", whatever the busy timeout. So the driver's own
    transaction handling is switched off (oslo.db does that for SQLite)
    and every writer transaction begins IMMEDIATE (``_begin_immediate``):
    it takes the write lock up front, and the others wait up to the busy
    timeout for it. A reader transaction (``reader``, ``api_reader``)
    never writes, so never upgrades: it begins DEFERRED and reads its
    snapshot of the WAL without waiting for the writer of the moment.
    """
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA busy_timeout = 30000')
    cursor.execute('PRAGMA journal_mode = WAL')
    cursor.close()


@event.listens_for(sa.engine.Engine, 'do_connect')
def _pymysql_shared_ssl_context(dialect, connection_record, cargs, cparams):
    """A new PyMySQL connection without SSL options of its own takes the
    process's one "preferred SSL" context instead of building its own.

    PyMySQL (1.2) gives every connection that names no SSL option an SSL
    context, for TLS if the server offers it, built with
    ``ssl.create_default_context()``: it loads every CA certificate of
    the system, 40-56 ms of CPU per connection on the project's machine
    (profiled in the conductor: 21 % of its time under load, each
    connection the pool opened beyond its size). The context is the same
    for every such connection (no CA, no verification), so one is built
    per process and shared: PyMySQL still uses TLS where the server
    offers it, exactly as before.
    """
    if dialect.driver != 'pymysql':
        return None
    return _pymysql_connection_class()(*cargs, **cparams)


_pymysql_class = None


def _pymysql_connection_class():
    global _pymysql_class
    if _pymysql_class is None:
        from pymysql import connections

        class Connection(connections.Connection):
            _preferred_ctx = None
            _ctx_lock = threading.Lock()

            def _create_ssl_ctx(self, sslp):
                # {}: PyMySQL's "preferred" default; anything else (a CA,
                # a certificate, a context) is built as PyMySQL builds it.
                if sslp != {}:
                    return super()._create_ssl_ctx(sslp)
                cls = type(self)
                with cls._ctx_lock:
                    if cls._preferred_ctx is None:
                        cls._preferred_ctx = super()._create_ssl_ctx({})
                    return cls._preferred_ctx

        _pymysql_class = Connection
    return _pymysql_class


# Inserted before oslo.db's own listener, which then sees the transaction
# begun (its "in_transaction" marker) and emits no plain BEGIN.
@event.listens_for(sa.engine.Engine, 'begin', insert=True)
def _begin_immediate(connection):
    if connection.dialect.name == 'sqlite' and \
            'in_transaction' not in connection.info:
        connection.exec_driver_sql(
            'BEGIN' if getattr(_scope, 'reading', False)
            else 'BEGIN IMMEDIATE')
        connection.info['in_transaction'] = True


# Whether the transaction this thread is in the middle of beginning is a
# reader's: set by ``reader``/``api_reader`` and cleared again by a
# writer scope inside one (of another database, as joining a reader's
# transaction to write is refused by enginefacade).
_scope = threading.local()


@contextlib.contextmanager
def _marked(scope, reading):
    previous = getattr(_scope, 'reading', False)
    _scope.reading = reading
    try:
        with scope as db:
            yield db
    finally:
        _scope.reading = previous


# Engine settings taken from the option group of the database in question;
# enginefacade alone would read every one of them from [database].
_ENGINE_OPTIONS = ('max_retries', 'retry_interval', 'max_pool_size',
                   'max_overflow', 'pool_timeout', 'connection_recycle_time',
                   'connection_debug', 'mysql_sql_mode')


# Whether the DBAPI connection of a pool entry is known to be outside any
# transaction: set when a Connection ended its transaction with a commit
# or rollback that did not fail, cleared at every checkout, every begin
# and every error (key of the entry's ``info``).
_ENDED = 'migrator_transaction_ended'


class ReturnResetPlugin(sa.engine.CreateEnginePlugin):
    """A connection returned to the pool is rolled back only when it may
    still be in a transaction.

    SQLAlchemy's default (``reset_on_return='rollback'``) rolls back
    every returned connection whose transaction the Connection did not
    close itself. enginefacade ends each transaction with a commit or a
    rollback before it returns the connection, so that second ROLLBACK
    is one round trip more per checkout for nothing on MariaDB (psycopg2
    skips it when idle). The pool's own reset is switched off here (the
    public ``reset_on_return`` pool argument) and done by the public
    ``reset`` pool event instead: a rollback unless this checkout's
    transaction is known to have ended (``_ENDED``).
    """

    NAME = 'migrator_return_reset'

    def update_url(self, url):
        return url  # SQLAlchemy has already taken its "plugin" out

    def handle_pool_kwargs(self, pool_cls, pool_args):
        pool_args['reset_on_return'] = None

    def engine_created(self, engine):
        _pool_sqlite_file(engine)
        event.listen(engine.pool, 'checkout', _forget_ended)
        event.listen(engine.pool, 'reset', _reset_unless_ended)
        event.listen(engine, 'begin', _began)
        event.listen(engine, 'commit', _ending)
        event.listen(engine, 'rollback', _ending)
        event.listen(engine, 'handle_error', _failed)


sa_plugins.register(ReturnResetPlugin.NAME, __name__, 'ReturnResetPlugin')

# Idle connections an SQLite file engine keeps (more are opened when
# needed and closed when returned).
SQLITE_POOL_SIZE = 5


def _pool_sqlite_file(engine):
    """Keep an SQLite file's connections for the next transaction.

    oslo.db gives SQLite files a NullPool: a new connection per
    transaction, its PRAGMAs run and its schema parsed again, about
    0.5 ms each and two per request of the embedded default (a fifth of
    an ``os-migrateLive``'s CPU in migrator-all). A QueuePool keeps
    them; the URL asks the driver for connections any thread may use
    (``check_same_thread=false``, see ``_with_return_reset``), one
    thread at a time as the pool hands them out."""
    pool = engine.pool
    if engine.dialect.name != 'sqlite' or \
            not isinstance(pool, sa.pool.NullPool) or \
            not _is_sqlite_file(engine.url):
        return
    engine.pool = sa.pool.QueuePool(
        pool._creator, pool_size=SQLITE_POOL_SIZE, max_overflow=-1,
        recycle=pool._recycle, echo=pool.echo,
        logging_name=pool._orig_logging_name, reset_on_return=None,
        _dispatch=pool.dispatch, dialect=pool._dialect)


def _forget_ended(dbapi_connection, connection_record, connection_proxy):
    # A raw checkout (engine.raw_connection) sees no Connection events.
    connection_record.info.pop(_ENDED, None)


def _began(connection):
    connection.info.pop(_ENDED, None)


def _ending(connection):
    # Before the DBAPI commit/rollback: a failing one goes through
    # handle_error (_failed), which takes the mark away again.
    connection.info[_ENDED] = True


def _failed(context):
    conn = context.connection
    if conn is not None and not conn.closed and not conn.invalidated:
        conn.info.pop(_ENDED, None)


def _reset_unless_ended(dbapi_connection, connection_record, reset_state):
    if reset_state.terminate_only or not reset_state.asyncio_safe:
        return
    if reset_state.transaction_was_reset:
        # The Connection rolled its transaction back on close.
        return
    if connection_record.info.pop(_ENDED, False):
        return
    dbapi_connection.rollback()


def _with_return_reset(connection):
    url = sa_url.make_url(connection)
    query = {'plugin': ReturnResetPlugin.NAME}
    if _is_sqlite_file(url):
        # Pooled (_pool_sqlite_file): a connection may serve another
        # thread than the one that opened it.
        query['check_same_thread'] = 'false'
    return url.update_query_dict(query, append=True).render_as_string(
        hide_password=False)


def _is_sqlite_file(url):
    url = sa_url.make_url(url)
    return url.get_backend_name() == 'sqlite' and \
        url.database not in (None, '', ':memory:')


def _new_manager(connection, group=None):
    if not connection:
        raise exception.ConfigurationError(
            reason='no database connection is configured')
    connection = _with_return_reset(connection)
    manager = enginefacade.transaction_context()
    options = {name: getattr(group, name) for name in _ENGINE_OPTIONS
               if group is not None and hasattr(group, name)}
    # thread_checkin: oslo.db's time.sleep(0) on each connection checkin
    # is for eventlet; with OS threads it only hands the GIL round once
    # more per transaction, which under load is a wait of its own.
    manager.configure(connection=connection, sqlite_fk=True,
                      thread_checkin=False, **options)
    return manager


def api_manager():
    global _api_manager
    with _lock:
        if _api_manager is None:
            if not CONF.api_database.connection:
                raise exception.ConfigurationError(
                    reason='[api_database] connection is not set')
            _api_manager = _new_manager(CONF.api_database.connection,
                                        CONF.api_database)
        return _api_manager


def main_manager(connection=None):
    """The manager of one cell database (default: [database] connection)."""
    connection = connection or CONF.database.connection
    if not connection:
        raise exception.ConfigurationError(
            reason='[database] connection is not set')
    with _lock:
        manager = _main_managers.get(connection)
        if manager is None:
            # Every cell database takes the retry settings of [database].
            manager = _main_managers[connection] = _new_manager(
                connection, CONF.database)
        return manager


def cell_connection(context, cell_uuid):
    url = _cell_connections.get(cell_uuid)
    if url is None:
        with api_manager().reader.using(context) as session:
            cell = session.scalars(sa.select(api_models.CellMapping).where(
                api_models.CellMapping.uuid == cell_uuid)).first()
            if cell is None:
                raise exception.CellMappingNotFound(uuid=cell_uuid)
            url = cell.database_connection
        _cell_connections[cell_uuid] = url
    return url


def _manager_for(context):
    cell_uuid = getattr(context, 'cell_uuid', None)
    if cell_uuid is None:
        return main_manager()
    return main_manager(cell_connection(context, cell_uuid))


def api_reader(context):
    return _marked(api_manager().reader.using(context), True)


def api_writer(context):
    return _marked(api_manager().writer.using(context), False)


def reader(context):
    return _marked(_manager_for(context).reader.using(context), True)


def writer(context):
    return _marked(_manager_for(context).writer.using(context), False)


def engine_for(connection):
    """A plain engine, for schema work (sync, version)."""
    return main_manager(connection).writer.get_engine()


def api_engine():
    return api_manager().writer.get_engine()


def reset():
    """Forget every engine (tests, and services re-reading config)."""
    global _api_manager
    with _lock:
        for manager in list(_main_managers.values()) + [_api_manager]:
            if manager is not None:
                try:
                    manager.writer.get_engine().dispose()
                except Exception:  # noqa: S110 - never started
                    pass
        _api_manager = None
        _main_managers.clear()
        _cell_connections.clear()
