"""jsonschema validation of request bodies and query strings.

Handlers declare the schema for each microversion range:

    @validation.body(schemas.create_v20, '2.1', '2.36')
    @validation.body(schemas.create_v237, '2.37')
    def create(req): ...

The schema whose range holds the request's version is applied; a body
that fails it is a 400 that names the field and the problem. Query
strings are validated the same way (``validation.query``) after turning
them into {name: [values]}.

``minimum`` and ``maximum`` also apply to strings of decimal digits (the
integers Nova accepts as strings, and every query parameter), so a
bounded type (``migrator.api.schemas.parameter_types``) bounds both
spellings.
"""
import functools
import re

import jsonschema
from jsonschema import validators

from migrator.api import errors
from migrator.api import microversion
from migrator.api.schemas import parameter_types

_Draft4 = validators.validator_for({'$schema':
                                    'http://json-schema.org/draft-04/'
                                    'schema#'})
_DECIMAL = re.compile(r'[0-9]+(\.[0-9]+)?')


def _as_number(instance):
    """A decimal string as the number it spells; anything else as is."""
    if isinstance(instance, str) and _DECIMAL.fullmatch(instance):
        if '.' in instance or len(instance) > 4000:
            # float() of a huge literal is inf: beyond every maximum.
            return float(instance)
        return int(instance)
    return instance


def _numeric_keyword(name):
    draft4 = _Draft4.VALIDATORS[name]

    def check(validator, value, instance, schema):
        return draft4(validator, value, _as_number(instance), schema)
    return check


_Validator = validators.extend(_Draft4, {
    'minimum': _numeric_keyword('minimum'),
    'maximum': _numeric_keyword('maximum'),
})


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


def documents(schema, min_version=None, max_version=None):
    """Record that a handler validates its body with ``schema`` itself
    (one whose schema depends on more than the microversion), for the
    OpenAPI description; nothing is validated by this decorator."""
    def decorate(func):
        func.__dict__.setdefault('_documented', []).insert(
            0, ('body', schema, microversion.version(min_version),
                microversion.version(max_version)))
        return func
    return decorate


def response(schema, status=200, min_version=None, max_version=None):
    """Record the body a handler answers with ``status`` in a
    microversion range: ``schema``, or None for an answer without a body.
    The OpenAPI description is made of these (``migrator.api.openapi``)
    and, when ``RESPONSE_CHECK`` is on (the functional tests), every
    answer is validated against them (``check_response``)."""
    def decorate(func):
        func.__dict__.setdefault('_responses', []).insert(
            0, (status, schema, microversion.version(min_version),
                microversion.version(max_version)))
        return func
    return decorate


def responses(variants, status=200):
    """``response`` for each (schema, min, max) of ``variants``."""
    def decorate(func):
        for schema, low, high in reversed(variants):
            func = response(schema, status, low, high)(func)
        return func
    return decorate


def responses_of(handler):
    """[(status, schema or None, min, max)] a handler answers with."""
    return list(getattr(handler, '_responses', []))


#: Validate every answer against its handler's response schema
#: (functional tests turn this on; a mismatch is a ResponseMismatch).
RESPONSE_CHECK = False


class ResponseMismatch(Exception):
    """An answer that is not the body its response schema describes."""


def check_response(handler, req, response):
    """Raise ResponseMismatch when ``response`` (a 2xx of ``handler``) is
    not one its response schemas allow at the request's version; nothing
    when the handler describes no answer."""
    described = responses_of(getattr(handler, 'actions', {}).get(
        _action_name(req), handler)) if hasattr(handler, 'actions') \
        else responses_of(handler)
    if not described or not 200 <= response.status_int < 300:
        return
    matching = [(status, schema) for status, schema, low, high in described
                if microversion.in_range(req.api_version, low, high)]
    schemas = [schema for status, schema in matching
               if status == response.status_int]
    if not schemas:
        raise ResponseMismatch('%s %s answered %d, not one of %s' % (
            req.method, req.path, response.status_int,
            sorted({status for status, _ in matching})))
    schema = schemas[0]
    if schema is None:
        if response.body:
            raise ResponseMismatch('%s %s answered a body where none is '
                                   'described' % (req.method, req.path))
        return
    validator = _Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(
        validator.iter_errors(response.json))
    if error is not None:
        raise ResponseMismatch('%s %s (%s): %s at %s' % (
            req.method, req.path, req.api_version, error.message,
            '/'.join(str(p) for p in error.absolute_path)))


def _action_name(req):
    try:
        body = req.json()
    except Exception:
        return None
    if isinstance(body, dict) and len(body) == 1:
        return next(iter(body))
    return None


def schemas_of(handler):
    """[(kind, schema, min, max)] a handler validates its request with."""
    return list(getattr(handler, '_schemas', [])) + \
        list(getattr(handler, '_documented', []))


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
non_negative_int_query = parameter_types.non_negative_integer_query
positive_int = parameter_types.positive_integer
non_negative_int = parameter_types.non_negative_integer
name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?! )[\S ]*(?<! )$'}
description = {'type': ['string', 'null'], 'minLength': 0,
               'maxLength': 65535}
uuid = {'type': 'string', 'format': 'uuid'}
