"""Request bodies of the ``os-migrateLive`` server action, per
microversion (Nova's):

* 2.1-2.24: ``block_migration``, ``disk_over_commit`` and ``host``, all
  three required;
* 2.25-2.29: ``disk_over_commit`` is gone, ``block_migration`` may be
  ``"auto"``;
* 2.30-2.67: an optional ``force``;
* 2.68 and later: as 2.25 (``force`` is rejected again).

No other key is accepted at any version.
"""
import copy

# Nova's parameter_types.boolean: JSON booleans and the strings
# oslo_utils.strutils.bool_from_string(strict=True) knows.
boolean = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
             'YES', 'Yes', 'yes',
             False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
             'NO', 'No', 'no'],
}

# A compute host name (Nova's fqdn, underscores allowed), or null to let
# the scheduler choose.
host = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
        'pattern': '^[a-zA-Z0-9-._]*$'}

migrate_live = {
    'type': 'object',
    'properties': {
        'os-migrateLive': {
            'type': 'object',
            'properties': {
                'block_migration': boolean,
                'disk_over_commit': boolean,
                'host': host,
            },
            'required': ['block_migration', 'disk_over_commit', 'host'],
            'additionalProperties': False,
        },
    },
    'required': ['os-migrateLive'],
    'additionalProperties': False,
}

_block_migration_v225 = copy.deepcopy(boolean)
_block_migration_v225['enum'].append('auto')

migrate_live_v225 = copy.deepcopy(migrate_live)
_body = migrate_live_v225['properties']['os-migrateLive']
del _body['properties']['disk_over_commit']
_body['properties']['block_migration'] = _block_migration_v225
_body['required'] = ['block_migration', 'host']

migrate_live_v230 = copy.deepcopy(migrate_live_v225)
migrate_live_v230['properties']['os-migrateLive']['properties'][
    'force'] = boolean

migrate_live_v268 = copy.deepcopy(migrate_live_v225)

# ``migrate``: below 2.56 the body's value is not looked at (Nova's); from
# 2.56 it is null or an object with an optional ``host``; from 2.105
# (migrator) also ``copy_pmem_devices``.
migrate = {
    'type': 'object',
    'properties': {'migrate': {}},
    'required': ['migrate'],
    'additionalProperties': False,
}

migrate_v256 = {
    'type': 'object',
    'properties': {
        'migrate': {
            'type': ['object', 'null'],
            'properties': {'host': host},
            'additionalProperties': False,
        },
    },
    'required': ['migrate'],
    'additionalProperties': False,
}

migrate_v2105 = copy.deepcopy(migrate_v256)
migrate_v2105['properties']['migrate']['properties'][
    'copy_pmem_devices'] = boolean
