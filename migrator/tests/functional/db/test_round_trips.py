"""What one ``GET /servers/{id}`` and one 2.34 live-migrate accept send
to MariaDB and to PostgreSQL, command by command (issue 14: round trips
to the database were most of their time).

Each request checks out one connection per database it reads, runs its
statements in one transaction there and ends it; the connection goes
back to the pool without a second ROLLBACK.
"""
import json
import os

import webob

from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.functional.api import control_plane_api
from migrator.tests.functional.db import round_trips

TOKEN = 'admin:admin'


class _RoundTrips:
    BACKEND = None

    def setUp(self):
        super().setUp()
        dbs = {}
        for schema in ('api', 'main'):
            dbs[schema] = self.useFixture(migrator_fixtures.TempDatabase(
                self.BACKEND, prefix='migrator_rt_%s' % schema)).url
        self.useFixture(migrator_fixtures.Database(
            connection=dbs['main'], api_connection=dbs['api']))
        self.counter = self.useFixture(round_trips.RoundTrips(self.BACKEND))
        self.api = self.useFixture(control_plane_api.ControlPlaneAPI(
            config={'database': {'connection': dbs['main']},
                    'api_database': {'connection': dbs['api']}}))
        self.plane = self.api.plane
        self.app = self.api.app()

    def request(self, path, method='GET', body=None, version='2.1'):
        req = webob.Request.blank(
            '/v2.1' + path, method=method,
            headers={'X-Auth-Token': TOKEN,
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': 'compute %s' % version})
        if body is not None:
            req.body = json.dumps(body).encode()
        self.counter.reset()
        resp = req.get_response(self.app)
        # The request's own thread and the cell workers it hands reads
        # to, not the services' threads.
        commands = [c for c in self.counter.commands
                    if c[2].name == 'MainThread' or
                    c[2].name.startswith('cell-worker')]
        if os.environ.get('MIGRATOR_SHOW_ROUND_TRIPS'):
            print('\n%s %s %s: %d round trips' % (
                self.BACKEND, method, path, len(commands)))
            for kind, text, thread in commands:
                print('   %s %s %s' % (thread.name, kind,
                                       ' '.join(text.split())[:70]))
        return resp, commands

    def test_get_server(self):
        # Warm: the cell's database URL is looked up once per process.
        warm = self.plane.boot('m1.tiny', host='compute1')
        self.request('/servers/%s' % warm.uuid)
        inst = self.plane.boot('m1.tiny', host='compute1')
        for _ in range(2):
            # The first GET reads the server's mapping, the next ones
            # know its cell.
            resp, commands = self.request('/servers/%s' % inst.uuid)
            self.assertEqual(200, resp.status_int, resp.text)
            self._check(commands)

    def test_get_server_host_status(self):
        inst = self.plane.boot('m1.tiny', host='compute1')
        self.request('/servers/%s' % inst.uuid, version='2.16')
        resp, commands = self.request('/servers/%s' % inst.uuid,
                                      version='2.16')
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertEqual('UP', resp.json['server']['host_status'])
        # The host's status read a moment ago is taken from memory.
        self.assertEqual([], [text for text in self._check(commands)
                              if 'FROM services' in text], commands)

    def test_live_migrate_accept(self):
        # Warm: an accept before (the cell's transport URL is looked up
        # once per process), then the one counted.
        for counted in (False, True):
            inst = self.plane.boot('m1.tiny', host='compute1')
            resp, commands = self.request(
                '/servers/%s/action' % inst.uuid, method='POST',
                body={'os-migrateLive': {'host': None,
                                         'block_migration': 'auto'}},
                version='2.34')
            self.assertEqual(202, resp.status_int, resp.text)
            self.plane.wait_for_migration(inst.uuid)
            self.plane.wait_for_task_cleared(inst.uuid)
        self._check(commands)

    def _check(self, commands):
        """Each transaction is ended once: no COMMIT or ROLLBACK follows
        another on one thread (the pool's reset rolled back again every
        connection enginefacade had just committed or rolled back)."""
        last = {}
        for kind, text, thread in commands:
            end = text.strip().upper() in ('COMMIT', 'ROLLBACK')
            self.assertFalse(end and last.get(thread), commands)
            last[thread] = end
        return [text for kind, text, thread in commands]


class TestRoundTripsMariaDB(_RoundTrips, base.TestCase):
    BACKEND = 'mysql'


class TestRoundTripsPostgreSQL(_RoundTrips, base.TestCase):
    BACKEND = 'postgresql'
