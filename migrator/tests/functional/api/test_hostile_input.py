"""Hostile input answered with a 4xx in Nova's (or Cinder's) body, never a
500 or a dropped connection (issue 13): deeply nested JSON, NaN, integers
beyond what the database columns hold, malformed microversion headers,
and bodies larger than allowed or shorter than their Content-Length."""
import contextlib
import importlib.util
import io
import json
import os
import socket
import threading

from oslo_config import cfg
import testtools
import webob

import migrator
from migrator.api import server as api_server
from migrator.api.volume import app as volume_app
from migrator.tests.functional.api import fixtures as api_fixtures

CONF = cfg.CONF
ADMIN = 'admin:admin'
SERVER = '7b8c2fde-6a2c-4b9e-9d0b-3f0c1f3f6b11'
FLAVOR = {'name': 'hostile', 'ram': 512, 'vcpus': 1, 'disk': 1}


class _Base(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())
        self.compute = self.api.app()
        self.volume = volume_app.make_app(CONF)

    def request(self, app, method, path, body=None, headers=None,
                raw=None):
        req = webob.Request.blank(path, method=method)
        req.headers['X-Auth-Token'] = ADMIN
        if raw is None and body is not None:
            raw = json.dumps(body)
        if raw is not None:
            req.body = raw.encode() if isinstance(raw, str) else raw
            req.content_type = 'application/json'
        req.headers.update(headers or {})
        return req.get_response(app)

    def assertFault(self, code, resp, name=None):
        self.assertEqual(code, resp.status_int, resp.text)
        body = resp.json
        # Nova and Cinder name a 406 fault computeFault (no name of its
        # own in their fault tables).
        name = name or {400: 'badRequest', 406: 'computeFault',
                        413: 'overLimit'}[code]
        self.assertEqual([name], list(body))
        self.assertEqual(code, body[name]['code'])
        self.assertTrue(body[name]['message'])
        return body[name]['message']


class TestNestedJSON(_Base):

    def test_array_nested_10000_deep_on_server_action(self):
        resp = self.request(self.compute, 'POST',
                            '/v2.1/servers/%s/action' % SERVER,
                            raw='[' * 10000 + ']' * 10000)
        self.assertIn('nested deeper', self.assertFault(400, resp))

    def test_object_nested_5000_deep_on_flavors(self):
        resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                            raw='{"a":' * 5000 + '1' + '}' * 5000)
        self.assertIn('nested deeper', self.assertFault(400, resp))

    def test_nesting_below_recursion_limit_but_above_max_depth(self):
        # 500 deep decodes without RecursionError; still refused.
        resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                            raw='{"flavor": %s1%s}' % ('[' * 500,
                                                       ']' * 500))
        self.assertIn('nested deeper', self.assertFault(400, resp))

    def test_nested_on_block_storage(self):
        for path in ('/v3/volumes', '/v3/admin/volumes',
                     '/v3/volumes/%s/action' % SERVER):
            resp = self.request(self.volume, 'POST', path,
                                raw='[' * 10000 + ']' * 10000)
            self.assertIn('nested deeper', self.assertFault(400, resp))

    def test_max_json_depth_is_configurable(self):
        self.api.conf.config(max_json_depth=2, group='api')
        resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                            body={'flavor': {'name': 'x', 'ram': [1]}})
        self.assertIn('nested deeper', self.assertFault(400, resp))

    def test_nan_and_infinity_are_not_json(self):
        for constant in ('NaN', 'Infinity', '-Infinity'):
            raw = ('{"flavor": {"name": "x", "ram": 1, "vcpus": 1, '
                   '"disk": 1, "rxtx_factor": %s}}' % constant)
            resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                                raw=raw)
            self.assertIn(constant, self.assertFault(400, resp))

    def test_integer_literal_of_5000_digits(self):
        raw = '{"flavor": {"name": "x", "ram": %s, "vcpus": 1, ' \
              '"disk": 1}}' % ('9' * 5000)
        resp = self.request(self.compute, 'POST', '/v2.1/flavors', raw=raw)
        self.assertFault(400, resp)


class TestIntegerBounds(_Base):

    def test_flavor_integers_beyond_the_columns(self):
        for field in ('ram', 'vcpus', 'disk', 'swap',
                      'OS-FLV-EXT-DATA:ephemeral'):
            for value in (2 ** 31, 2 ** 64, str(2 ** 31), str(2 ** 64)):
                flavor = dict(FLAVOR, **{field: value})
                resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                                    body={'flavor': flavor})
                message = self.assertFault(400, resp)
                self.assertIn(field, message)
        resp = self.request(self.compute, 'GET', '/v2.1/flavors/detail')
        self.assertNotIn('hostile', resp.text)

    def test_flavor_integers_at_the_bound_are_accepted(self):
        flavor = dict(FLAVOR, ram=2 ** 31 - 1, vcpus=str(2 ** 31 - 1),
                      disk=2 ** 31 - 1, swap=2 ** 31 - 1)
        resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                            body={'flavor': flavor})
        self.assertEqual(200, resp.status_int, resp.text)
        self.assertEqual(2 ** 31 - 1, resp.json['flavor']['ram'])

    def test_rxtx_factor_beyond_a_float_column(self):
        for value in (1e39, '1' * 40):
            flavor = dict(FLAVOR, rxtx_factor=value)
            resp = self.request(self.compute, 'POST', '/v2.1/flavors',
                                body={'flavor': flavor})
            self.assertIn('rxtx_factor', self.assertFault(400, resp))

    def test_extra_spec_number_longer_than_the_column(self):
        raw = '{"extra_specs": {"hw:x": %s}}' % ('9' * 300)
        resp = self.request(self.compute, 'POST',
                            '/v2.1/flavors/1/os-extra_specs', raw=raw)
        self.assertIn('hw:x', self.assertFault(400, resp))
        raw = '{"extra_specs": {"hw:x": %s}}' % ('9' * 254)
        resp = self.request(self.compute, 'POST',
                            '/v2.1/flavors/1/os-extra_specs', raw=raw)
        self.assertEqual(200, resp.status_int, resp.text)

    def test_server_counts_beyond_the_column(self):
        server = {'name': 's', 'flavorRef': '1', 'min_count': 2 ** 31}
        resp = self.request(self.compute, 'POST', '/v2.1/servers',
                            body={'server': server})
        self.assertIn('min_count', self.assertFault(400, resp))

    def test_volume_size_beyond_the_column(self):
        for value in (2 ** 31, str(2 ** 64)):
            resp = self.request(self.volume, 'POST', '/v3/volumes',
                                body={'volume': {'size': value}})
            self.assertIn('size', self.assertFault(400, resp))

    def test_huge_limit_in_query_is_capped(self):
        # Nova's: a limit above [api] max_limit is max_limit.
        for path in ('/v2.1/flavors?limit=%d' % 2 ** 64,
                     '/v2.1/os-migrations?limit=%d' % 2 ** 64,
                     '/v2.1/servers?limit=%d' % 2 ** 64):
            resp = self.request(self.compute, 'GET', path,
                                headers={'OpenStack-API-Version':
                                         'compute 2.80'})
            self.assertEqual(200, resp.status_int, resp.text)

    def test_huge_integer_filters(self):
        for name in ('minRam', 'minDisk'):
            resp = self.request(self.compute, 'GET',
                                '/v2.1/flavors?%s=%d' % (name, 2 ** 70))
            self.assertIn(name, self.assertFault(400, resp))
        for path in ('/v2.1/servers?power_state=%d' % 2 ** 70,
                     '/v2.1/servers/detail?power_state=%d' % 2 ** 70,
                     '/v2.1/os-services/%d' % 2 ** 70,
                     '/v2.1/os-hypervisors/%d' % 2 ** 70,
                     '/v2.1/servers/%s/migrations/%d' % (SERVER, 2 ** 70)):
            for method in ('GET', 'DELETE'):
                resp = self.request(self.compute, method, path,
                                    headers={'OpenStack-API-Version':
                                             'compute 2.52'})
                self.assertLess(resp.status_int, 500, (method, path))


class TestMicroversionHeader(_Base):

    def get(self, app, path, header, name='OpenStack-API-Version'):
        return self.request(app, 'GET', path, headers={name: header})

    def test_malformed_compute_headers_are_400(self):
        for header in ('', ' ', 'compute', 'compute 2.34 2.35',
                       'compute 2.0000000000000000000000000034',
                       'compute 2.034', 'compute +2.34', 'compute 2.34,',
                       'compute 2.34,compute 2.35',
                       'compute 2.34, COMPUTE 2.34'):
            resp = self.get(self.compute, '/v2.1/flavors', header)
            self.assertFault(400, resp)

    def test_unsupported_compute_versions_are_406(self):
        for header in ('compute 2.0', 'compute 2.999', 'compute 3.0'):
            resp = self.get(self.compute, '/v2.1/flavors', header)
            self.assertFault(406, resp)

    def test_other_services_in_the_header_are_ignored(self):
        resp = self.get(self.compute, '/v2.1/flavors', 'volume 3.50')
        self.assertEqual(200, resp.status_int)
        self.assertEqual('compute 2.1',
                         resp.headers['OpenStack-API-Version'])
        resp = self.get(self.compute, '/v2.1/flavors',
                        'volume 3.50, compute 2.34')
        self.assertEqual('compute 2.34',
                         resp.headers['OpenStack-API-Version'])

    def test_malformed_legacy_header_is_400(self):
        for header in ('', '2.0000000000000000000000000034', '2.34,2.35'):
            resp = self.get(self.compute, '/v2.1/flavors', header,
                            name='X-OpenStack-Nova-API-Version')
            self.assertFault(400, resp)

    def test_block_storage_headers(self):
        for header in ('', 'volume', 'volume 3.0000000000000000000000000034',
                       'volume 3.50,volume 3.51'):
            resp = self.get(self.volume, '/v3/volumes', header)
            self.assertFault(400, resp)
        resp = self.get(self.volume, '/v3/volumes', 'volume 3.99')
        self.assertFault(406, resp)
        resp = self.get(self.volume, '/v3/volumes', 'volume 3.50')
        self.assertEqual(200, resp.status_int)
        self.assertEqual('volume 3.50',
                         resp.headers['OpenStack-API-Version'])


class TestBodyLength(_Base):
    """Over a real socket: the answer arrives and the server keeps
    answering."""

    def setUp(self):
        super().setUp()
        self.api.conf.config(max_request_body_size=4096,
                             group='oslo_middleware')
        self.server = api_server.WSGIServer(self.api.app(), '127.0.0.1', 0,
                                            threads=2, timeout=1)
        self.server.start()
        self.addCleanup(self.server.stop)

    def send(self, head, body=b''):
        sock = socket.create_connection(('127.0.0.1', self.server.port))
        self.addCleanup(sock.close)
        # Generous: the server answers well before; this only stops a
        # broken server from hanging the test run.
        sock.settimeout(60)
        sock.sendall(head.replace('\n', '\r\n').encode() + b'\r\n' + body)
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b'\r\n\r\n')
        status = int(head.split(b' ', 2)[1])
        return status, json.loads(body)

    def _head(self, length, extra=''):
        return ('POST /v2.1/flavors HTTP/1.1\n'
                'Host: localhost\n'
                'X-Auth-Token: admin:admin\n'
                'Content-Type: application/json\n'
                'Connection: close\n'
                '%sContent-Length: %s\n' % (extra, length))

    def test_content_length_above_the_limit_is_413(self):
        status, body = self.send(self._head(999999999), b'{}')
        self.assertEqual(413, status)
        self.assertEqual(413, body['overLimit']['code'])
        self.assertIn('max_request_body_size',
                      body['overLimit']['message'])

    def test_content_length_larger_than_the_body_is_400(self):
        status, body = self.send(self._head(1000), b'{}')
        self.assertEqual(400, status)
        self.assertIn('not received in full',
                      body['badRequest']['message'])
        # The server still answers.
        status, body = self.send(
            'GET /v2.1/flavors HTTP/1.1\nHost: localhost\n'
            'X-Auth-Token: admin:admin\nConnection: close\n')
        self.assertEqual(200, status)
        self.assertIn('flavors', body)

    def test_chunked_body_above_the_limit_is_413(self):
        payload = json.dumps({'flavor': dict(FLAVOR, name='x' * 8000)})
        chunked = b'%x\r\n%s\r\n0\r\n\r\n' % (len(payload),
                                              payload.encode())
        head = ('POST /v2.1/flavors HTTP/1.1\nHost: localhost\n'
                'X-Auth-Token: admin:admin\n'
                'Content-Type: application/json\nConnection: close\n'
                'Transfer-Encoding: chunked\n')
        status, body = self.send(head, chunked)
        self.assertEqual(413, status)
        self.assertEqual(413, body['overLimit']['code'])


class TestHostileRequestsOverSockets(_Base):
    """tools/hostile-requests.py against both APIs on real sockets: an
    answer for each (never a dropped connection), no 5xx, Nova's body on
    each 4xx, and both APIs still answering while slow clients hold
    connections."""

    def setUp(self):
        super().setUp()
        self.servers = []
        for app in (self.api.app(), volume_app.make_app(CONF)):
            server = api_server.WSGIServer(app, '127.0.0.1', 0, threads=16,
                                           timeout=2,
                                           max_header_size=65536)
            server.start()
            self.addCleanup(server.stop)
            self.servers.append(server)

    def _tool(self):
        path = os.path.join(os.path.dirname(migrator.__file__), os.pardir,
                            'tools', 'hostile-requests.py')
        spec = importlib.util.spec_from_file_location('hostile', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_hostile_requests(self):
        tool = self._tool()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = tool.main(['hostile-requests'] +
                             [s.url for s in self.servers])
        self.assertEqual(0, code, out.getvalue())
        self.assertIn('0 failures', out.getvalue())

    def test_url_beyond_max_request_header_size_is_answered(self):
        tool = self._tool()
        status, _ = tool.raw(self.servers[0].url, 'GET',
                             '/v2.1/servers?name=' + 'x' * 100000)
        self.assertEqual(414, status)
        status, _ = tool.raw(self.servers[0].url, 'GET', '/v2.1/flavors')
        self.assertEqual(200, status)


class TestTricklingClients(_Base):
    """Clients that send their request head a byte at a time, each byte
    within the socket timeout, do not hold the worker threads: after the
    head deadline their connections are closed and others are served."""

    def setUp(self):
        super().setUp()
        self.server = api_server.WSGIServer(self.api.app(), '127.0.0.1', 0,
                                            threads=2, timeout=3,
                                            header_deadline=2)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.stop = threading.Event()
        self.addCleanup(self.stop.set)

    def _trickle(self):
        try:
            sock = socket.create_connection(('127.0.0.1',
                                             self.server.port))
            sock.sendall(b'GET /v2.1/flavors HTTP/1.1\r\n')
            while not self.stop.wait(1):
                sock.sendall(b'X')
        except OSError:
            return

    def test_trickling_clients_are_cut_off(self):
        threads = [threading.Thread(target=self._trickle, daemon=True)
                   for _ in range(4)]
        for t in threads:
            t.start()
        # The trickle goes on for a minute unless cut off; the request
        # below is answered long before (its own socket waits 45 s).
        sock = socket.create_connection(('127.0.0.1', self.server.port))
        self.addCleanup(sock.close)
        sock.settimeout(45)
        sock.sendall(b'GET /v2.1/flavors HTTP/1.1\r\nHost: x\r\n'
                     b'X-Auth-Token: admin:admin\r\nConnection: close\r\n'
                     b'\r\n')
        data = sock.recv(65536)
        self.assertTrue(data.startswith(b'HTTP/1.1 200'), data[:100])
