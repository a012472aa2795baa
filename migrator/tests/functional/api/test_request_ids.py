"""Every log line written while the API answers a request carries that
request's id and user (oslo.log reads them from the thread's current
context), never one left over from an earlier request on the thread; the
same id reaches the conductor in the RPC context."""
import logging

from oslo_context import context as oslo_context
import testtools
import webob

from migrator.tests.functional.api import fixtures as api_fixtures


class _ContextRecorder(logging.Handler):
    """What oslo.log would print for each record: the current context."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.seen = []

    def emit(self, record):
        ctx = oslo_context.get_current()
        self.seen.append((record.getMessage(),
                          getattr(ctx, 'request_id', None),
                          getattr(ctx, 'user_id', None)))


class TestRequestIds(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())
        self.app = self.api.app()
        self.recorder = _ContextRecorder()
        root = logging.getLogger('migrator')
        root.addHandler(self.recorder)
        self.addCleanup(root.removeHandler, self.recorder)
        old_level = root.level
        root.setLevel(logging.DEBUG)
        self.addCleanup(root.setLevel, old_level)
        # A context left on this thread by earlier work.
        oslo_context.RequestContext(request_id='req-stale',
                                    user_id='someone-else')

    def get(self, path, token, headers=None):
        req = webob.Request.blank('/v2.1' + path)
        req.headers['X-Auth-Token'] = token
        req.headers.update(headers or {})
        return req.get_response(self.app)

    def test_each_request_logs_its_own_id_and_user(self):
        for token, user in (('alice:p1', 'alice'), ('admin:admin', 'admin'),
                            ('bob:p2', 'bob')):
            del self.recorder.seen[:]
            resp = self.get('/flavors', token)
            self.assertEqual(200, resp.status_int)
            request_id = resp.headers['X-OpenStack-Request-Id']
            self.assertEqual(request_id,
                             resp.headers['X-Compute-Request-Id'])
            access = [s for s in self.recorder.seen
                      if '"GET /v2.1/flavors"' in s[0]]
            self.assertEqual(1, len(access), self.recorder.seen)
            self.assertEqual((request_id, user), access[0][1:])
        # Nothing is left on the thread for the next request's lines.
        self.assertIsNone(oslo_context.get_current())

    def test_global_request_id_is_kept(self):
        inbound = 'req-12345678-1234-1234-1234-123456789abc'
        resp = self.get('/flavors', 'alice:p1',
                        {'X-OpenStack-Request-Id': inbound})
        self.assertNotEqual(inbound,
                            resp.headers['X-OpenStack-Request-Id'])
