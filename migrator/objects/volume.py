"""Volume and VolumeAttachment: block storage volumes in a cell database
(seed 002) and the servers they are attached to."""
from oslo_serialization import jsonutils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

# Cinder's volume statuses (those migrator sets).
CREATING = 'creating'
AVAILABLE = 'available'
ATTACHING = 'attaching'
IN_USE = 'in-use'
DETACHING = 'detaching'
DELETING = 'deleting'
MAINTENANCE = 'maintenance'
ERROR = 'error'
ERROR_DELETING = 'error_deleting'

# attach_status values.
DETACHED = 'detached'
ATTACHED = 'attached'

# migration_status values (Cinder's), plus 'target:<id>' on the temporary
# volume a migration copies into.
MIGRATION_STARTING = 'starting'
MIGRATION_MIGRATING = 'migrating'
MIGRATION_COMPLETING = 'completing'
MIGRATION_SUCCESS = 'success'
MIGRATION_ERROR = 'error'
MIGRATION_ACTIVE = (MIGRATION_STARTING, MIGRATION_MIGRATING,
                    MIGRATION_COMPLETING)
TARGET_PREFIX = 'target:'

# How a migration moves the data (Volume.migration_method).
HOST_ASSISTED = 'host-assisted'
DRIVER_ASSISTED = 'driver-assisted'
ATTACHED_SWAP = 'attached'

_PLAIN = ('id', 'uuid', 'user_id', 'project_id', 'display_name',
          'display_description', 'size', 'status', 'previous_status',
          'attach_status', 'host', 'availability_zone', 'volume_type',
          'bootable', 'multiattach', 'migration_status', 'name_id',
          'migration_method', 'migration_dest_host', 'launched_at',
          'terminated_at', 'created_at', 'updated_at', 'deleted_at',
          'deleted')


def host_parts(host):
    """('host', 'backend', 'pool') of Cinder's 'host@backend#pool'; the
    missing parts are None."""
    if not host:
        return None, None, None
    pool = None
    if '#' in host:
        host, pool = host.split('#', 1)
    backend = None
    if '@' in host:
        host, backend = host.split('@', 1)
    return host, backend, pool


@base.register
class Volume(base.CellRowMixin, base.MigratorObject,
             base.MigratorPersistentObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.Volume

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'display_name': fields.StringField(nullable=True),
        'display_description': fields.StringField(nullable=True),
        'size': fields.IntegerField(),
        'status': fields.StringField(nullable=True),
        'previous_status': fields.StringField(nullable=True),
        'attach_status': fields.StringField(nullable=True),
        'host': fields.StringField(nullable=True),
        'availability_zone': fields.StringField(nullable=True),
        'volume_type': fields.StringField(nullable=True),
        'bootable': fields.BooleanField(default=False),
        'multiattach': fields.BooleanField(default=False),
        'metadata': fields.DictOfStringsField(default={}),
        'migration_status': fields.StringField(nullable=True),
        'name_id': fields.StringField(nullable=True),
        'migration_method': fields.StringField(nullable=True),
        'migration_dest_host': fields.StringField(nullable=True),
        'launched_at': fields.DateTimeField(nullable=True),
        'terminated_at': fields.DateTimeField(nullable=True),
    })
    _db_fields = _PLAIN

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        for name in _PLAIN:
            value = db_obj[name]
            if name in ('deleted', 'bootable', 'multiattach'):
                value = bool(value)
            setattr(obj, name, value)
        obj.metadata = jsonutils.loads(db_obj.metadata_json or '{}')
        obj._context = context
        obj.obj_reset_changes()
        return obj

    def _db_values(self):
        values = self._changed_values()
        if 'metadata' in values:
            values['metadata_json'] = jsonutils.dumps(values.pop('metadata'))
        values.pop('deleted', None)
        return values

    @property
    def name(self):
        """The name of the data on its backend (Cinder's volume name):
        a migration leaves the volume with the data of its target."""
        return 'volume-%s' % (self.name_id or self.uuid)

    @property
    def service_host(self):
        """The volume service host that owns the volume."""
        return host_parts(self.host)[0]

    @property
    def backend(self):
        return host_parts(self.host)[1]

    @property
    def pool(self):
        return host_parts(self.host)[2]

    @classmethod
    def get_by_uuid(cls, context, uuid):
        return cls._get_one(context, models.Volume.uuid == uuid,
                            not_found=exception.VolumeNotFound(
                                volume_id=uuid))

    def create(self):
        if self.obj_attr_is_set('id'):
            raise exception.ObjectActionError(action='create',
                                              reason='already created')
        if not self.obj_attr_is_set('uuid'):
            self.uuid = uuidutils.generate_uuid()
        for name, default in (('status', CREATING),
                              ('attach_status', DETACHED),
                              ('metadata', {})):
            if not self.obj_attr_is_set(name):
                setattr(self, name, default)
        self._insert(self._db_values())

    def save(self):
        values = self._db_values()
        if values:
            values['updated_at'] = timeutils.utcnow()
        self._update(values)

    def conditional_update(self, values, expected):
        """Write ``values`` only if the row's columns still hold one of
        the ``expected`` values ({column: value or tuple}): a
        compare-and-swap. Returns whether it wrote; on success the
        object holds the new values."""
        model = models.Volume
        query = sa.update(model).where(model.id == self.id,
                                       model.deleted == 0)
        for column, allowed in expected.items():
            allowed = (list(allowed) if isinstance(allowed, (list, tuple))
                       else [allowed])
            col = getattr(model, column)
            conds = [col == v for v in allowed if v is not None]
            if None in allowed:
                conds.append(col.is_(None))
            query = query.where(sa.or_(*conds))
        now = timeutils.utcnow()
        with session.writer(self._context) as db:
            result = db.execute(query.values(updated_at=now, **values))
        if result.rowcount != 1:
            return False
        for key, value in values.items():
            setattr(self, key, value)
        self.updated_at = now
        self.obj_reset_changes()
        return True

    def refresh(self):
        self._copy_from(self.get_by_uuid(self._context, self.uuid))

    def destroy(self):
        with session.writer(self._context) as db:
            db.execute(sa.update(models.Volume).where(
                models.Volume.id == self.id).values(
                    status='deleted', terminated_at=timeutils.utcnow(),
                    **base.soft_delete_values(self.id)))
        self.deleted = True
        self.obj_reset_changes()


_SORT_KEYS = {'created_at', 'updated_at', 'display_name', 'uuid', 'id',
              'size', 'status', 'host', 'project_id'}


@base.register
class VolumeList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('Volume')}

    @classmethod
    def get_by_filters(cls, context, filters=None, sort_key='created_at',
                       sort_dir='desc', limit=None, marker=None):
        """Volumes matching ``filters`` (column -> value or list; 'name'
        matches display_name exactly, as Cinder does), sorted, after
        ``marker`` (a uuid)."""
        filters = dict(filters or {})
        if sort_key not in _SORT_KEYS:
            raise exception.InvalidSortKey(key=sort_key)
        model = models.Volume
        query = base.read_deleted_filter(sa.select(model), model, context)
        name = filters.pop('name', None)
        if name is not None:
            query = query.where(model.display_name == name)
        for key, value in filters.items():
            column = getattr(model, key)
            if isinstance(value, (list, tuple, set)):
                query = query.where(column.in_(list(value)))
            elif value is None:
                query = query.where(column.is_(None))
            else:
                query = query.where(column == value)
        with session.reader(context) as db:
            marker_row = base.find_marker(db, model, marker,
                                          model.uuid == marker)
            query = base.sort_and_page(query, model, sort_key, sort_dir,
                                       marker_row, limit)
            rows = db.scalars(query).all()
            return cls._from_db_list(context, Volume, rows)

    @classmethod
    def get_migrating_on_host(cls, context, host):
        """Volumes of service ``host`` (any backend) with a migration
        that has not finished."""
        model = models.Volume
        query = sa.select(model).where(
            model.deleted == 0,
            sa.or_(model.host.like(host + '@%'), model.host == host),
            sa.or_(model.migration_status.in_(MIGRATION_ACTIVE),
                   model.migration_status.like(TARGET_PREFIX + '%')))
        with session.reader(context) as db:
            rows = db.scalars(query.order_by(model.id)).all()
            return cls._from_db_list(context, Volume, rows)


_ATTACHMENT_PLAIN = ('id', 'uuid', 'bdm_uuid', 'volume_id',
                     'instance_uuid', 'attached_host', 'mountpoint',
                     'attach_status', 'attach_mode',
                     'delete_on_termination', 'attach_time', 'detach_time',
                     'tag', 'created_at', 'updated_at', 'deleted_at',
                     'deleted')


@base.register
class VolumeAttachment(base.CellRowMixin, base.MigratorObject,
                       base.MigratorPersistentObject):
    # Version 1.0: Initial version
    # Version 1.1: tag
    VERSION = '1.1'
    _model = models.VolumeAttachment

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'bdm_uuid': fields.UUIDField(nullable=True),
        'volume_id': fields.UUIDField(),
        'instance_uuid': fields.UUIDField(nullable=True),
        'attached_host': fields.StringField(nullable=True),
        'mountpoint': fields.StringField(nullable=True),
        'attach_status': fields.StringField(nullable=True),
        'attach_mode': fields.StringField(nullable=True),
        'delete_on_termination': fields.BooleanField(default=False),
        'attach_time': fields.DateTimeField(nullable=True),
        'detach_time': fields.DateTimeField(nullable=True),
        'tag': fields.StringField(nullable=True),
    })
    _db_fields = _ATTACHMENT_PLAIN

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if tuple(int(p) for p in target_version.split('.')) < (1, 1):
            primitive.pop('tag', None)

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        super()._from_db_object(context, obj, db_obj)
        obj.delete_on_termination = bool(db_obj.delete_on_termination)
        obj.obj_reset_changes()
        return obj

    def create(self):
        if not self.obj_attr_is_set('uuid'):
            self.uuid = uuidutils.generate_uuid()
        if not self.obj_attr_is_set('bdm_uuid'):
            self.bdm_uuid = uuidutils.generate_uuid()
        values = self._changed_values()
        values.pop('deleted', None)
        self._insert(values)

    def save(self):
        values = self._changed_values()
        values.pop('deleted', None)
        self._update(values)

    def destroy(self):
        with session.writer(self._context) as db:
            db.execute(sa.update(models.VolumeAttachment).where(
                models.VolumeAttachment.id == self.id).values(
                    attach_status=DETACHED,
                    detach_time=timeutils.utcnow(),
                    **base.soft_delete_values(self.id)))
        self.deleted = True
        self.obj_reset_changes()


@base.register
class VolumeAttachmentList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('VolumeAttachment')}

    @classmethod
    def _get(cls, context, *conditions):
        model = models.VolumeAttachment
        query = sa.select(model).where(model.deleted == 0, *conditions)
        with session.reader(context) as db:
            rows = db.scalars(query.order_by(model.id)).all()
            return cls._from_db_list(context, VolumeAttachment, rows)

    @classmethod
    def get_by_volume(cls, context, volume_id):
        return cls._get(context,
                        models.VolumeAttachment.volume_id == volume_id)

    @classmethod
    def get_by_instance(cls, context, instance_uuid):
        return cls._get(
            context, models.VolumeAttachment.instance_uuid == instance_uuid)

    @classmethod
    def get_by_volumes(cls, context, volume_ids):
        if not volume_ids:
            return cls(context, objects=[])
        return cls._get(
            context, models.VolumeAttachment.volume_id.in_(list(volume_ids)))
