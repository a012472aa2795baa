"""auth_strategy = keystone: keystonemiddleware's auth_token guards the
API; version documents stay open, anything else without a valid token
is a 401 naming the identity service."""
from keystonemiddleware import auth_token
from oslo_config import cfg
import testtools
import webob

from migrator.tests.functional.api import fixtures as api_fixtures

CONF = cfg.CONF


class TestKeystoneStrategy(testtools.TestCase):

    def setUp(self):
        super().setUp()
        fixture = self.useFixture(api_fixtures.APIFixture())
        fixture.conf.config(auth_strategy='keystone', group='api')
        for group, opts in auth_token.list_opts():
            CONF.register_opts(opts, group=group)
        fixture.conf.config(www_authenticate_uri='http://keystone/v3',
                            group='keystone_authtoken')
        self.app = fixture.app()

    def test_version_documents_need_no_token(self):
        for path in ('/', '/v2.1'):
            response = webob.Request.blank(path).get_response(self.app)
            self.assertEqual(200, response.status_int, path)

    def test_no_token_is_401(self):
        response = webob.Request.blank('/v2.1/servers').get_response(
            self.app)
        self.assertEqual(401, response.status_int)
        self.assertEqual(401, response.json['unauthorized']['code'])
        self.assertIn('http://keystone/v3',
                      response.headers['WWW-Authenticate'])

    def test_identity_document_is_noauth2_only(self):
        response = webob.Request.blank('/identity/v3').get_response(
            self.app)
        self.assertEqual(404, response.status_int)
