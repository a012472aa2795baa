"""Counting what a request sends to the database server, for tests.

``RoundTrips(backend)`` records every command a client connection sends
once the fixture is set up: on MariaDB each PyMySQL command (a query, a
COMMIT or ROLLBACK, a ping), on PostgreSQL each psycopg2 ``execute`` and
each commit or rollback that psycopg2 sends (it sends none outside a
transaction). ``.commands`` lists them as ``(kind, text)``.
"""
import threading

import fixtures
import sqlalchemy as sa
from sqlalchemy import event


class RoundTrips(fixtures.Fixture):

    def __init__(self, backend):
        super().__init__()
        self.backend = backend
        self.commands = []
        self._lock = threading.Lock()

    def record(self, kind, text=''):
        with self._lock:
            self.commands.append((kind, text, threading.current_thread()))

    def reset(self):
        with self._lock:
            self.commands = []

    def _setUp(self):
        if self.backend == 'mysql':
            self._count_pymysql()
        else:
            self._count_psycopg2()

    def _count_pymysql(self):
        from pymysql import connections
        from pymysql import constants
        names = {constants.COMMAND.COM_QUERY: 'query',
                 constants.COMMAND.COM_PING: 'ping'}
        original = connections.Connection._execute_command
        fixture = self

        def counted(conn, command, sql):
            text = sql.decode() if isinstance(sql, bytes) else str(sql)
            fixture.record(names.get(command, str(command)), text)
            return original(conn, command, sql)
        self.useFixture(fixtures.MonkeyPatch(
            'pymysql.connections.Connection._execute_command', counted))

    def _count_psycopg2(self):
        import psycopg2.extensions as ext
        fixture = self

        class Cursor(ext.cursor):
            def execute(self, query, vars=None):
                fixture.record('query', str(query))
                return super().execute(query, vars)

        class Connection(ext.connection):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.cursor_factory = Cursor

            def _in_transaction(self):
                return (self.info.transaction_status !=
                        ext.TRANSACTION_STATUS_IDLE)

            def commit(self):
                if self._in_transaction():
                    fixture.record('query', 'COMMIT')
                return super().commit()

            def rollback(self):
                if self._in_transaction():
                    fixture.record('query', 'ROLLBACK')
                return super().rollback()

        def connect(dialect, record, cargs, cparams):
            if dialect.driver == 'psycopg2':
                cparams['connection_factory'] = Connection

        event.listen(sa.engine.Engine, 'do_connect', connect)
        self.addCleanup(event.remove, sa.engine.Engine, 'do_connect',
                        connect)
