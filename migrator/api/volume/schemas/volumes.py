"""Request schemas of /volumes (Cinder's, for what migrator serves)."""
from migrator.api.schemas import parameter_types
from migrator.api.schemas import response_types as rt
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


# -- Response bodies --------------------------------------------------------

_attachment = rt.obj({'id': rt.string, 'attachment_id': rt.string,
                      'volume_id': rt.string,
                      'server_id': rt.nullable_string,
                      'host_name': rt.nullable_string,
                      'device': rt.nullable_string,
                      'attached_at': rt.nullable_time})
#: What GET /volumes/{id} shows while a migration copies (3.72, admin):
#: a percent (never going back) or that the backend moves the volume.
migration_progress = {'type': 'string',
                      'pattern': r'^([0-9]|[1-9][0-9]|100)$'
                                 r'|^driver-assisted$'}
# Admin attributes (policy): listed, never required.
_ADMIN = {
    'os-vol-tenant-attr:tenant_id': rt.nullable_string,
    'os-vol-host-attr:host': rt.nullable_string,
    'migration_status': rt.nullable_string,
    'os-vol-mig-status-attr:migstat': rt.nullable_string,
    'os-vol-mig-status-attr:name_id': rt.nullable_string,
}
# (since, key, schema, required)
_ADDED = (
    ('3.13', 'group_id', rt.nullable_string, True),
    ('3.21', 'provider_id', rt.nullable_string, False),
    ('3.48', 'shared_targets', rt.boolean, True),
    ('3.48', 'service_uuid', rt.nullable_string, True),
    ('3.61', 'cluster_name', rt.nullable_string, False),
    ('3.63', 'volume_type_id', rt.nullable_string, True),
    ('3.65', 'consumes_quota', rt.boolean, True),
    ('3.72', 'migration_progress', migration_progress, False),
)


def volume_detail(version, created=False):
    properties = {
        'id': rt.string, 'name': rt.nullable_string,
        'description': rt.nullable_string, 'status': rt.nullable_string,
        'size': rt.integer, 'availability_zone': rt.nullable_string,
        'created_at': rt.nullable_time, 'updated_at': rt.nullable_time,
        'attachments': rt.array(_attachment),
        'volume_type': rt.nullable_string, 'snapshot_id': rt.nullable_string,
        'source_volid': rt.nullable_string, 'metadata': rt.string_map,
        'links': rt.links, 'user_id': rt.nullable_string,
        'bootable': {'enum': ['true', 'false']}, 'encrypted': rt.boolean,
        'replication_status': rt.nullable_string,
        'consistencygroup_id': rt.nullable_string,
        'multiattach': rt.nullable_boolean,
    }
    optional = list(_ADMIN)
    properties.update(_ADMIN)
    for since, key, schema, required in _ADDED:
        if rt.at_least(version, since):
            properties[key] = schema
            if not required:
                optional.append(key)
    if created:
        for key in ('os-vol-tenant-attr:tenant_id', 'os-vol-host-attr:host',
                    'os-vol-mig-status-attr:migstat',
                    'os-vol-mig-status-attr:name_id'):
            properties.pop(key)
            optional.remove(key)
    return rt.obj(properties, optional=optional)


_CHANGES = ('3.13', '3.21', '3.48', '3.61', '3.63', '3.65', '3.72')
_summary = rt.obj({'id': rt.string, 'name': rt.nullable_string,
                   'links': rt.links})
_list_extra = {'volumes_links': rt.links, 'count': rt.integer}
index_response = [(rt.obj(dict({'volumes': rt.array(_summary)},
                               **_list_extra), optional=_list_extra),
                   None, None)]
detail_response = [
    (rt.obj(dict({'volumes': rt.array(volume_detail(low))}, **_list_extra),
            optional=_list_extra), low, high)
    for _, low, high in rt.per_version(lambda v: None, _CHANGES,
                                       first='3.0')]
show_response = [(rt.obj({'volume': volume_detail(low)}), low, high)
                 for _, low, high in rt.per_version(lambda v: None,
                                                    _CHANGES, first='3.0')]
create_response = [(rt.obj({'volume': volume_detail(low, created=True)}),
                    low, high)
                   for _, low, high in rt.per_version(
                       lambda v: None, _CHANGES, first='3.0')]
migrate_completion_response = [(rt.obj({'save_volume_id': rt.string}),
                                None, None)]
