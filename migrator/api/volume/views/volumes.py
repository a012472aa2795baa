"""Volume bodies as Cinder's v3 views render them, per microversion and
per policy (admin-only fields), plus migration_progress at 3.72."""
from migrator.api.compute import common
from migrator.api.volume import api_version
from migrator.objects import volume as volume_obj
from migrator.policies import volumes as volume_policies
from migrator import policy


def _links(req, volume):
    project = req.context.project_id or ''
    return [{'rel': 'self',
             'href': req.application_url_for('v3', project, 'volumes',
                                             volume.uuid)},
            {'rel': 'bookmark',
             'href': req.application_url_for(project, 'volumes',
                                             volume.uuid)}]


def summary(req, volume):
    return {'id': volume.uuid, 'name': volume.display_name,
            'links': _links(req, volume)}


def _attachments(volume, attachments):
    return [{'id': volume.uuid, 'attachment_id': a.uuid,
             'volume_id': volume.uuid, 'server_id': a.instance_uuid,
             'host_name': a.attached_host, 'device': a.mountpoint,
             'attached_at': common.isotime_micro(a.attach_time)}
            for a in attachments
            if a.attach_status == volume_obj.ATTACHED]


class Permissions:
    """What the caller may see, checked once per request."""

    def __init__(self, req):
        ctxt = req.context
        self.host = policy.check(ctxt, volume_policies.HOST_ATTRIBUTE)
        self.mig_status = policy.check(
            ctxt, volume_policies.MIG_STATUS_ATTRIBUTE)
        self.progress = policy.check(
            ctxt, volume_policies.MIGRATION_PROGRESS)
        self.tenant = policy.check(ctxt, volume_policies.TENANT_ATTRIBUTE)


# Cinder's show/detail extensions: not in the create answer.
SHOW_ONLY = ('os-vol-tenant-attr:tenant_id', 'os-vol-host-attr:host',
             'os-vol-mig-status-attr:migstat',
             'os-vol-mig-status-attr:name_id')


def created(req, volume):
    """The answer of POST /volumes: the detail view without the
    attributes Cinder's show and detail extensions add."""
    body = detail(req, volume)
    for key in SHOW_ONLY:
        body.pop(key, None)
    return body


def detail(req, volume, attachments=(), permissions=None,
           migration_progress=None):
    perms = permissions or Permissions(req)
    body = {
        'id': volume.uuid,
        'name': volume.display_name,
        'description': volume.display_description,
        'status': volume.status,
        'size': volume.size,
        'availability_zone': volume.availability_zone,
        'created_at': common.isotime_micro(volume.created_at),
        'updated_at': common.isotime_micro(volume.updated_at),
        'attachments': _attachments(volume, attachments),
        'volume_type': volume.volume_type,
        'snapshot_id': None,
        'source_volid': None,
        'metadata': dict(volume.metadata or {}),
        'links': _links(req, volume),
        'user_id': volume.user_id,
        'bootable': 'true' if volume.bootable else 'false',
        'encrypted': False,
        'replication_status': None,
        'consistencygroup_id': None,
        'multiattach': volume.multiattach,
    }
    if perms.tenant:
        body['os-vol-tenant-attr:tenant_id'] = volume.project_id
    if perms.host:
        body['os-vol-host-attr:host'] = volume.host
    if perms.mig_status:
        body['migration_status'] = volume.migration_status
        body['os-vol-mig-status-attr:migstat'] = volume.migration_status
        body['os-vol-mig-status-attr:name_id'] = volume.name_id
    if req.is_version('3.13'):
        body['group_id'] = None
    if req.is_version('3.21') and perms.host:
        body['provider_id'] = None
    if req.is_version('3.48'):
        body['shared_targets'] = False
        body['service_uuid'] = None
    if req.is_version('3.61') and perms.host:
        body['cluster_name'] = None
    if req.is_version('3.63'):
        body['volume_type_id'] = None
    if req.is_version('3.65'):
        body['consumes_quota'] = True
    if migration_progress:
        body['migration_progress'] = migration_progress
    return body


def wants_progress(req, volume, permissions):
    """Seed 002's conditions for asking the copier: the microversion, the
    policy (admin), and a migration that is copying."""
    return (req.is_version(api_version.MIGRATION_PROGRESS) and
            permissions.progress and
            volume.migration_status == volume_obj.MIGRATION_MIGRATING)
