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
import operator

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
    return os_migrations(req, [migration], show_host)[0]


# The columns an os-migrations entry shows, in the order os_migrations
# reads them (the only ones list_migrations reads for it).
_OS_MIGRATION_FIELDS = migration_obj.OS_MIGRATIONS_COLUMNS


def _reader(item):
    """A function giving _OS_MIGRATION_FIELDS of ``item`` and of every
    item like it: by position for a database row (the rows of one
    statement share their columns; a row's attribute costs ten times as
    much), by attribute for an object."""
    fields = getattr(item, '_fields', None)
    if fields is None:
        return operator.attrgetter(*_OS_MIGRATION_FIELDS)
    return operator.itemgetter(*[fields.index(name)
                                 for name in _OS_MIGRATION_FIELDS])


def _isotime(value):
    """common.isotime_micro, without its work for a naive datetime (a
    database's own)."""
    if value is not None and value.tzinfo is None:
        return value.isoformat(timespec='microseconds')
    return common.isotime_micro(value)


def os_migrations(req, migrations, show_host):
    """The entries of GET /os-migrations, of Migration objects or of the
    database rows of one statement (``MigrationList.rows_by_filters``: a
    page of 1,000 made into objects first cost more CPU than the rest of
    the request). The bodies are the same either way, key for key. What
    depends on the request (microversion, the links' base, the host
    policy) is worked out once per page."""
    v259 = req.is_version('2.59')
    v280 = req.is_version('2.80')
    v223 = req.is_version('2.23')
    v2106 = req.is_version(PROGRESS_VERSION)
    if v223:
        # common.links, with the two bases worked out once.
        self_base = req.application_url_for('v2.1', 'servers') + '/'
        bookmark_base = req.application_url_for('servers') + '/'
    in_progress = frozenset(IN_PROGRESS)
    no_hosts = dict.fromkeys(HOST_FIELDS)
    time = _isotime
    readers = {}
    items = []
    for m in migrations:
        read = readers.get(type(m))
        if read is None:
            read = readers[type(m)] = _reader(m)
        (created_at, updated_at, id_, status, source_compute, dest_compute,
         source_node, dest_node, dest_host, uuid, user_id, project_id,
         instance_uuid, old_type, new_type, migration_type,
         *progress) = read(m)
        body = {
            'created_at': time(created_at),
            'updated_at': time(updated_at),
            'id': id_,
            'status': status,
        }
        if show_host:
            body['source_compute'] = source_compute
            body['dest_compute'] = dest_compute
            body['source_node'] = source_node
            body['dest_node'] = dest_node
            body['dest_host'] = dest_host
        else:
            body.update(no_hosts)
        if v259:
            body['uuid'] = uuid
        if v280:
            body['user_id'] = user_id
            body['project_id'] = project_id
        body['instance_uuid'] = instance_uuid
        body['old_instance_type_id'] = old_type
        body['new_instance_type_id'] = new_type
        if v223:
            body['migration_type'] = migration_type
            if migration_type == 'live-migration' and \
                    status in in_progress:
                tail = '%s/migrations/%s' % (instance_uuid, id_)
                body['links'] = [
                    {'rel': 'self', 'href': self_base + tail},
                    {'rel': 'bookmark', 'href': bookmark_base + tail}]
        if v2106:
            body.update(zip(migration_obj.PROGRESS_FIELDS, progress))
        items.append(body)
    return items


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
