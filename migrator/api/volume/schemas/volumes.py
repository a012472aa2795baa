"""Request schemas of /volumes (Cinder's, for what migrator serves)."""
from migrator.api.schemas import parameter_types
from migrator.api import validation

_size = parameter_types.positive_integer
_nullable_string = {'type': ['string', 'null'], 'maxLength': 255}
_unsupported_source = {'type': ['null', 'string']}

create = {
    'type': 'object',
    'properties': {
        'volume': {
            'type': 'object',
            'properties': {
                'size': _size,
                'name': _nullable_string,
                'display_name': _nullable_string,
                'description': _nullable_string,
                'display_description': _nullable_string,
                'volume_type': _nullable_string,
                'availability_zone': _nullable_string,
                'metadata': {'type': ['object', 'null'],
                             'additionalProperties': {
                                 'type': 'string', 'maxLength': 255}},
                'multiattach': {'type': ['boolean', 'null']},
                # Sources migrator does not serve: accepted only empty.
                'snapshot_id': _unsupported_source,
                'source_volid': _unsupported_source,
                'imageRef': _unsupported_source,
                'backup_id': _unsupported_source,
                'consistencygroup_id': _unsupported_source,
                'group_id': _unsupported_source,
            },
            'required': ['size'],
            'additionalProperties': False,
        },
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']},
    },
    'required': ['volume'],
    'additionalProperties': False,
}

migrate_volume = {
    'type': 'object',
    'properties': {
        'os-migrate_volume': {
            'type': 'object',
            'properties': {
                'host': {'type': 'string', 'minLength': 1,
                         'maxLength': 255},
                'force_host_copy': {'type': ['boolean', 'string']},
                'lock_volume': {'type': ['boolean', 'string']},
            },
            'required': ['host'],
            'additionalProperties': False,
        },
    },
    'required': ['os-migrate_volume'],
    'additionalProperties': False,
}

migrate_volume_completion = {
    'type': 'object',
    'properties': {
        'os-migrate_volume_completion': {
            'type': 'object',
            'properties': {
                'new_volume': validation.uuid,
                'error': {'type': ['boolean', 'string', 'null']},
            },
            'required': ['new_volume'],
            'additionalProperties': False,
        },
    },
    'required': ['os-migrate_volume_completion'],
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {
        'all_tenants': validation.multi(validation.boolean_query),
        'limit': validation.multi(validation.non_negative_int_query),
        'marker': validation.multi({'type': 'string'}),
        'sort_key': validation.multi({'type': 'string'}),
        'sort_dir': validation.multi({'type': 'string',
                                      'enum': ['asc', 'desc']}),
        'sort': validation.multi({'type': 'string'}),
        'name': validation.multi({'type': 'string'}),
        'status': validation.multi({'type': 'string'}),
        'with_count': validation.multi(validation.boolean_query),
    },
    'additionalProperties': True,
}
