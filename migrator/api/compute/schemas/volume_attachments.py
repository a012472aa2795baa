"""Request schemas of /servers/{server_id}/os-volume_attachments."""
from migrator.api.schemas import response_types as rt
from migrator.api import validation

_device = {'type': ['string', 'null'],
           'pattern': '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'}

create = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': {'volumeId': validation.uuid, 'device': _device},
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}

create_v249 = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': {'volumeId': validation.uuid, 'device': _device,
                           'tag': {'type': 'string', 'maxLength': 60}},
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}

create_v279 = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': dict(
                create_v249['properties']['volumeAttachment']['properties'],
                delete_on_termination={'type': 'boolean'}),
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': {'volumeId': validation.uuid},
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}

# From 2.85 the PUT may also carry the attachment's other fields; only
# delete_on_termination may change without a swap.
update_v285 = {
    'type': 'object',
    'properties': {
        'volumeAttachment': {
            'type': 'object',
            'properties': {
                'volumeId': validation.uuid, 'device': _device,
                'tag': {'type': 'string', 'maxLength': 60},
                'delete_on_termination': {'type': 'boolean'},
                'serverId': validation.uuid, 'id': validation.uuid,
            },
            'required': ['volumeId'],
            'additionalProperties': False,
        },
    },
    'required': ['volumeAttachment'],
    'additionalProperties': False,
}

# Query of GET /servers/{id}/os-volume_attachments: unknown parameters
# are ignored below 2.75 and a 400 from 2.75.
index_query = {
    'type': 'object',
    'properties': {
        'limit': validation.multi(validation.non_negative_int_query),
        'offset': validation.multi(validation.non_negative_int_query),
    },
    'additionalProperties': True,
}
index_query_v275 = dict(index_query, additionalProperties=False)


# -- Response bodies --------------------------------------------------------

def _attachment(version):
    properties = {'serverId': rt.string, 'volumeId': rt.string,
                  'device': rt.nullable_string}
    if not rt.at_least(version, '2.89'):
        properties['id'] = rt.string
    if rt.at_least(version, '2.70'):
        properties['tag'] = rt.nullable_string
    if rt.at_least(version, '2.79'):
        properties['delete_on_termination'] = rt.boolean
    if rt.at_least(version, '2.89'):
        properties['attachment_id'] = rt.string
        properties['bdm_uuid'] = rt.nullable_string
    return rt.obj(properties)


_variants = rt.per_version(_attachment, ('2.70', '2.79', '2.89'))
index_response = rt.wrap('volumeAttachments',
                         [(rt.array(schema), low, high)
                          for schema, low, high in _variants])
show_response = rt.wrap('volumeAttachment', _variants)
# 2.101: 202 without a body.
create_response = [(schema, low, '2.100' if high is None else high)
                   for schema, low, high in show_response]
