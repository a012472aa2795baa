"""An OpenAPI 3.1 description of an API surface, generated from its route
table and the JSON schemas its handlers validate requests with.

Nothing is written by hand: every served (method, path) of the route
table is an operation; its microversion range is ``x-openstack-
microversion``; its request body is the schema of each microversion range
(``anyOf`` with ``x-openstack-microversion`` on each when the shape
changes; for ``.../action`` URLs, one schema per action); its query
parameters are the union of its query schemas. Every operation may answer
an error in Nova's (or Cinder's) body, which is described. The successful
answers are those the handler declares with ``validation.response`` (the
response schemas kept next to the request schemas), per status and
microversion range; an operation that declares none has a generic
``2XX``.

``GET /openapi.json`` serves the description (``handler``);
``tools/generate-openapi.py`` writes it to ``doc/api/`` and a test keeps
the two in step.
"""
import copy
import importlib
import json
import re

from migrator.api import microversion
from migrator.api import validation
from migrator.api import wsgi

OPENAPI_VERSION = '3.1.0'
_PARAM = re.compile(r'{([^}]+)}')

FAULT_SCHEMA = {
    'type': 'object',
    'description': "An error in Nova's body: one key naming the kind of "
                   "error (badRequest, itemNotFound, ...).",
    'minProperties': 1,
    'maxProperties': 1,
    'additionalProperties': {
        'type': 'object',
        'properties': {'code': {'type': 'integer'},
                       'message': {'type': 'string'}},
        'required': ['code', 'message'],
    },
}

SURFACES = {
    'compute': ('migrator.api.compute.routes',
                'migrator.api.compute.api_version',
                'migrator compute API (Nova-compatible)'),
    'volume': ('migrator.api.volume.routes',
               'migrator.api.volume.api_version',
               'migrator block storage API (Cinder-compatible)'),
}


def _range(low, high):
    value = {}
    if low is not None:
        value['min'] = str(low)
    if high is not None:
        value['max'] = str(high)
    return value


def _to_2020(schema):
    """A draft-04 schema as JSON Schema 2020-12 (OpenAPI 3.1): boolean
    ``exclusiveMinimum``/``exclusiveMaximum`` become numbers."""
    if isinstance(schema, list):
        return [_to_2020(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _to_2020(value) for key, value in schema.items()
              if key != '$schema'}
    for exclusive, bound in (('exclusiveMinimum', 'minimum'),
                             ('exclusiveMaximum', 'maximum')):
        if isinstance(result.get(exclusive), bool):
            if result.pop(exclusive) and bound in result:
                result[exclusive] = result.pop(bound)
    return result


def _variants(handler, kind):
    return [(schema, low, high)
            for k, schema, low, high in validation.schemas_of(handler)
            if k == kind]


def _one_of_versions(variants):
    if len(variants) == 1 and variants[0][1] is None and \
            variants[0][2] is None:
        return _to_2020(variants[0][0])
    choices = []
    for schema, low, high in sorted(
            variants, key=lambda v: v[1] or microversion.Version(0, 0)):
        choice = _to_2020(schema)
        span = _range(low, high)
        if span:
            choice['x-openstack-microversion'] = span
        choices.append(choice)
    return {'anyOf': choices}


def _body_schema(handler):
    actions = getattr(handler, 'actions', None)
    if actions is not None:
        choices = []
        for name in sorted(actions):
            variants = _variants(actions[name], 'body')
            if variants:
                schema = _one_of_versions(variants)
            else:
                schema = {'type': 'object', 'properties': {name: {}},
                          'required': [name],
                          'additionalProperties': False}
            schema['title'] = name
            choices.append(schema)
        return {'anyOf': choices}
    variants = _variants(handler, 'body')
    return _one_of_versions(variants) if variants else None


def _query_parameters(handler):
    names = {}
    for schema, low, high in _variants(handler, 'query'):
        for name, prop in schema.get('properties', {}).items():
            names.setdefault(name, []).append((prop, low, high))
    params = []
    for name in sorted(names):
        seen = names[name]
        prop = seen[0][0]
        item = prop.get('items', prop) if prop.get('type') == 'array' \
            else prop
        param = {'name': name, 'in': 'query', 'required': False,
                 'schema': _to_2020(item)}
        if prop.get('type') == 'array' and prop.get('maxItems') != 1:
            param['schema'] = {'type': 'array',
                               'items': _to_2020(item)}
            param['style'] = 'form'
            param['explode'] = True
        lows = [low for _, low, _ in seen]
        highs = [high for _, _, high in seen]
        span = _range(None if None in lows else min(lows),
                      None if None in highs else max(highs))
        if span:
            param['x-openstack-microversion'] = span
        params.append(param)
    return params


def _described(handler):
    """[(status, schema or None, min, max)] of the answers ``handler``
    describes (for an ``.../action`` URL, of every action), or None when
    it (or one of its actions) describes none."""
    actions = getattr(handler, 'actions', None)
    if actions is None:
        return validation.responses_of(handler) or None
    rows = []
    for name in sorted(actions):
        described = validation.responses_of(actions[name])
        if not described:
            return None
        rows += described
    return rows


def _success_responses(handler):
    """The OpenAPI ``responses`` of the successful answers ``handler``
    describes: one per status, its body the schema of each microversion
    range (``anyOf`` when the shape changes); None when undescribed."""
    described = _described(handler)
    if described is None:
        return None
    by_status = {}
    for status, schema, low, high in described:
        by_status.setdefault(status, [])
        if schema is not None:
            by_status[status].append((schema, low, high))
    responses = {}
    for status in sorted(by_status):
        variants = by_status[status]
        answer = {'description': 'Success.' if variants
                  else 'Success, without a body.'}
        if variants:
            answer['content'] = {'application/json': {
                'schema': _one_of_versions(variants)}}
        responses[str(status)] = answer
    return responses


# Operations that create a resource: (method, path) -> (path parameter,
# JSON pointer of the new id in the answer). Every operation below the
# created resource's path is linked from them (OpenAPI links), so that a
# stateful client (schemathesis) creates a server, then acts on it.
CREATORS = {
    ('POST', '/v2.1/servers'): ('server_id', '/server/id'),
    ('POST', '/v2.1/flavors'): ('flavor_id', '/flavor/id'),
    ('POST', '/v3/volumes'): ('volume_id', '/volume/id'),
    ('POST', '/v3/{project_id}/volumes'): ('volume_id', '/volume/id'),
}


def _links(method, path, table, operation_ids):
    creator = CREATORS.get((method, path))
    if creator is None:
        return None
    param, pointer = creator
    links = {}
    for row in table:
        below = row.path.startswith(path + '/{%s}' % param)
        if not below:
            continue
        parameters = {}
        for name in _PARAM.findall(row.path):
            parameters[name] = ('$response.body#%s' % pointer
                                if name == param
                                else '$request.path.%s' % name)
        if set(parameters) - {param} - set(_PARAM.findall(path)):
            # Another id this answer does not give (a migration id).
            continue
        key = operation_ids[(row.method, row.path)]
        links[key.split('.', 1)[0]] = {'operationId': key,
                                       'parameters': parameters}
    return links or None


def _operation_id(method, path, handler):
    module = handler.__module__.rsplit('.', 1)[-1]
    name = getattr(handler, '__name__', 'handler')
    words = re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')
    return '%s_%s.%s.%s' % (method.lower(), words or 'root', module, name)


def describe(name):
    """The OpenAPI 3.1 document of the surface ``name`` (compute or
    volume), as a dict."""
    routes_name, version_name, title = SURFACES[name]
    routes = importlib.import_module(routes_name)
    api_version = importlib.import_module(version_name)
    surface = api_version.SURFACE
    version_header = {
        'name': 'OpenStack-API-Version', 'in': 'header',
        'required': False,
        'description': 'The microversion: "%s <major>.<minor>" (%s to %s) '
                       'or "%s latest"; the minimum when absent.'
                       % (surface.service_type, surface.min_version,
                          surface.max_version, surface.service_type),
    }
    microversions = ['%s latest' % surface.service_type] + [
        '%s %d.%d' % (surface.service_type, surface.min_version.major,
                      minor)
        for minor in range(surface.min_version.minor,
                           surface.max_version.minor + 1)]
    version_header['schema'] = {'type': 'string', 'enum': microversions}
    operation_ids = {(r.method, r.path): _operation_id(r.method, r.path,
                                                       r.handler)
                     for r in routes.ROUTES}
    paths = {}
    for row in routes.ROUTES:
        item = paths.setdefault(row.path, {})
        method = row.method.lower()
        if method in item:
            # The same path and method in two microversion ranges (a
            # handler per range): one operation, its ranges joined.
            continue
        rows = [r for r in routes.ROUTES
                if r.path == row.path and r.method == row.method]
        lows = [r.min for r in rows]
        highs = [r.max for r in rows]
        operation = {
            'operationId': operation_ids[(row.method, row.path)],
            'summary': (row.handler.__doc__ or '').strip().split('\n')[0]
            or '%s %s' % (row.method, row.path),
            'responses': {
                '2XX': {'description': 'Success.'},
                '4XX': {'description': 'The request was refused.',
                        'content': {'application/json': {
                            'schema': {'$ref':
                                       '#/components/schemas/Fault'}}}},
            },
        }
        if row.path == '/':
            # The root version document: 300 Multiple Choices (Cinder).
            operation['responses']['300'] = {
                'description': 'The versions this API serves.'}
        described = _success_responses(row.handler)
        if described:
            del operation['responses']['2XX']
            operation['responses'].update(described)
        links = _links(row.method, row.path, routes.ROUTES, operation_ids)
        if links:
            first = min(code for code in operation['responses']
                        if code.startswith('2'))
            operation['responses'][first]['links'] = links
        span = _range(None if None in lows else min(lows),
                      None if None in highs else max(highs))
        if span:
            operation['x-openstack-microversion'] = span
        params = [{'name': p, 'in': 'path', 'required': True,
                   'schema': {'type': 'string', 'minLength': 1}}
                  for p in _PARAM.findall(row.path)]
        if row.path.startswith(routes.PREFIX):
            params.append(copy.deepcopy(version_header))
        params += _query_parameters(row.handler)
        if params:
            operation['parameters'] = params
        body = _body_schema(row.handler)
        if body is not None:
            operation['requestBody'] = {
                'required': True,
                'content': {'application/json': {'schema': body}}}
        if row.path not in routes.PUBLIC_PATHS:
            operation['security'] = [{'token': []}]
        item[method] = operation
    return {
        'openapi': OPENAPI_VERSION,
        'info': {'title': title, 'version': str(surface.max_version),
                 'description': 'Generated from the route table and the '
                                'request schemas (migrator.api.openapi).'},
        'paths': paths,
        'components': {
            'schemas': {'Fault': FAULT_SCHEMA},
            'securitySchemes': {'token': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token, or "user:project" with '
                               'auth_strategy = noauth2.'}},
        },
    }


FILES = {'compute': 'compute.json', 'volume': 'block-storage.json'}


def render(name):
    """``describe(name)`` as the text of its file in doc/api/."""
    return json.dumps(describe(name), indent=2, sort_keys=True) + '\n'


def handler(name):
    """The ``GET /openapi.json`` handler of the surface ``name``."""
    cache = {}

    def openapi(req):
        """This API's OpenAPI 3.1 description."""
        if 'document' not in cache:
            cache['document'] = describe(name)
        return wsgi.json_response(cache['document'])
    return openapi
