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
