"""jsonschema validation of request bodies and query strings.

Handlers declare the schema for each microversion range:

    @validation.body(schemas.create_v20, '2.1', '2.36')
    @validation.body(schemas.create_v237, '2.37')
    def create(req): ...

The schema whose range holds the request's version is applied; a body
that fails it is a 400 that names the field and the problem. Query
strings are validated the same way (``validation.query``) after turning
them into {name: [values]}.
"""
import functools

import jsonschema
from jsonschema import validators

from migrator.api import errors
from migrator.api import microversion

_Validator = validators.validator_for({'$schema':
                                       'http://json-schema.org/draft-04/'
                                       'schema#'})


def _message(error):
    path = '/'.join(str(p) for p in error.absolute_path)
    if error.validator in ('required', 'additionalProperties',
                           'minProperties', 'maxProperties', 'oneOf',
                           'anyOf') or not path:
        where = ('Invalid input for field/attribute %s. ' % path) \
            if path else ''
        return '%s%s' % (where, error.message)
    return 'Invalid input for field/attribute %s. Value: %s. %s' % (
        path.split('/')[-1], error.instance, error.message)


def validate(schema, data):
    validator = _Validator(schema,
                           format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise errors.BadRequest(_message(error))


def _attach(kind, func, schema, min_version, max_version):
    specs = getattr(func, '_schemas', None)
    if specs is None:
        inner = func

        @functools.wraps(inner)
        def wrapper(req):
            for k, sch, low, high in wrapper._schemas:
                if microversion.in_range(req.api_version, low, high):
                    if k == 'body':
                        validate(sch, req.json())
                    else:
                        validate(sch, query_dict(req))
            return inner(req)
        wrapper._schemas = []
        specs = wrapper._schemas
        func = wrapper
    specs.append((kind, schema, microversion.version(min_version),
                  microversion.version(max_version)))
    return func


def body(schema, min_version=None, max_version=None):
    return lambda func: _attach('body', func, schema, min_version,
                                max_version)


def query(schema, min_version=None, max_version=None):
    return lambda func: _attach('query', func, schema, min_version,
                                max_version)


def query_dict(req):
    """The query string as {name: [value, ...]}."""
    result = {}
    for key, value in req.GET.items():
        result.setdefault(key, []).append(value)
    return result


# Building blocks for schemas.
def multi(schema):
    """A query parameter given once or more, each value ``schema``."""
    return {'type': 'array', 'items': schema}


boolean_query = {'type': 'string', 'enum': [
    'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '1', '0', 'yes',
    'no', 'on', 'off']}
non_negative_int_query = {'type': 'string', 'pattern': '^[0-9]+$'}
positive_int = {'type': ['integer', 'string'],
                'pattern': '^[0-9]*$', 'minimum': 1, 'minLength': 1}
non_negative_int = {'type': ['integer', 'string'],
                    'pattern': '^[0-9]*$', 'minimum': 0, 'minLength': 1}
name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?! )[\S ]*(?<! )$'}
description = {'type': ['string', 'null'], 'minLength': 0,
               'maxLength': 65535}
uuid = {'type': 'string', 'format': 'uuid'}
