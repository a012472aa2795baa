"""Fuzzing both APIs with schemathesis against their own OpenAPI
description (``GET /openapi.json``), in process, with a fixed seed: for
every operation, requests that follow the description and requests that
break it. Required: no 5xx, every 4xx in Nova's (or Cinder's) error
body, and every 2xx body as the description's response schema says
(schemathesis' response_schema_conformance; the app itself also checks
each answer against its handler's schema, see APIFixture).
``MIGRATOR_FUZZ_EXAMPLES`` (default 8) is the number of examples per
operation and mode; tools/fuzz-api.sh runs the larger run against a
running migrator-all over HTTP."""
import json
import os

from hypothesis import errors
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from oslo_config import cfg
import schemathesis
from schemathesis.core import failures
from schemathesis import openapi as st_openapi
from schemathesis.specs.openapi import checks
import testtools
import testtools.content

import migrator
from migrator.api.volume import app as volume_app
from migrator.tests.functional.api import fixtures as api_fixtures

CONF = cfg.CONF
EXAMPLES = int(os.environ.get('MIGRATOR_FUZZ_EXAMPLES', '8'))
TOKENS = ('admin:admin', 'alice:project-a')


class _Fuzz(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())

    def fuzz(self, app, served):
        schema = st_openapi.from_wsgi('/openapi.json', app)
        failures = []
        count = [0]
        self.unsatisfiable = []
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (schemathesis.GenerationMode.POSITIVE,
                         schemathesis.GenerationMode.NEGATIVE):
                self._fuzz_operation(operation, mode, failures, count)
        self.addDetail('requests', testtools.content.text_content(
            '%d requests; nothing generated for: %s'
            % (count[0], ', '.join(self.unsatisfiable) or '-')))
        if os.environ.get("MIGRATOR_FUZZ_VERBOSE"):
            print(count[0], self.unsatisfiable)
        self.assertEqual([], failures[:20])
        self.assertGreater(count[0], served)

    def _fuzz_operation(self, operation, mode, failures, count):
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception:
            # No negative data exists for some operations (nothing to
            # break): schemathesis says so by raising.
            return

        @settings(max_examples=EXAMPLES, derandomize=True, database=None,
                  deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            for token in TOKENS:
                headers = dict(case.headers or {})
                headers.setdefault('X-Auth-Token', token)
                response = case.call(headers=headers)
                count[0] += 1
                problem = self._problem(response) or \
                    self._nonconforming(case, response)
                if problem:
                    failures.append('%s %s (%s): %s\n  body: %r' % (
                        case.method, case.formatted_path, mode.value,
                        problem, case.body))
        try:
            run()
        except errors.Unsatisfiable:
            # Nothing to generate in this mode (no parameters or body to
            # break in a negative run): the operation is covered by the
            # other mode.
            self.unsatisfiable.append('%s %s' % (operation.label,
                                                 mode.value))

    @staticmethod
    def _nonconforming(case, response):
        """What is wrong with a 2xx body, by the description's response
        schema (schemathesis' response_schema_conformance), or None."""
        if not 200 <= response.status_code < 300:
            return None
        try:
            case.validate_response(
                response, checks=[checks.response_schema_conformance])
        except (Exception, failures.FailureGroup) as exc:
            # FailureGroup is a BaseExceptionGroup.
            return '%d does not conform: %s' % (
                response.status_code,
                '; '.join(getattr(e, 'message', None) or str(e)
                          for e in getattr(exc, 'exceptions', [exc]))[:600])
        return None

    @staticmethod
    def _problem(response):
        status = response.status_code
        if status >= 500:
            return '%d %s' % (status, response.text[:300])
        if 400 <= status < 500 and response.request.method != 'HEAD':
            try:
                body = json.loads(response.text)
            except ValueError:
                return '%d without a JSON body' % status
            if not (isinstance(body, dict) and len(body) == 1):
                return '%d body is not a fault: %r' % (status, body)
            fault = next(iter(body.values()))
            if not isinstance(fault, dict) or fault.get('code') != status \
                    or not fault.get('message'):
                return '%d fault without code/message: %r' % (status, body)
        return None


class TestFuzzCompute(_Fuzz):

    def test_no_5xx_and_nova_faults(self):
        self.fuzz(self.api.app(), 100)


class TestFuzzBlockStorage(_Fuzz):

    def test_no_5xx_and_cinder_faults(self):
        self.fuzz(volume_app.make_app(CONF), 50)


class TestServed(testtools.TestCase):
    """``GET /openapi.json`` (no token) answers the description in
    doc/api/ on both APIs."""

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture())

    def test_served_description_is_the_documented_one(self):
        import webob
        root = os.path.dirname(os.path.abspath(migrator.__file__))
        for app, filename in ((self.api.app(), 'compute.json'),
                              (volume_app.make_app(CONF),
                               'block-storage.json')):
            resp = webob.Request.blank('/openapi.json').get_response(app)
            self.assertEqual(200, resp.status_int)
            self.assertEqual('application/json', resp.content_type)
            with open(os.path.join(os.path.dirname(root), 'doc', 'api',
                                   filename)) as f:
                self.assertEqual(json.load(f), resp.json)
