"""Flavors: list, detail, show for everyone; create, update (2.55),
delete, and extra specs for admins."""
import re

from migrator.api.compute import common
from migrator.api.compute import extra_specs as spec_rules
from migrator.api.compute.schemas import common as common_schemas
from migrator.api.compute.schemas import flavors as schemas
from migrator.api.compute.views import flavors as views
from migrator.api import errors
from migrator.api.schemas import parameter_types
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator import exception
from migrator.policies import flavor_extra_specs as es_policies
from migrator.policies import flavor_manage as manage_policies
from migrator.policies import flavors as flavor_policies
from migrator import policy

API = compute_api.API()


def _show_extra_specs(req):
    return policy.check(req.context, es_policies.BASE % 'index')


def _is_public_filter(req):
    value = req.GET.get('is_public')
    if not policy.check(req.context,
                        'os_compute_api:os-flavor-access'):
        return True
    if value is None:
        return True
    if value.lower() == 'none':
        return None
    try:
        return common.bool_param(value, 'is_public')
    except errors.BadRequest:
        raise errors.BadRequest('Invalid is_public filter [%s]' % value)


def _int_filter(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise errors.BadRequest('Invalid %s filter [%s]' % (name, value))
    if abs(number) > parameter_types.MAX_INT:
        # No column holds it (the database would refuse the query).
        raise errors.BadRequest('Invalid %s filter [%s]: at most %d.'
                                % (name, value, parameter_types.MAX_INT))
    return number


def _name_filter(req):
    """2.102's ``name``: a regular expression the name must contain a
    match of (as Nova's database REGEXP)."""
    if not req.is_version('2.102') or 'name' not in req.GET:
        return None
    value = req.GET['name']
    try:
        return re.compile(value)
    except re.error as exc:
        raise errors.BadRequest('Invalid name filter [%s]: %s'
                                % (value, exc))


def _page(flavors, limit, marker):
    items = list(flavors)
    if marker is not None:
        ids = [f.flavorid for f in items]
        if marker not in ids:
            raise exception.MarkerNotFound(marker=marker)
        items = items[ids.index(marker) + 1:]
    return items if limit is None else items[:limit]


def _list(req, detailed):
    policy.authorize(req.context, flavor_policies.BASE)
    limit, marker = common.limit_and_marker(req)
    name = _name_filter(req)
    try:
        flavors = API.list_flavors(
            req.context, is_public=_is_public_filter(req),
            min_memory_mb=_int_filter(req, 'minRam'),
            min_root_gb=_int_filter(req, 'minDisk'),
            sort_key=req.GET.get('sort_key', 'flavorid'),
            sort_dir=req.GET.get('sort_dir', 'asc'),
            limit=None if name else limit, marker=None if name else marker)
        if name:
            # Flavors are few: the name filter and the page are applied
            # here, so one pattern means the same on every database.
            flavors = _page([f for f in flavors if name.search(f.name)],
                            limit, marker)
    except exception.MarkerNotFound:
        raise errors.BadRequest('marker [%s] not found' % marker)
    return wsgi.json_response(views.index(
        req, flavors, limit, detailed,
        include_extra_specs=detailed and _show_extra_specs(req)))


@validation.responses(schemas.index_response)
@validation.query(schemas.index_query_v21, '2.1', '2.74')
@validation.query(schemas.index_query_v275, '2.75', '2.101')
@validation.query(schemas.index_query_v2102, '2.102')
def index(req):
    return _list(req, detailed=False)


@validation.responses(schemas.detail_response)
@validation.query(schemas.index_query_v21, '2.1', '2.74')
@validation.query(schemas.index_query_v275, '2.75', '2.101')
@validation.query(schemas.index_query_v2102, '2.102')
def detail(req):
    return _list(req, detailed=True)


def _flavor(req):
    return API.get_flavor(req.context, req.url_vars['flavor_id'])


@validation.responses(schemas.show_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def show(req):
    policy.authorize(req.context, flavor_policies.BASE)
    return wsgi.json_response({'flavor': views.detail(
        req, _flavor(req), _show_extra_specs(req))})


@validation.responses(schemas.show_response)
@validation.body(schemas.create_v21, '2.1', '2.54')
@validation.body(schemas.create_v255, '2.55', '2.101')
@validation.body(schemas.create_v2102, '2.102')
def create(req):
    policy.authorize(req.context, manage_policies.BASE % 'create')
    body = req.json()['flavor']
    flavorid = body.get('id')
    flavor = API.create_flavor(
        req.context, name=body['name'].strip(),
        memory_mb=int(body['ram']), vcpus=int(body['vcpus']),
        root_gb=int(body['disk']),
        ephemeral_gb=int(body.get('OS-FLV-EXT-DATA:ephemeral', 0)),
        swap=int(body.get('swap', 0)),
        flavorid=str(flavorid) if flavorid is not None else None,
        rxtx_factor=float(body.get('rxtx_factor', 1.0)),
        is_public=body.get('os-flavor-access:is_public', True),
        description=body.get('description'))
    return wsgi.json_response({'flavor': views.detail(
        req, flavor, _show_extra_specs(req))})


@validation.responses(schemas.show_response)
@validation.body(schemas.update_v255, '2.55')
def update(req):
    policy.authorize(req.context, manage_policies.BASE % 'update')
    flavor = _flavor(req)
    flavor.description = req.json()['flavor']['description']
    flavor.save()
    return wsgi.json_response({'flavor': views.detail(
        req, flavor, _show_extra_specs(req))})


@validation.response(None, 202)
def delete(req):
    policy.authorize(req.context, manage_policies.BASE % 'delete')
    _flavor(req).destroy()
    return wsgi.empty_response(202)


# -- extra specs ----------------------------------------------------------
def _stringify(specs):
    return {key: (str(value).lower() if isinstance(value, bool)
                  else str(value)) for key, value in specs.items()}


def _check_specs(req, specs):
    """2.86: known namespaces only take known specs and values."""
    if not req.is_version('2.86'):
        return
    for name, value in specs.items():
        reason = spec_rules.problem(name, value)
        if reason:
            raise errors.BadRequest(reason)


@validation.responses(schemas.extra_specs_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def extra_specs_index(req):
    flavor = _flavor(req)
    policy.authorize(req.context, es_policies.BASE % 'index')
    return wsgi.json_response({'extra_specs': dict(flavor.extra_specs)})


@validation.responses(schemas.extra_specs_response)
@validation.body(schemas.extra_specs_create)
def extra_specs_create(req):
    policy.authorize(req.context, es_policies.BASE % 'create')
    flavor = _flavor(req)
    specs = _stringify(req.json()['extra_specs'])
    _check_specs(req, specs)
    flavor.update_extra_specs(updates=specs)
    return wsgi.json_response({'extra_specs': specs})


@validation.responses(schemas.extra_spec_response)
@validation.query(common_schemas.no_query_v2102, '2.102')
def extra_spec_show(req):
    flavor = _flavor(req)
    policy.authorize(req.context, es_policies.BASE % 'show')
    key = req.url_vars['key']
    if key not in flavor.extra_specs:
        raise exception.FlavorExtraSpecNotFound(flavor_id=flavor.flavorid,
                                                key=key)
    return wsgi.json_response({key: flavor.extra_specs[key]})


@validation.responses(schemas.extra_spec_response)
@validation.body(schemas.extra_spec_update)
def extra_spec_update(req):
    policy.authorize(req.context, es_policies.BASE % 'update')
    flavor = _flavor(req)
    key = req.url_vars['key']
    body = _stringify(req.json())
    if key not in body:
        raise errors.BadRequest('Request body and URI mismatch')
    _check_specs(req, body)
    flavor.update_extra_specs(updates=body)
    return wsgi.json_response(body)


@validation.response(None, 200)
def extra_spec_delete(req):
    policy.authorize(req.context, es_policies.BASE % 'delete')
    flavor = _flavor(req)
    key = req.url_vars['key']
    if key not in flavor.extra_specs:
        raise exception.FlavorExtraSpecNotFound(flavor_id=flavor.flavorid,
                                                key=key)
    flavor.update_extra_specs(remove=[key])
    # Nova answers 200 with no body (its note says it should have been
    # 204).
    return wsgi.empty_response(200)
