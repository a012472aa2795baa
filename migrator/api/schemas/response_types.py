"""Building blocks of the response schemas (the bodies of successful
answers), which each API's schema modules keep next to their request
schemas and handlers declare with ``validation.response``.

Objects list every key the view can render and ``required`` the keys it
always renders at that microversion; keys that depend on the caller's
policy (hosts, admin attributes) are listed but not required. No other
key may appear (``additionalProperties`` false), so a view that grows a
key fails the functional tests until its schema says so.
"""
import copy

string = {'type': 'string'}
nullable_string = {'type': ['string', 'null']}
integer = {'type': 'integer'}
nullable_integer = {'type': ['integer', 'null']}
non_negative_integer = {'type': 'integer', 'minimum': 0}
boolean = {'type': 'boolean'}
nullable_boolean = {'type': ['boolean', 'null']}
number = {'type': 'number'}
uuid = {'type': 'string', 'format': 'uuid'}
nullable_uuid = {'type': ['string', 'null'], 'format': 'uuid'}
string_map = {'type': 'object', 'additionalProperties': string}
# Nova's "2024-01-31T12:00:00Z" and "2024-01-31T12:00:00.000000".
_TIME = (r'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
         r'(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$')
time = {'type': 'string', 'pattern': _TIME}
nullable_time = {'type': ['string', 'null'], 'pattern': _TIME}


def obj(properties, required=None, optional=()):
    """An object with exactly ``properties``; all required but
    ``optional`` (or exactly ``required`` when given)."""
    if required is None:
        required = [name for name in properties if name not in optional]
    return {'type': 'object', 'properties': properties,
            'required': sorted(required), 'additionalProperties': False}


def array(items):
    return {'type': 'array', 'items': items}


link = obj({'rel': string, 'href': string, 'type': string},
           optional=('type',))
links = array(link)


def extend(schema, properties, optional=()):
    """A copy of the object ``schema`` with more ``properties``
    (required but ``optional``)."""
    result = copy.deepcopy(schema)
    result['properties'].update(copy.deepcopy(properties))
    result['required'] = sorted(set(result['required']) |
                                (set(properties) - set(optional)))
    return result


def without(schema, *names):
    """A copy of the object ``schema`` without ``names``."""
    result = copy.deepcopy(schema)
    for name in names:
        result['properties'].pop(name, None)
    result['required'] = [r for r in result['required'] if r not in names]
    return result


def version_document(media_types=True):
    """An entry of a versions list (Nova's and Cinder's shape)."""
    properties = {
        'id': string, 'status': string, 'version': string,
        'min_version': string, 'updated': string, 'links': links,
        'media-types': array(obj({'base': string, 'type': string})),
    }
    return obj(properties, optional=() if media_types else
               ('media-types',))


def per_version(build, changes, first='2.1', last=None):
    """[(schema, min, max)] of ``build(version)`` over the ranges that
    the microversions in ``changes`` (where the shape changes) cut
    ``first``..``last`` into; ``build`` gets the first version of each
    range."""
    major = first.split('.')[0]
    starts = [first] + sorted(changes, key=lambda v: int(v.split('.')[1]))
    result = []
    for i, start in enumerate(starts):
        if i + 1 < len(starts):
            high = '%s.%d' % (major, int(starts[i + 1].split('.')[1]) - 1)
        else:
            high = last
        result.append((build(start), start, high))
    return result


def wrap(key, variants, extra=None, optional=()):
    """Each variant's schema as the value of ``key`` in an object (with
    ``extra`` properties, required but ``optional``)."""
    return [(obj(dict({key: schema}, **(extra or {})), optional=optional),
             low, high) for schema, low, high in variants]


def at_least(version, wanted):
    """Whether microversion ``version`` is ``wanted`` or later."""
    have = tuple(int(p) for p in version.split('.'))
    return have >= tuple(int(p) for p in wanted.split('.'))
