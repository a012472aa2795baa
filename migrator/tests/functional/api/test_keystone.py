"""auth_strategy = keystone: keystonemiddleware's auth_token guards the
API; version documents stay open, anything else without a valid token
is a 401 naming the identity service; a token the identity service
vouches for (keystonemiddleware's AuthTokenFixture) acts as its user with
its roles. noauth2 is announced with a warning when an API is built."""
import logging

import fixtures
from keystonemiddleware import auth_token
from keystonemiddleware import fixture as ks_fixture
from oslo_config import cfg
import testtools
import webob

from migrator.api.volume import app as volume_app
from migrator.tests.functional.api import fixtures as api_fixtures

CONF = cfg.CONF


class TestKeystoneStrategy(testtools.TestCase):

    def setUp(self):
        super().setUp()
        fixture = self.useFixture(api_fixtures.APIFixture())
        self.fixture = fixture
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

    def test_a_valid_token_acts_as_its_user_and_an_invalid_one_is_401(self):
        tokens = self.useFixture(ks_fixture.AuthTokenFixture())
        tokens.add_token_data(token_id='good', user_id='alice',
                              project_id='p1', role_list=['member',
                                                          'reader'])
        app = self.fixture.app()
        req = webob.Request.blank('/v2.1/servers',
                                  headers={'X-Auth-Token': 'good'})
        self.assertEqual(200, req.get_response(app).status_int)
        req = webob.Request.blank('/v2.1/os-services',
                                  headers={'X-Auth-Token': 'good'})
        self.assertEqual(403, req.get_response(app).status_int)
        req = webob.Request.blank('/v2.1/servers',
                                  headers={'X-Auth-Token': 'forged'})
        response = req.get_response(app)
        self.assertEqual(401, response.status_int)
        self.assertEqual(401, response.json['unauthorized']['code'])

    def test_no_noauth2_warning_with_keystone(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='migrator.api.middleware', level=logging.WARNING))
        self.fixture.app()
        self.assertNotIn('noauth2', logger.output)


class TestNoAuth2Warning(testtools.TestCase):

    def test_noauth2_is_announced_at_start_up(self):
        fixture = self.useFixture(api_fixtures.APIFixture())
        logger = self.useFixture(fixtures.FakeLogger(
            name='migrator.api.middleware', level=logging.WARNING))
        fixture.app()
        volume_app.make_app(CONF)
        self.assertIn('The compute API runs with [api] auth_strategy = '
                      'noauth2', logger.output)
        self.assertIn('The block storage API runs with [api] '
                      'auth_strategy = noauth2', logger.output)
