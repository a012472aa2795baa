"""An API whose database is unreachable or missing answers at once with
a 503 in Nova's body, logged in one line, instead of holding the request
for oslo.db's retries and answering 500."""
import time

import fixtures
import webob

from migrator.api.compute import app as compute_app
from migrator.api import db_faults
from migrator.db import session
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures

UNREACHABLE = 'mysql+pymysql://root@127.0.0.1:9/migrator_api'
MISSING = 'mysql+pymysql://root@127.0.0.1:3306/migrator_no_such_database'


class TestDatabaseUnavailable(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())
        self.conf.config(auth_strategy='noauth2', group='api')
        self.conf.config(transport_url='fake:/')
        self.useFixture(migrator_fixtures.RPCFixture())
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='migrator.api', level='INFO'))
        session.reset()
        self.addCleanup(session.reset)

    def _get(self, connection, path='/v2.1/flavors'):
        self.conf.config(connection=connection, group='api_database')
        db_faults.set_api_defaults(self.conf.conf)
        app = compute_app.make_app(self.conf.conf)
        req = webob.Request.blank(path)
        req.headers['X-Auth-Token'] = 'admin:admin'
        start = time.monotonic()
        resp = req.get_response(app)
        return resp, time.monotonic() - start

    def _assert_503(self, connection):
        resp, took = self._get(connection)
        self.assertEqual(503, resp.status_int, resp.text)
        self.assertLess(took, 5)
        fault = resp.json['serviceUnavailable']
        self.assertEqual(503, fault['code'])
        self.assertIn('database', fault['message'])
        self.assertNotIn('Traceback', self.logs.output)
        lines = [line for line in self.logs.output.splitlines()
                 if 'database' in line.lower()]
        self.assertEqual(1, len(lines), self.logs.output)

    def test_unreachable_database_is_a_fast_503(self):
        self._assert_503(UNREACHABLE)

    def test_missing_database_is_a_503(self):
        # The server must be there for its missing database to be seen.
        self.useFixture(migrator_fixtures.TempDatabase('mysql'))
        self._assert_503(MISSING)


class TestHealthcheck(base.TestCase):

    def _get(self, app, accept='text/plain'):
        req = webob.Request.blank('/healthcheck')
        req.headers['Accept'] = accept
        return req.get_response(app)

    def test_healthy_with_its_database(self):
        from migrator.tests.functional.api import fixtures as api_fixtures
        api = self.useFixture(api_fixtures.APIFixture())
        resp = self._get(api.app())
        self.assertEqual((200, 'API database OK'),
                         (resp.status_int, resp.text))

    def test_unhealthy_without_its_database(self):
        conf = self.useFixture(migrator_fixtures.ConfFixture())
        conf.config(auth_strategy='noauth2', group='api')
        conf.config(connection=UNREACHABLE, group='api_database')
        db_faults.set_api_defaults(conf.conf)
        session.reset()
        self.addCleanup(session.reset)
        self.useFixture(migrator_fixtures.RPCFixture())
        app = compute_app.make_app(conf.conf)
        start = time.monotonic()
        resp = self._get(app, 'application/json')
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(503, resp.status_int)
        self.assertIn('API database unavailable', resp.text)
