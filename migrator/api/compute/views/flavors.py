"""Flavor bodies per microversion: description from 2.55, extra_specs
from 2.61 (when policy lets the caller see them), swap 0 instead of ''
from 2.75, no rxtx_factor and OS-FLV-DISABLED:disabled from 2.102."""
from migrator.api.compute import common


def basic(req, flavor):
    body = {'id': flavor.flavorid, 'name': flavor.name,
            'links': common.links(req, 'flavors', flavor.flavorid)}
    if req.is_version('2.55'):
        body['description'] = flavor.description
    return body


def detail(req, flavor, include_extra_specs=False):
    body = basic(req, flavor)
    swap = flavor.swap
    if not swap and not req.is_version('2.75'):
        swap = ''
    body.update({
        'ram': flavor.memory_mb,
        'disk': flavor.root_gb,
        'vcpus': flavor.vcpus,
        'swap': swap,
        'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
        'os-flavor-access:is_public': flavor.is_public,
    })
    if not req.is_version('2.102'):
        # Gone from 2.102.
        body['rxtx_factor'] = flavor.rxtx_factor
        body['OS-FLV-DISABLED:disabled'] = flavor.disabled
    if include_extra_specs and req.is_version('2.61'):
        body['extra_specs'] = dict(flavor.extra_specs)
    return body


def index(req, flavors, limit, detailed, include_extra_specs=False):
    if detailed:
        items = [detail(req, f, include_extra_specs) for f in flavors]
    else:
        items = [basic(req, f) for f in flavors]
    body = {'flavors': items}
    links = common.next_link(req, 'flavors', items, limit,
                             lambda item: item['id'])
    if links:
        body['flavors_links'] = links
    return body
