"""The policy matrix over HTTP with auth_strategy = keystone (issue 13):
keystonemiddleware's auth_token validates real-looking Keystone v3 tokens
(its AuthTokenFixture stands in for the identity service), and each
persona gets the status Nova and Cinder give, and no admin-only field.

Personas are those of migrator.tests.unit.test_policy_matrix: admin
(``A``), manager (``M``), member (``m``) and reader (``r``) of the
owning project p1, a member of another project (``o``), a service token
(``S``) and no token (``N``).
"""
from keystonemiddleware import auth_token
from keystonemiddleware import fixture as ks_fixture
from oslo_config import cfg
from oslo_serialization import jsonutils
from oslo_utils import uuidutils
import webob

from migrator.api.volume import app as volume_app
from migrator.tests.functional.api import test_migrations_api as base
from migrator.tests.unit import test_policy_matrix as matrix

CONF = cfg.CONF
CODES = 'AMmroSN'
HOST_FIELDS = {'source_compute', 'dest_compute', 'source_node',
               'dest_node', 'dest_host'}


class TestPolicyOverHTTP(base.MigrationsAPITestBase):

    def setUp(self):
        super().setUp()
        self.api.conf.config(auth_strategy='keystone', group='api')
        for group, opts in auth_token.list_opts():
            CONF.register_opts(opts, group=group)
        self.api.conf.config(www_authenticate_uri='http://keystone/v3',
                             group='keystone_authtoken')
        tokens = self.useFixture(ks_fixture.AuthTokenFixture())
        self.tokens = {}
        for code, (user, project, roles) in matrix.PERSONAS.items():
            if code == 'N':
                continue
            token_id = uuidutils.generate_uuid(dashed=False)
            tokens.add_token_data(token_id=token_id, user_id=user,
                                  project_id=project, role_list=roles)
            self.tokens[code] = token_id
        self.app = self.api.app()
        self.volume = volume_app.make_app(CONF)
        self.inst = self.server(project='p1', user='alice')
        self.mig = self.migration(instance_uuid=self.inst.uuid,
                                  user_id='alice', project_id='p1')

    def call(self, code, path, method='GET', body=None, version='latest',
             app=None):
        service = 'volume' if path.startswith('/v3') else 'compute'
        headers = {'OpenStack-API-Version': '%s %s' % (service, version)}
        if code != 'N':
            headers['X-Auth-Token'] = self.tokens[code]
        req = webob.Request.blank(path, method=method, headers=headers)
        if body is not None:
            req.body = jsonutils.dump_as_bytes(body)
            req.content_type = 'application/json'
        app = app or (self.volume if service == 'volume' else self.app)
        resp = req.get_response(app)
        return resp.status_int, (resp.json if resp.body else None)

    def check(self, path, expected, **kwargs):
        """``expected``: one status per persona, in CODES order."""
        got = []
        for code in CODES:
            status, body = self.call(code, path, **kwargs)
            got.append(status)
            if status >= 400:
                self.assertEqual(1, len(body), (path, code, body))
        self.assertEqual(list(expected), got, path)

    def test_reads(self):
        server = '/v2.1/servers/%s' % self.inst.uuid
        # Another project's server is a 404, as Nova's project-scoped
        # lookup answers (gabbits/other-project-server.yaml).
        ok, no, gone, anon = 200, 403, 404, 401
        for path, expected in (
                ('/v2.1/flavors', [ok] * 6 + [anon]),
                ('/v2.1/servers', [ok, ok, ok, ok, ok, no, anon]),
                (server, [ok, ok, ok, ok, gone, gone, anon]),
                (server + '/os-instance-actions',
                 [ok, ok, ok, ok, gone, gone, anon]),
                (server + '/migrations',
                 [ok, ok, no, no, gone, gone, anon]),
                (server + '/migrations/%d' % self.mig.id,
                 [ok, no, no, no, gone, gone, anon]),
                # A manager lists its own project's migrations only (2.80
                # project_id), as in Nova.
                ('/v2.1/os-migrations', [ok, no, no, no, no, no, anon]),
                ('/v2.1/os-migrations?project_id=p1',
                 [ok, ok, no, no, no, no, anon]),
                ('/v2.1/os-services', [ok, no, no, no, no, no, anon]),
                ('/v2.1/os-hypervisors', [ok, no, no, no, no, no, anon]),
                ('/v3/volumes', [ok, ok, ok, ok, ok, no, anon]),
                ('/v3/os-services', [ok, no, no, no, no, no, anon])):
            self.check(path, expected)

    def test_refused_writes(self):
        server = '/v2.1/servers/%s' % self.inst.uuid
        no, gone, anon = 403, 404, 401
        flavor = {'flavor': {'name': 'f', 'ram': 1, 'vcpus': 1, 'disk': 1}}
        live = {'os-migrateLive': {'block_migration': 'auto',
                                   'host': None}}
        for path, method, body, expected in (
                ('/v2.1/flavors', 'POST', flavor,
                 {'M': no, 'm': no, 'r': no, 'o': no, 'S': no,
                  'N': anon}),
                (server + '/action', 'POST', live,
                 {'m': no, 'r': no, 'o': gone, 'S': gone, 'N': anon}),
                (server + '/action', 'POST', {'migrate': None},
                 {'m': no, 'r': no, 'o': gone, 'S': gone, 'N': anon}),
                (server + '/migrations/%d' % self.mig.id, 'DELETE', None,
                 {'m': no, 'r': no, 'o': gone, 'N': anon}),
                (server, 'DELETE', None,
                 {'r': no, 'o': gone, 'S': gone, 'N': anon}),
                ('/v3/volumes/%s/action' % self.inst.uuid, 'POST',
                 {'os-migrate_volume': {'host': 'h@b#p'}},
                 {'M': no, 'm': no, 'r': no, 'o': no, 'S': no,
                  'N': anon})):
            for code, status in expected.items():
                got, _ = self.call(code, path, method=method, body=body)
                self.assertEqual(status, got, (method, path, code))
        # Nothing was done.
        status, body = self.call('A', server)
        self.assertEqual(200, status)
        self.assertEqual(200, self.call('A', server + '/migrations/%d'
                                        % self.mig.id)[0])

    def _hosts(self, entry):
        return {k: entry[k] for k in HOST_FIELDS if entry.get(k)}

    def test_admin_only_fields(self):
        # Host fields carry no value for anyone but admins (Nova's: the
        # keys stay, null).
        path = '/v2.1/servers/%s/migrations' % self.inst.uuid
        _, body = self.call('A', path)
        self.assertEqual(HOST_FIELDS, set(self._hosts(body['migrations'][0])))
        _, body = self.call('M', path)
        self.assertEqual({}, self._hosts(body['migrations'][0]))
        _, body = self.call('A', '/v2.1/os-migrations')
        self.assertEqual(HOST_FIELDS, set(self._hosts(body['migrations'][0])))
        _, body = self.call('M', '/v2.1/os-migrations?project_id=p1')
        self.assertEqual(1, len(body['migrations']))
        self.assertEqual({}, self._hosts(body['migrations'][0]))
        _, body = self.call('r', '/v2.1/servers/%s' % self.inst.uuid)
        # From 2.90 the hostname is the user's and shown to all, as in
        # Nova; the host attributes are not.
        self.assertEqual(['OS-EXT-SRV-ATTR:hostname'],
                         [k for k in body['server']
                          if k.startswith('OS-EXT-SRV-ATTR:')])
        _, body = self.call('A', '/v2.1/servers/%s' % self.inst.uuid)
        self.assertIn('OS-EXT-SRV-ATTR:host', body['server'])
