"""Request bodies of the ``resize``, ``confirmResize`` and ``revertResize``
server actions (Nova's), and ``copy_pmem_devices`` on ``resize`` from
2.105 (migrator, seed 003)."""
import copy

from migrator.api.compute.schemas import migrate_server

flavor_ref = {'type': ['string', 'integer'], 'minLength': 1}

resize = {
    'type': 'object',
    'properties': {
        'resize': {
            'type': 'object',
            'properties': {
                'flavorRef': flavor_ref,
                'OS-DCF:diskConfig': {'type': 'string',
                                      'enum': ['AUTO', 'MANUAL']},
            },
            'required': ['flavorRef'],
            'additionalProperties': False,
        },
    },
    'required': ['resize'],
    'additionalProperties': False,
}

resize_v2105 = copy.deepcopy(resize)
resize_v2105['properties']['resize']['properties'][
    'copy_pmem_devices'] = migrate_server.boolean

confirm_resize = {
    'type': 'object',
    'properties': {'confirmResize': {'type': 'null'}},
    'required': ['confirmResize'],
    'additionalProperties': False,
}

revert_resize = {
    'type': 'object',
    'properties': {'revertResize': {'type': 'null'}},
    'required': ['revertResize'],
    'additionalProperties': False,
}
