"""migrator.db.session: what every database connection gets."""
import ssl

import testtools

from migrator.db import session


class FakeDialect:
    driver = 'pymysql'


class TestPyMySQLSharedSSLContext(testtools.TestCase):
    """A PyMySQL connection with no SSL option of its own takes the
    process's one "preferred SSL" context: building one per connection
    (ssl.create_default_context, every system CA loaded) cost tens of ms
    of CPU for each connection a pool opened."""

    def connect(self, **cparams):
        # defer_connect: the object is made (and its SSL context with
        # it), no server is needed.
        return session._pymysql_shared_ssl_context(
            FakeDialect(), None, (), dict(cparams, host='127.0.0.1',
                                          user='root', defer_connect=True))

    def test_connections_share_one_preferred_context(self):
        first = self.connect()
        second = self.connect()
        if not getattr(first, 'ssl', False):
            self.skipTest('this PyMySQL has no preferred-SSL default')
        self.assertIsInstance(first.ctx, ssl.SSLContext)
        self.assertIs(first.ctx, second.ctx)
        # Still "preferred": TLS only where the server offers it.
        self.assertFalse(first._ssl_required)
        self.assertEqual(ssl.CERT_NONE, first.ctx.verify_mode)

    def test_explicit_ssl_options_get_their_own_context(self):
        shared = self.connect()
        own = self.connect(ssl={'verify_mode': 'none',
                                'check_hostname': False})
        self.assertTrue(own._ssl_required)
        self.assertIsNot(getattr(shared, 'ctx', None), own.ctx)

    def test_ssl_disabled_has_none(self):
        conn = self.connect(ssl_disabled=True)
        self.assertFalse(conn.ssl)

    def test_other_drivers_are_left_alone(self):
        class Sqlite:
            driver = 'pysqlite'
        self.assertIsNone(session._pymysql_shared_ssl_context(
            Sqlite(), None, (), {}))


class TestRollbackOnReturn(testtools.TestCase):
    """A connection goes back to the pool without a second ROLLBACK when
    its transaction was ended, and is rolled back when it may still be in
    one (issue 14: the extra ROLLBACK was a round trip per checkout on
    MariaDB)."""

    def setUp(self):
        super().setUp()
        import sqlite3

        import fixtures
        import sqlalchemy as sa
        from sqlalchemy import event

        from migrator.tests import fixtures as migrator_fixtures
        self.useFixture(migrator_fixtures.ConfFixture())
        self.sa = sa
        self.rollbacks = rollbacks = []

        class Counting(sqlite3.Connection):
            def rollback(self):
                rollbacks.append(self.in_transaction)
                return super().rollback()

        def connect(dialect, record, cargs, cparams):
            if dialect.name == 'sqlite':
                cparams['factory'] = Counting
        event.listen(sa.engine.Engine, 'do_connect', connect)
        self.addCleanup(event.remove, sa.engine.Engine, 'do_connect',
                        connect)
        path = self.useFixture(fixtures.TempDir()).path
        session.reset()
        self.addCleanup(session.reset)
        self.manager = session.main_manager('sqlite:///%s/db.sqlite' % path)
        self.engine = self.manager.writer.get_engine()
        with self.engine.begin() as conn:
            conn.exec_driver_sql('CREATE TABLE t (x INTEGER)')
        del self.rollbacks[:]

    def context(self):
        from migrator import context
        return context.get_admin_context()

    def test_reader_rolls_back_once(self):
        with self.manager.reader.using(self.context()) as db:
            db.execute(self.sa.text('SELECT x FROM t')).all()
        # enginefacade's own rollback; none more on return.
        self.assertEqual(1, len(self.rollbacks))

    def test_writer_commits_and_is_not_rolled_back(self):
        with self.manager.writer.using(self.context()) as db:
            db.execute(self.sa.text('INSERT INTO t VALUES (1)'))
        self.assertEqual([], self.rollbacks)

    def test_connection_returned_mid_transaction_is_rolled_back(self):
        with self.engine.connect() as conn:
            conn.exec_driver_sql('INSERT INTO t VALUES (1)')
        self.assertEqual([True], self.rollbacks)
        with self.engine.connect() as conn:
            self.assertEqual(0, conn.exec_driver_sql(
                'SELECT count(*) FROM t').scalar())

    def test_raw_connection_after_an_ended_transaction_is_rolled_back(self):
        with self.manager.writer.using(self.context()) as db:
            db.execute(self.sa.text('INSERT INTO t VALUES (1)'))
        # The same pooled connection, used without a Connection.
        raw = self.engine.raw_connection()
        raw.cursor().execute('BEGIN')
        raw.cursor().execute('INSERT INTO t VALUES (2)')
        raw.close()
        self.assertEqual([True], self.rollbacks)
        with self.engine.connect() as conn:
            self.assertEqual(1, conn.exec_driver_sql(
                'SELECT count(*) FROM t').scalar())


class TestSQLiteFilePool(testtools.TestCase):
    """An SQLite file's connections are kept for the next transaction,
    whichever thread runs it (oslo.db's NullPool opened one per
    transaction: about 0.5 ms each, two per request in migrator-all)."""

    def setUp(self):
        super().setUp()
        import fixtures
        from sqlalchemy import event

        from migrator import context
        from migrator.tests import fixtures as migrator_fixtures
        self.useFixture(migrator_fixtures.ConfFixture())
        path = self.useFixture(fixtures.TempDir()).path
        session.reset()
        self.addCleanup(session.reset)
        self.manager = session.main_manager('sqlite:///%s/db.sqlite' % path)
        self.engine = self.manager.writer.get_engine()
        self.connects = []
        event.listen(self.engine, 'connect',
                     lambda *args: self.connects.append(1))
        self.ctxt = context.get_admin_context()

    def _write(self, value):
        import sqlalchemy as sa
        with self.manager.writer.using(self.ctxt) as db:
            db.execute(sa.text('CREATE TABLE IF NOT EXISTS t (x INTEGER)'))
            db.execute(sa.text('INSERT INTO t VALUES (:x)'), {'x': value})

    def test_transactions_of_several_threads_share_one_connection(self):
        import threading
        self._write(1)
        for value in (2, 3):
            thread = threading.Thread(target=self._write, args=(value,))
            thread.start()
            thread.join()
        # At most one new connection (oslo.db opens one as it creates
        # the engine, and the pool keeps it): three with NullPool.
        self.assertLessEqual(len(self.connects), 1)
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql('SELECT x FROM t ORDER BY x')
            self.assertEqual([1, 2, 3], [row[0] for row in rows])

    def test_memory_and_server_databases_keep_their_pools(self):
        for url in ('sqlite://', 'mysql+pymysql://u@h/db'):
            self.assertNotIn('check_same_thread',
                             session._with_return_reset(url))
