"""/servers/{server_id}/os-volume_attachments: list, show, attach,
update/swap (PUT) and detach, with Nova's microversion rules (2.49 tag,
2.79 delete_on_termination, 2.85 update without swap, 2.89
attachment_id and bdm_uuid, no id)."""
from migrator.api.compute.schemas import volume_attachments as schemas
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute.api import volume_attachments as attachments_api
from migrator.policies import volumes_attachments as policies
from migrator import policy

API = attachments_api.VolumeAttachmentsAPI()


def _server(req, rule):
    instance = API.get_server(req.context, req.url_vars['server_id'])
    policy.authorize(req.context, rule,
                     {'project_id': instance.project_id,
                      'user_id': instance.user_id})
    return instance


def view(req, attachment, instance_uuid):
    body = {'serverId': instance_uuid, 'volumeId': attachment.volume_id,
            'device': attachment.mountpoint}
    if not req.is_version('2.89'):
        body['id'] = attachment.volume_id
    if req.is_version('2.70'):
        body['tag'] = attachment.tag if attachment.obj_attr_is_set(
            'tag') else None
    if req.is_version('2.79'):
        body['delete_on_termination'] = attachment.delete_on_termination
    if req.is_version('2.89'):
        body['attachment_id'] = attachment.uuid
        body['bdm_uuid'] = attachment.bdm_uuid
    return body


@validation.responses(schemas.index_response)
@validation.query(schemas.index_query, '2.1', '2.74')
@validation.query(schemas.index_query_v275, '2.75')
def index(req):
    instance = _server(req, policies.INDEX)
    return wsgi.json_response({'volumeAttachments': [
        view(req, a, instance.uuid)
        for a in API.list(req.context, instance)]})


@validation.responses(schemas.show_response)
def show(req):
    instance = _server(req, policies.SHOW)
    attachment = API.get(req.context, instance, req.url_vars['volume_id'])
    return wsgi.json_response(
        {'volumeAttachment': view(req, attachment, instance.uuid)})


@validation.responses(schemas.create_response)
@validation.response(None, 202, '2.101')
@validation.body(schemas.create, '2.1', '2.48')
@validation.body(schemas.create_v249, '2.49', '2.78')
@validation.body(schemas.create_v279, '2.79')
def create(req):
    instance = _server(req, policies.CREATE)
    body = req.json()['volumeAttachment']
    attachment = API.attach(
        req.context, instance, body['volumeId'], device=body.get('device'),
        delete_on_termination=body.get('delete_on_termination', False),
        tag=body.get('tag'))
    if req.is_version('2.101'):
        # 2.101: Nova answers 202 with no body.
        return wsgi.empty_response(202)
    return wsgi.json_response(
        {'volumeAttachment': view(req, attachment, instance.uuid)})


@validation.response(None, 202)
@validation.body(schemas.update, '2.1', '2.84')
@validation.body(schemas.update_v285, '2.85')
def update(req):
    old_id = req.url_vars['volume_id']
    body = req.json()['volumeAttachment']
    new_id = body['volumeId']
    if new_id == old_id:
        if not req.is_version('2.85'):
            raise errors.BadRequest('The volume to swap to must differ '
                                    'from the attached one.')
        instance = _server(req, policies.UPDATE)
        attachment = API.get(req.context, instance, old_id)
        for field in ('device', 'tag', 'serverId', 'id'):
            if field in body and body[field] != {
                    'device': attachment.mountpoint, 'tag': None,
                    'serverId': instance.uuid,
                    'id': attachment.volume_id}[field]:
                raise errors.BadRequest('Updating %s is not supported.'
                                        % field)
        API.update(req.context, instance, old_id,
                   body.get('delete_on_termination'))
        return wsgi.empty_response(202)
    instance = _server(req, policies.SWAP)
    if req.is_version('2.85') and 'delete_on_termination' in body:
        raise errors.BadRequest('delete_on_termination cannot be changed '
                                'by a swap.')
    API.swap(req.context, instance, old_id, new_id)
    return wsgi.empty_response(202)


@validation.response(None, 202)
def delete(req):
    instance = _server(req, policies.DELETE)
    API.detach(req.context, instance, req.url_vars['volume_id'])
    return wsgi.empty_response(202)
