"""/volumes: create, list (summary and detail), show, delete."""
from concurrent import futures

from migrator.api.compute import common
from migrator.api import errors
from migrator.api import validation
from migrator.api.volume.schemas import volumes as schemas
from migrator.api.volume.views import volumes as views
from migrator.api import wsgi
from migrator.policies import volumes as volume_policies
from migrator import policy
from migrator.volume import api as volume_api

API = volume_api.API()


def _target(volume):
    return {'project_id': volume.project_id, 'user_id': volume.user_id}


def get_volume(req, rule=volume_policies.GET):
    volume = API.get(req.context, req.url_vars['volume_id'])
    policy.authorize(req.context, rule, _target(volume))
    return volume


def _progress(req, volume, permissions):
    if views.wants_progress(req, volume, permissions):
        return API.migration_progress(req.context, volume)
    return None


def _progress_of_each(req, volumes, permissions):
    """{volume uuid: progress} of the migrating volumes of a list, asked
    at the same time, so that a page waits one timeout at most."""
    wanted = [v for v in volumes
              if views.wants_progress(req, v, permissions)]
    if not wanted:
        return {}
    if len(wanted) == 1:
        return {wanted[0].uuid: _progress(req, wanted[0], permissions)}
    with futures.ThreadPoolExecutor(max_workers=min(8, len(wanted))) as ex:
        answers = ex.map(
            lambda v: API.migration_progress(req.context, v), wanted)
        return {v.uuid: answer for v, answer in zip(wanted, answers)}


def _sort(req):
    """(sort_key, sort_dir) from sort_key/sort_dir or Cinder's
    sort=key[:dir]."""
    sort = req.GET.get('sort')
    if sort:
        key, _sep, direction = sort.split(',')[0].partition(':')
        return key.strip(), (direction.strip() or 'desc')
    return req.GET.get('sort_key'), req.GET.get('sort_dir')


_SORT_KEYS = {'name': 'display_name', 'id': 'uuid', 'created_at':
              'created_at', 'updated_at': 'updated_at', 'size': 'size',
              'status': 'status', 'host': 'host', None: None}


def _list(req, detail):
    policy.authorize(req.context, volume_policies.GET_ALL)
    all_projects = common.bool_param(req.GET.get('all_tenants', 'false'),
                                     'all_tenants')
    if all_projects:
        policy.authorize(req.context, volume_policies.ALL_TENANTS)
    limit, marker = common.limit_and_marker(req)
    sort_key, sort_dir = _sort(req)
    if sort_key not in _SORT_KEYS:
        raise errors.BadRequest('Invalid input received: Invalid sort key '
                                '%s' % sort_key)
    if sort_dir not in (None, 'asc', 'desc'):
        raise errors.BadRequest('Invalid input received: Unknown sort '
                                'direction, must be one of: asc, desc')
    filters = {}
    if req.GET.get('name') is not None:
        filters['name'] = req.GET['name']
    if req.GET.get('status') is not None:
        filters['status'] = req.GET['status']
    volumes = API.list(req.context, filters, all_projects=all_projects,
                       sort_key=_SORT_KEYS[sort_key], sort_dir=sort_dir,
                       limit=limit, marker=marker)
    # Migration targets are the service's business, not the user's.
    volumes = [v for v in volumes
               if not (v.migration_status or '').startswith('target:')]
    if detail:
        perms = views.Permissions(req)
        attachments = API.attachments(req.context, volumes)
        progress = _progress_of_each(req, volumes, perms)
        items = [views.detail(req, v, attachments.get(v.uuid, []), perms,
                              progress.get(v.uuid))
                 for v in volumes]
    else:
        items = [views.summary(req, v) for v in volumes]
    body = {'volumes': items}
    links = common.next_link(req, 'volumes', volumes, limit,
                             lambda v: v.uuid)
    if links:
        body['volumes_links'] = links
    if req.is_version('3.45') and common.bool_param(
            req.GET.get('with_count', 'false'), 'with_count'):
        body['count'] = len(items)
    return wsgi.json_response(body)


@validation.responses(schemas.index_response)
@validation.query(schemas.index_query)
def index(req):
    return _list(req, detail=False)


@validation.responses(schemas.detail_response)
@validation.query(schemas.index_query)
def detail(req):
    return _list(req, detail=True)


@validation.responses(schemas.show_response)
def show(req):
    volume = get_volume(req)
    perms = views.Permissions(req)
    attachments = API.attachments(req.context, [volume]).get(volume.uuid,
                                                             [])
    return wsgi.json_response({'volume': views.detail(
        req, volume, attachments, perms, _progress(req, volume, perms))})


@validation.responses(schemas.create_response, 202)
@validation.body(schemas.create)
def create(req):
    policy.authorize(req.context, volume_policies.CREATE)
    body = req.json()['volume']
    for source in ('snapshot_id', 'source_volid', 'imageRef', 'backup_id',
                   'consistencygroup_id', 'group_id'):
        if body.get(source):
            raise errors.BadRequest(
                'Invalid input received: %s: migrator creates empty '
                'volumes only (no snapshots, images, backups or groups).'
                % source)
    volume = API.create(
        req.context, int(body['size']),
        name=body.get('name', body.get('display_name')),
        description=body.get('description',
                             body.get('display_description')),
        volume_type=body.get('volume_type'),
        availability_zone=body.get('availability_zone'),
        metadata=body.get('metadata'),
        multiattach=body.get('multiattach'))
    return wsgi.json_response(
        {'volume': views.created(req, volume)}, status=202)


@validation.response(None, 202)
def delete(req):
    volume = get_volume(req, volume_policies.DELETE)
    API.delete(req.context, volume)
    return wsgi.empty_response(202)
