"""/dashboard on the compute API port: the page and its ES modules are
served from the package without a token; the JSON it polls and the
buttons' calls need an admin token like any API call. The page in a
browser: test_dashboard_browser."""
import os
import shutil
import subprocess

import testtools
import webob

from migrator.api import dashboard
from migrator.tests.functional.api import control_plane_api


class TestDashboard(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.app = self.useFixture(
            control_plane_api.ControlPlaneAPI()).app()

    def get(self, path, **headers):
        return webob.Request.blank(path, headers=headers).get_response(
            self.app)

    def test_page_and_modules_are_served_without_a_token(self):
        page = self.get('/dashboard')
        self.assertEqual(200, page.status_int)
        self.assertEqual('text/html', page.content_type)
        self.assertIn('<form id="login-form">', page.text)
        self.assertIn('src="/dashboard/app.js"', page.text)
        for name, kind in (('app.js', 'text/javascript'),
                           ('chart.js', 'text/javascript'),
                           ('dom.js', 'text/javascript'),
                           ('format.js', 'text/javascript'),
                           ('volumes.js', 'text/javascript'),
                           ('style.css', 'text/css')):
            resp = self.get('/dashboard/' + name)
            self.assertEqual(200, resp.status_int, name)
            self.assertEqual(kind, resp.content_type, name)
        self.assertIn("'compute 2.107'", self.get('/dashboard/app.js').text)

    def test_other_paths_are_404_and_data_needs_a_token(self):
        admin = {'X-Auth-Token': 'admin:admin'}
        # Only the listed assets are public; nothing else is served.
        self.assertEqual(401, self.get('/dashboard/secret.py').status_int)
        self.assertEqual(404, self.get('/dashboard/secret.py', **admin)
                         .status_int)
        self.assertEqual(404, self.get('/dashboard/..%2F__init__.py',
                                       **admin).status_int)
        self.assertEqual(401, self.get('/v2.1/os-migrations').status_int)
        self.assertEqual(403, self.get(
            '/v2.1/os-migrations', **{'X-Auth-Token': 'demo:demo'})
            .status_int)
        self.assertEqual(200, self.get(
            '/v2.1/os-migrations', **{'X-Auth-Token': 'admin:admin'})
            .status_int)

    @testtools.skipUnless(shutil.which('node'), 'node is not installed')
    def test_modules_parse(self):
        static = os.path.join(os.path.dirname(dashboard.__file__), 'static')
        for name in ('app.js', 'chart.js', 'dom.js', 'format.js',
                     'volumes.js'):
            subprocess.run(['node', '--check', os.path.join(static, name)],
                           check=True)
