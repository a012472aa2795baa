"""Migration bodies, per microversion, for both resources that show
migrations: ``GET /os-migrations`` (every kind of migration) and
``GET /servers/{id}/migrations[/{mid}]`` (a server's live migrations in
progress).

Field names are Nova's up to 2.104, so that openstacksdk, novaclient and
the openstack CLI read them unchanged. 2.106 is migrator's own:

* os-migrations entries gain seed 001's six figures under their column
  names: ``memory_total``, ``memory_processed``, ``memory_remaining``,
  ``disk_total``, ``disk_processed``, ``disk_remaining`` (bytes; null
  where the driver reports nothing; a cold migration has disk figures
  only).
* server-migration entries gain ``progress`` (see ``progress``).

2.107 (the runtime controls) adds to ``progress`` the settings in force:
``max_downtime_ms``, ``bandwidth_mib_per_s`` (0: no cap) and
``post_copy_permitted``.
"""
from migrator.api.compute import common
from migrator.objects import migration as migration_obj

# Where a live migration counts as "in progress" for server-migrations
# and for the links of os-migrations entries. Nova leaves out
# 'running (post-copy)', which hides a post-copy migration from the
# operator exactly while the guest already runs on the destination;
# migrator lists it.
IN_PROGRESS = migration_obj.LIVE_IN_PROGRESS + ('running (post-copy)',)

HOST_FIELDS = ('source_compute', 'dest_compute', 'source_node',
               'dest_node', 'dest_host')
PROGRESS_VERSION = '2.106'
# Keys of the 2.106 progress object, in the Migration's progress_detail.
PROGRESS_KEYS = ('percent', 'transfer_rate', 'dirty_rate', 'iteration',
                 'expected_downtime_ms', 'eta_seconds')
CONTROLS_VERSION = '2.107'
# The settings of the runtime controls, also in progress_detail.
CONTROL_KEYS = ('max_downtime_ms', 'bandwidth_mib_per_s',
                'post_copy_permitted')


def _time(value):
    return common.isotime_micro(value)


def _common(req, migration, show_host):
    body = {
        'created_at': _time(migration.created_at),
        'updated_at': _time(migration.updated_at),
        'id': migration.id,
        'status': migration.status,
    }
    for name in HOST_FIELDS:
        body[name] = getattr(migration, name) if show_host else None
    if req.is_version('2.59'):
        body['uuid'] = migration.uuid
    if req.is_version('2.80'):
        body['user_id'] = migration.user_id
        body['project_id'] = migration.project_id
    return body


def progress(migration, controls=False):
    """The 2.106 ``progress`` object of a live migration.

    ``percent`` (int 0-100, never goes back), ``transfer_rate`` and
    ``dirty_rate`` (bytes per second, as last sampled), ``iteration``
    (the pre-copy pass, 1 for the first), ``expected_downtime_ms`` (what
    the hypervisor expects the switch-over pause to be), ``eta_seconds``
    (null until the rates make an estimate possible), ``phases`` ({status:
    ISO 8601 UTC time that status began}). Figures not known yet are
    null; ``percent`` starts at 0. With ``controls`` (2.107) also
    ``max_downtime_ms``, ``bandwidth_mib_per_s`` and
    ``post_copy_permitted``.
    """
    detail = migration.progress_detail or {}
    body = {key: detail.get(key) for key in PROGRESS_KEYS}
    if body['percent'] is None:
        body['percent'] = 0
    body['phases'] = dict(detail.get('phases') or {})
    if controls:
        for key in CONTROL_KEYS:
            body[key] = detail.get(key)
    return body


def os_migration(req, migration, show_host):
    """One entry of GET /os-migrations."""
    body = _common(req, migration, show_host)
    body.update({
        'instance_uuid': migration.instance_uuid,
        'old_instance_type_id': migration.old_instance_type_id,
        'new_instance_type_id': migration.new_instance_type_id,
    })
    if req.is_version('2.23'):
        body['migration_type'] = migration.migration_type
        if migration.migration_type == 'live-migration' and \
                migration.status in IN_PROGRESS:
            body['links'] = common.links(
                req, 'servers/%s/migrations' % migration.instance_uuid,
                migration.id)
    if req.is_version(PROGRESS_VERSION):
        for name in migration_obj.PROGRESS_FIELDS:
            body[name] = getattr(migration, name)
    return body


def server_migration(req, migration, show_host=True):
    """One entry of GET /servers/{id}/migrations[/{mid}]."""
    body = _common(req, migration, show_host)
    body['server_uuid'] = migration.instance_uuid
    for name in migration_obj.PROGRESS_FIELDS:
        body[name + '_bytes'] = getattr(migration, name)
    if req.is_version(PROGRESS_VERSION):
        body['progress'] = progress(
            migration, controls=req.is_version(CONTROLS_VERSION))
    return body
