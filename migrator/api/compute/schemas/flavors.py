"""Request schemas of /flavors and /flavors/{id}/os-extra_specs."""
import copy

from migrator.api.schemas import parameter_types
from migrator.api.schemas import response_types as rt
from migrator.api import validation

_flavor_id = {'type': ['string', 'number', 'null'], 'minLength': 1,
              'maxLength': 255, 'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'}

create_v21 = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {
                'name': validation.name,
                'id': _flavor_id,
                'ram': validation.positive_int,
                'vcpus': validation.positive_int,
                'disk': validation.non_negative_int,
                'OS-FLV-EXT-DATA:ephemeral': validation.non_negative_int,
                'swap': validation.non_negative_int,
                'rxtx_factor': parameter_types.positive_float,
                'os-flavor-access:is_public': {'type': 'boolean'},
            },
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

create_v255 = copy.deepcopy(create_v21)
create_v255['properties']['flavor']['properties']['description'] = \
    validation.description

# 2.102: rxtx_factor is gone.
create_v2102 = copy.deepcopy(create_v255)
del create_v2102['properties']['flavor']['properties']['rxtx_factor']

update_v255 = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {'description': validation.description},
            'required': ['description'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

_one = {'type': 'string'}
SORT_KEYS = ['created_at', 'description', 'disabled', 'ephemeral_gb',
             'flavorid', 'id', 'is_public', 'memory_mb', 'name', 'root_gb',
             'rxtx_factor', 'swap', 'updated_at', 'vcpus']
index_query_v21 = {
    'type': 'object',
    'properties': {
        'sort_key': validation.multi({'type': 'string',
                                      'enum': SORT_KEYS}),
        'sort_dir': validation.multi({'type': 'string',
                                      'enum': ['asc', 'desc']}),
        'limit': validation.multi(validation.non_negative_int_query),
        'marker': validation.multi(_one),
        'is_public': validation.multi(_one),
        'minRam': validation.multi(_one),
        'minDisk': validation.multi(_one),
    },
    'additionalProperties': True,
}
index_query_v275 = copy.deepcopy(index_query_v21)
index_query_v275['additionalProperties'] = False

# 2.102: the name filter (a regular expression); rxtx_factor is no sort
# key any more.
index_query_v2102 = copy.deepcopy(index_query_v275)
index_query_v2102['properties']['name'] = validation.multi(_one)
index_query_v2102['properties']['sort_key']['items']['enum'] = [
    k for k in SORT_KEYS if k != 'rxtx_factor']

_spec_key = {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': r'^[a-zA-Z0-9\-_:. ]{1,255}$'}
# The value column is a String(255): a number must print in 255
# characters too.
_spec_value = {'type': ['string', 'number', 'boolean'], 'minLength': 0,
               'maxLength': 255,
               'minimum': -parameter_types.MAX_SPEC_NUMBER,
               'maximum': parameter_types.MAX_SPEC_NUMBER}

extra_specs_create = {
    'type': 'object',
    'properties': {
        'extra_specs': {
            'type': 'object',
            'patternProperties': {
                r'^[a-zA-Z0-9\-_:. ]{1,255}$': _spec_value},
            'additionalProperties': False,
        },
    },
    'required': ['extra_specs'],
    'additionalProperties': False,
}

extra_spec_update = {
    'type': 'object',
    'patternProperties': {r'^[a-zA-Z0-9\-_:. ]{1,255}$': _spec_value},
    'additionalProperties': False,
    'minProperties': 1,
    'maxProperties': 1,
}


# -- Response bodies --------------------------------------------------------

def _flavor(version, detailed):
    properties = {'id': rt.string, 'name': rt.string, 'links': rt.links}
    if rt.at_least(version, '2.55'):
        properties['description'] = rt.nullable_string
    optional = []
    if detailed:
        properties.update({
            'ram': rt.integer, 'disk': rt.integer, 'vcpus': rt.integer,
            'swap': rt.integer if rt.at_least(version, '2.75') else
            {'anyOf': [rt.integer, {'type': 'string', 'enum': ['']}]},
            'OS-FLV-EXT-DATA:ephemeral': rt.integer,
            'os-flavor-access:is_public': rt.boolean,
        })
        if not rt.at_least(version, '2.102'):
            properties['rxtx_factor'] = rt.number
            properties['OS-FLV-DISABLED:disabled'] = rt.boolean
        if rt.at_least(version, '2.61'):
            # Only for callers the extra-specs policy lets see them.
            properties['extra_specs'] = rt.string_map
            optional.append('extra_specs')
    return rt.obj(properties, optional=optional)


_CHANGES = ('2.55', '2.61', '2.75', '2.102')
flavor_response = rt.per_version(lambda v: _flavor(v, True), _CHANGES)
show_response = rt.wrap('flavor', flavor_response)
index_response = rt.wrap(
    'flavors', [(rt.array(_flavor(v, False)), low, high)
                for _, low, high in flavor_response
                for v in [low]],
    {'flavors_links': rt.links}, optional=('flavors_links',))
detail_response = rt.wrap(
    'flavors', [(rt.array(schema), low, high)
                for schema, low, high in flavor_response],
    {'flavors_links': rt.links}, optional=('flavors_links',))
extra_specs_response = [(rt.obj({'extra_specs': rt.string_map}),
                         None, None)]
extra_spec_response = [({'type': 'object', 'minProperties': 1,
                         'maxProperties': 1,
                         'additionalProperties': rt.string}, None, None)]
