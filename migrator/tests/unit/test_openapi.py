"""The OpenAPI descriptions in doc/api/ are in step with the route tables
and request schemas they are generated from (tools/generate-openapi.py
rewrites them)."""
import json
import os
from unittest import mock

from jsonschema import validators
import testtools
import webob

from migrator.api.compute import routes as compute_routes
from migrator.api import microversion
from migrator.api import openapi
from migrator.api import validation
from migrator.api.volume import routes as volume_routes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
Draft202012 = validators.validator_for(
    {'$schema': 'https://json-schema.org/draft/2020-12/schema'})


class TestOpenAPI(testtools.TestCase):

    def _doc(self, name):
        with open(os.path.join(ROOT, 'doc', 'api',
                               openapi.FILES[name])) as f:
            return f.read()

    def test_files_are_in_step_with_the_code(self):
        for name in openapi.FILES:
            self.assertEqual(
                openapi.render(name), self._doc(name),
                'doc/api/%s is out of date: run tools/generate-openapi.py'
                % openapi.FILES[name])

    def test_every_served_operation_is_described(self):
        for name, routes in (('compute', compute_routes),
                             ('volume', volume_routes)):
            document = json.loads(self._doc(name))
            self.assertEqual('3.1.0', document['openapi'])
            described = {(path, method.upper())
                         for path, item in document['paths'].items()
                         for method in item}
            served = {(row.path, row.method) for row in routes.ROUTES}
            self.assertEqual(served, described)
            for row in routes.ROUTES:
                operation = document['paths'][row.path][row.method.lower()]
                schemas = validation.schemas_of(row.handler)
                kinds = {kind for kind, _, _, _ in schemas}
                if 'body' in kinds or hasattr(row.handler, 'actions'):
                    self.assertIn('requestBody', operation, row)
                # A query schema without properties only forbids parameters
                # (2.102's strict show), so there is nothing to describe.
                if any(kind == 'query' and schema.get('properties')
                       for kind, schema, _, _ in schemas):
                    self.assertTrue(
                        [p for p in operation['parameters']
                         if p['in'] == 'query'], row)
                self.assertIn('4XX', operation['responses'])

    def test_request_schemas_are_valid_json_schema_2020_12(self):
        for name in openapi.FILES:
            document = json.loads(self._doc(name))
            for item in document['paths'].values():
                for operation in item.values():
                    body = operation.get('requestBody')
                    if body:
                        Draft202012.check_schema(
                            body['content']['application/json']['schema'])
                    for param in operation.get('parameters', []):
                        Draft202012.check_schema(param['schema'])

    def test_bounds_reach_the_description(self):
        document = json.loads(self._doc('compute'))
        body = document['paths']['/v2.1/flavors']['post']['requestBody']
        text = json.dumps(body)
        self.assertIn('2147483647', text)
        self.assertNotIn('"exclusiveMinimum": true', text)

    def test_successful_answers_are_described(self):
        # Every operation but the description itself says what its 2xx
        # answers are (a body schema, or none), per status.
        for name in openapi.FILES:
            document = json.loads(self._doc(name))
            for path, item in document['paths'].items():
                for method, operation in item.items():
                    codes = set(operation['responses'])
                    if path == '/openapi.json':
                        self.assertIn('2XX', codes)
                        continue
                    self.assertNotIn('2XX', codes, (method, path))
                    # (Cinder's root version document answers 300.)
                    self.assertTrue([c for c in codes if c[0] in '23'],
                                    (method, path))
                    for code, answer in operation['responses'].items():
                        content = answer.get('content')
                        if content:
                            Draft202012.check_schema(
                                content['application/json']['schema'])

    def test_progress_object_is_described_from_2_106(self):
        document = json.loads(self._doc('compute'))
        show = document['paths'][
            '/v2.1/servers/{server_id}/migrations/{migration_id}']['get']
        variants = show['responses']['200']['content'][
            'application/json']['schema']['anyOf']
        by_low = {v['x-openstack-microversion'].get('min'): v
                  for v in variants}
        self.assertNotIn('progress', by_low['2.80']['properties'][
            'migration']['properties'])
        progress = by_low['2.106']['properties']['migration'][
            'properties']['progress']
        self.assertIn('percent', progress['required'])
        self.assertNotIn('max_downtime_ms', progress['properties'])
        self.assertIn('max_downtime_ms', by_low['2.107']['properties'][
            'migration']['properties']['progress']['required'])

    def test_links_follow_the_created_answer(self):
        document = json.loads(self._doc('compute'))
        create = document['paths']['/v2.1/servers']['post']
        self.assertIn('links', create['responses']['202'])


class TestCheckResponse(testtools.TestCase):
    """validation.check_response: what the functional tests apply to
    every answer."""

    def setUp(self):
        super().setUp()

        @validation.response({'type': 'object', 'required': ['a'],
                              'properties': {'a': {'type': 'integer'}},
                              'additionalProperties': False}, 200, '2.5')
        @validation.response(None, 204, None, '2.4')
        def handler(req):
            pass
        self.handler = handler

        def request(version):
            req = mock.Mock(method='GET', path='/x')
            req.api_version = microversion.version(version)
            return req
        self.request = request

    def answer(self, status, body=None):
        response = webob.Response(status=status)
        if body is not None:
            response.json = body
        else:
            response.body = b''
        return response

    def test_conforming_answers(self):
        validation.check_response(self.handler, self.request('2.5'),
                                  self.answer(200, {'a': 1}))
        validation.check_response(self.handler, self.request('2.4'),
                                  self.answer(204))
        # Errors are not a handler's answers to check.
        validation.check_response(self.handler, self.request('2.5'),
                                  self.answer(404, {'x': 'y'}))

    def test_nonconforming_answers(self):
        for version, response in (
                ('2.5', self.answer(200, {'a': 'one'})),
                ('2.5', self.answer(200, {'a': 1, 'b': 2})),
                # 204 is the answer below 2.5 only.
                ('2.5', self.answer(204)),
                ('2.4', self.answer(200, {'a': 1}))):
            self.assertRaises(validation.ResponseMismatch,
                              validation.check_response, self.handler,
                              self.request(version), response)
