"""The OpenAPI descriptions in doc/api/ are in step with the route tables
and request schemas they are generated from (tools/generate-openapi.py
rewrites them)."""
import json
import os

from jsonschema import validators
import testtools

from migrator.api.compute import routes as compute_routes
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
