"""Which database errors the API answers 503 (the database is
unavailable) rather than 500."""
from oslo_db import exception as db_exc
from sqlalchemy import exc as sa_exc
import testtools

from migrator.api import db_faults


class _PgError(Exception):
    def __init__(self, message, pgcode=None):
        super().__init__(message)
        self.pgcode = pgcode


def _operational(orig):
    return sa_exc.OperationalError('SELECT 1', {}, orig)


class TestIsUnavailable(testtools.TestCase):

    def test_translated_connection_errors(self):
        self.assertTrue(db_faults.is_unavailable(
            db_exc.DBConnectionError()))
        self.assertTrue(db_faults.is_unavailable(
            db_exc.DBNonExistentDatabase('x')))

    def test_bare_postgresql_connection_refused(self):
        # What the pool raises, untranslated, once PostgreSQL restarted.
        self.assertTrue(db_faults.is_unavailable(_operational(_PgError(
            'connection to server at "127.0.0.1", port 5432 failed: '
            'Connection refused'))))

    def test_bare_mysql_lost_connection(self):
        self.assertTrue(db_faults.is_unavailable(_operational(
            Exception(2013, 'Lost connection to MySQL server'))))

    def test_full_server_refuses_a_connection(self):
        # MariaDB at max_connections, and PostgreSQL's equivalent: the
        # request gets a 503 to retry, not a 500.
        self.assertTrue(db_faults.is_unavailable(_operational(
            Exception(1040, 'Too many connections'))))
        self.assertTrue(db_faults.is_unavailable(_operational(_PgError(
            'sorry, too many clients already', '53300'))))

    def test_invalidated_connection(self):
        exc = sa_exc.DBAPIError('SELECT 1', {}, Exception('gone'),
                                connection_invalidated=True)
        self.assertTrue(db_faults.is_unavailable(exc))

    def test_server_errors_are_not_unavailability(self):
        self.assertFalse(db_faults.is_unavailable(_operational(_PgError(
            'canceling statement due to statement timeout', '57014'))))
        self.assertFalse(db_faults.is_unavailable(_operational(
            Exception(1205, 'Lock wait timeout exceeded'))))
        self.assertFalse(db_faults.is_unavailable(ValueError('x')))
