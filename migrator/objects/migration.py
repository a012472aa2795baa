"""Migration: one move of an instance, with its progress (seed 001)."""
from oslo_serialization import jsonutils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

PROGRESS_FIELDS = ('memory_total', 'memory_processed', 'memory_remaining',
                   'disk_total', 'disk_processed', 'disk_remaining')

# Statuses of a live migration that is still under way (Nova's list for
# server-migrations), and the wider set that still holds resources.
LIVE_IN_PROGRESS = ('queued', 'preparing', 'running', 'post-migrating')
NOT_FINISHED = ('accepted', 'queued', 'preparing', 'running',
                'running (post-copy)', 'post-migrating', 'pre-migrating',
                'migrating', 'finished', 'confirming', 'reverting')

# A cold migration's or resize's statuses (Nova's sequence): the move is
# under way, waits to be confirmed or reverted, or has ended.
COLD_UNDER_WAY = ('pre-migrating', 'migrating', 'post-migrating')
COLD_ENDED = ('confirmed', 'reverted', 'error')

_PLAIN = ('id', 'uuid', 'source_compute', 'dest_compute', 'source_node',
          'dest_node', 'dest_host', 'status', 'instance_uuid',
          'old_instance_type_id', 'new_instance_type_id', 'migration_type',
          'hidden', 'cross_cell_move', 'user_id', 'project_id',
          'created_at', 'updated_at', 'deleted_at', 'deleted') + \
    PROGRESS_FIELDS


# Every column of a new migration row that its caller does not set, with
# the value the model's defaults give it: written explicitly, so that the
# object is made from the values without reading the row back.
_NEW_ROW = dict({name: None for name in _PLAIN if name != 'id'},
                progress_detail=None, hidden=False, cross_cell_move=False,
                deleted=0)
# Built once: building a statement costs more than running it.
_INSERT = sa.insert(models.Migration.__table__)


@base.register
class Migration(base.CellRowMixin, base.MigratorObject,
                base.MigratorPersistentObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.Migration

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'source_compute': fields.StringField(nullable=True),
        'dest_compute': fields.StringField(nullable=True),
        'source_node': fields.StringField(nullable=True),
        'dest_node': fields.StringField(nullable=True),
        'dest_host': fields.StringField(nullable=True),
        'status': fields.StringField(nullable=True),
        'instance_uuid': fields.StringField(nullable=True),
        'old_instance_type_id': fields.IntegerField(nullable=True),
        'new_instance_type_id': fields.IntegerField(nullable=True),
        'migration_type': fields.MigrationTypeField(nullable=True),
        'hidden': fields.BooleanField(default=False),
        'cross_cell_move': fields.BooleanField(default=False),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'memory_total': fields.IntegerField(nullable=True),
        'memory_processed': fields.IntegerField(nullable=True),
        'memory_remaining': fields.IntegerField(nullable=True),
        'disk_total': fields.IntegerField(nullable=True),
        'disk_processed': fields.IntegerField(nullable=True),
        'disk_remaining': fields.IntegerField(nullable=True),
        'progress_detail': fields.JsonField(nullable=True, default=None),
    })
    _db_fields = _PLAIN

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        super()._from_db_object(context, obj, db_obj)
        obj.progress_detail = (jsonutils.loads(db_obj.progress_detail)
                               if db_obj.progress_detail else None)
        obj.obj_reset_changes()
        return obj

    def _db_values(self):
        values = self._changed_values()
        values.pop('deleted', None)
        if 'progress_detail' in values:
            detail = values['progress_detail']
            values['progress_detail'] = (jsonutils.dumps(detail)
                                         if detail is not None else None)
        return values

    @classmethod
    def get_by_id(cls, context, migration_id):
        return cls._get_one(context, models.Migration.id == migration_id,
                            not_found=exception.MigrationNotFound(
                                migration_id=migration_id))

    @classmethod
    def get_by_uuid(cls, context, uuid):
        return cls._get_one(context, models.Migration.uuid == uuid,
                            not_found=exception.MigrationNotFound(
                                migration_id=uuid))

    @classmethod
    def get_by_id_and_instance(cls, context, migration_id, instance_uuid):
        return cls._get_one(
            context, models.Migration.id == migration_id,
            models.Migration.instance_uuid == instance_uuid,
            not_found=exception.MigrationNotFoundForInstance(
                migration_id=migration_id, instance_id=instance_uuid))

    @classmethod
    def create_live_migration(cls, context, instance, db=None, now=None):
        """Record a live migration of ``instance`` as ``accepted``, from
        its current host, on behalf of ``context``'s caller: one Core
        INSERT, in the caller's transaction ``db`` if given, created at
        ``now`` (default: this moment)."""
        values = dict(_NEW_ROW, uuid=uuidutils.generate_uuid(),
                      status='accepted', migration_type='live-migration',
                      instance_uuid=instance.uuid,
                      source_compute=instance.host,
                      source_node=instance.node,
                      old_instance_type_id=instance.instance_type_id,
                      new_instance_type_id=instance.instance_type_id,
                      user_id=context.user_id,
                      project_id=context.project_id,
                      created_at=now or timeutils.utcnow())
        if db is None:
            with session.writer(context) as db:
                result = db.connection().execute(_INSERT, values)
        else:
            result = db.connection().execute(_INSERT, values)
        values['id'] = result.inserted_primary_key[0]
        return cls._from_db_object(context, cls(), base.ValuesRow(values))

    @classmethod
    def create_cold_migration(cls, context, instance, new_flavor):
        """Record a cold migration (flavor unchanged) or resize of
        ``instance`` to ``new_flavor`` as ``pre-migrating``."""
        resize = new_flavor.id != instance.instance_type_id
        migration = cls(
            context, status='pre-migrating',
            migration_type='resize' if resize else 'migration',
            instance_uuid=instance.uuid, source_compute=instance.host,
            source_node=instance.node,
            old_instance_type_id=instance.instance_type_id,
            new_instance_type_id=new_flavor.id,
            user_id=context.user_id, project_id=context.project_id)
        migration.create()
        return migration

    @classmethod
    def get_by_instance_and_status(cls, context, instance_uuid, status):
        return cls._get_one(
            context, models.Migration.instance_uuid == instance_uuid,
            models.Migration.status == status,
            not_found=exception.MigrationNotFoundByStatus(
                instance_id=instance_uuid, status=status))

    def create(self):
        if not self.obj_attr_is_set('uuid'):
            self.uuid = uuidutils.generate_uuid()
        self._insert(self._db_values())

    def save(self, expected_status=None):
        """Write the changed fields; with ``expected_status`` (a list) only
        if the row's status is still one of them. Returns whether it
        wrote."""
        values = self._db_values()
        if not values:
            return True
        values['updated_at'] = timeutils.utcnow()
        query = sa.update(models.Migration).where(
            models.Migration.id == self.id)
        if expected_status is not None:
            query = query.where(models.Migration.status.in_(
                list(expected_status)))
        with session.writer(self._context) as db:
            written = db.execute(query.values(**values)).rowcount == 1
        if written:
            self.updated_at = values['updated_at']
            self.obj_reset_changes()
        return written

    def refresh(self):
        self._copy_from(self.get_by_id(self._context, self.id))

    @property
    def is_live_migration(self):
        return self.migration_type == 'live-migration'


# The index that serves os-migrations paging (deleted, created_at, id).
PAGING_INDEX = 'migrations_deleted_created_at_id_idx'


def _seek_created_at(query, model):
    """On MariaDB/MySQL, page after a marker through PAGING_INDEX as a
    range on (deleted, created_at).

    Left to itself MariaDB reads that index as ``deleted = 0`` from the
    newest row and filters ``created_at`` row by row, so a page costs
    the rows above it: 3.6 s at 90 % of a million rows, against 0.1 s
    for the range (benchmarks/bench_os_migrations_paging.py). Other
    databases take the range themselves."""
    for dialect in ('mysql', 'mariadb'):
        query = query.with_hint(model, 'FORCE INDEX (%s)' % PAGING_INDEX,
                                dialect)
    return query


def _marker_edge(db, table, sort_key, marker):
    """(sort key, id) of the migration ``marker`` names (a plain row,
    all a keyset page needs of it), None without a marker, or
    MarkerNotFound."""
    if marker is None:
        return None
    row = db.connection().execute(sa.select(
        table.c[sort_key], table.c.id).where(table.c.uuid == marker)).first()
    if row is None:
        raise exception.MarkerNotFound(marker=marker)
    return row


def _plain(column):
    """``column``, read as the driver gives it: an Enum's values are
    already its strings, and its per-row lookup is a tenth of a page's
    CPU."""
    if isinstance(column.type, sa.Enum):
        return sa.type_coerce(column, sa.String).label(column.name)
    return column


#: The columns of an os-migrations entry (GET /os-migrations reads no
#: others), in the order its view reads them.
OS_MIGRATIONS_COLUMNS = (
    'created_at', 'updated_at', 'id', 'status', 'source_compute',
    'dest_compute', 'source_node', 'dest_node', 'dest_host', 'uuid',
    'user_id', 'project_id', 'instance_uuid', 'old_instance_type_id',
    'new_instance_type_id', 'migration_type') + PROGRESS_FIELDS


@base.register
class MigrationList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('Migration')}

    @classmethod
    def get_by_filters(cls, context, filters=None, sort_key='created_at',
                       sort_dir='desc', limit=None, marker=None,
                       after=None):
        """Migrations matching Nova's os-migrations filters.

        ``filters``: host (source or destination compute; a name or a
        list of names),
        source_compute (ignored with host), status (value or list),
        instance_uuid, migration_type, hidden, user_id, project_id,
        node, changes-since and changes-before (on updated_at),
        untouched-since (neither created nor updated after it).
        ``marker`` is a migration uuid.
        """
        return cls.from_rows(context, cls.rows_by_filters(
            context, filters, sort_key, sort_dir, limit, marker, after))

    @classmethod
    def from_rows(cls, context, rows):
        """A MigrationList of the database rows ``rows``."""
        return cls._from_db_list(context, Migration, rows)

    @staticmethod
    def from_row(context, row):
        """The Migration of one database row (``rows_by_filters``)."""
        return Migration._from_db_object(context, Migration(), row)

    @classmethod
    def rows_by_filters(cls, context, filters=None, sort_key='created_at',
                        sort_dir='desc', limit=None, marker=None,
                        after=None, columns=None):
        """The database rows ``get_by_filters`` makes objects of, for a
        caller that keeps only some of them (a page merged across
        cells). ``columns``: the names of the only columns to read (the
        sort key and id are always among them), for a caller that reads
        no others; default all, as a Migration needs."""
        filters = dict(filters or {})
        # A filter an index of its own serves better than the keyset's.
        selective = bool(set(filters) & {
            'host', 'source_compute', 'node', 'instance_uuid', 'user_id',
            'project_id'})
        model = models.Migration
        # Plain rows, not ORM instances: a page of 1,000 loads in a
        # third of the CPU, and the caller only reads their columns.
        table = model.__table__
        if columns is None:
            selected = [table]
        else:
            names = list(columns)
            names += [n for n in (sort_key, 'id') if n not in names]
            # Only what the caller reads: at 1,000 rows a page, the
            # unread columns (progress_detail's text, the booleans'
            # conversion) cost the API a sixth of its listing CPU.
            selected = [_plain(table.c[name]) for name in names]
        query = base.read_deleted_filter(sa.select(*selected), model,
                                         context)
        host = filters.pop('host', None)
        source_compute = filters.pop('source_compute', None)
        if isinstance(host, (list, tuple, set)):
            query = query.where(sa.or_(model.source_compute.in_(host),
                                       model.dest_compute.in_(host)))
        elif host:
            query = query.where(sa.or_(model.source_compute == host,
                                       model.dest_compute == host))
        elif source_compute:
            query = query.where(model.source_compute == source_compute)
        node = filters.pop('node', None)
        if node:
            query = query.where(sa.or_(model.source_node == node,
                                       model.dest_node == node))
        since = filters.pop('changes-since', None)
        before = filters.pop('changes-before', None)
        if since:
            query = query.where(model.updated_at >= since)
        if before:
            query = query.where(model.updated_at <= before)
        untouched_since = filters.pop('untouched-since', None)
        if untouched_since:
            # A row never updated has no updated_at: its age is its
            # creation's.
            query = query.where(sa.func.coalesce(
                model.updated_at, model.created_at) <= untouched_since)
        for key in ('status', 'instance_uuid', 'migration_type', 'user_id',
                    'project_id', 'dest_compute', 'hidden'):
            if key not in filters:
                continue
            value = filters.pop(key)
            column = getattr(model, key)
            if isinstance(value, (list, tuple, set)):
                query = query.where(column.in_(list(value)))
            else:
                query = query.where(column == value)
        with session.reader(context) as db:
            # ``after``: an edge (sort key and id) in place of a marker
            # row, for a page that began in another cell.
            marker_row = after if after is not None else _marker_edge(
                db, table, sort_key, marker)
            if marker_row is not None and sort_key == 'created_at' and \
                    getattr(context, 'read_deleted', 'no') == 'no' and \
                    not selective:
                query = _seek_created_at(query, model.__table__)
            query = base.sort_and_page(query, model, sort_key, sort_dir,
                                       marker_row, limit)
            # On the session's connection, not the session: the ORM's
            # loading of a Core select's rows costs as much again as
            # fetching them.
            return db.connection().execute(query).all()

    @classmethod
    def get_in_progress_by_instance(cls, context, instance_uuid,
                                    migration_type=None):
        filters = {'instance_uuid': instance_uuid,
                   'status': list(LIVE_IN_PROGRESS)}
        if migration_type:
            filters['migration_type'] = migration_type
        return cls.get_by_filters(context, filters)

    @classmethod
    def get_unfinished_by_host(cls, context, host):
        """Migrations into or out of ``host`` that still hold resources."""
        return cls.get_by_filters(context, {'host': host,
                                            'status': list(NOT_FINISHED)})
