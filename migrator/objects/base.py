"""Base classes, registry and RPC serializer of migrator's versioned
objects."""
from oslo_utils import timeutils
from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import exception as ovo_exception
from oslo_versionedobjects import fields as ovo_fields
import sqlalchemy as sa

from migrator.db import session

from migrator import exception


class MigratorObjectRegistry(ovo_base.VersionedObjectRegistry):
    notification_classes = []


register = MigratorObjectRegistry.register


class MigratorObject(ovo_base.VersionedObject):
    OBJ_SERIAL_NAMESPACE = 'migrator_object'
    OBJ_PROJECT_NAMESPACE = 'migrator'

    # Fields copied verbatim from a DB row; subclasses that compute or
    # nest fields list only the plain ones here.
    _db_fields = None

    @classmethod
    def _plain_fields(cls):
        if cls._db_fields is not None:
            return cls._db_fields
        return [name for name, field in cls.fields.items()
                if not isinstance(field, ovo_fields.ObjectField)]

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        fields = cls.fields
        state = obj.__dict__
        for name in cls._plain_fields():
            value = getattr(db_obj, name)
            if name == 'deleted' and isinstance(value, int):
                value = bool(value)
            attr = '_obj_' + name
            if attr in state:
                # Already set: the field's setter checks read-only ones.
                setattr(obj, name, value)
            else:
                # What the setter stores, without its bookkeeping (the
                # changes are reset below): a page of 1,000 migrations
                # is made a quarter faster.
                state[attr] = fields[name].coerce(obj, name, value)
        obj._context = context
        obj.obj_reset_changes()
        return obj

    def _changed_values(self):
        values = self.obj_get_changes()
        for name, value in list(values.items()):
            if isinstance(self.fields[name], ovo_fields.ObjectField):
                values.pop(name)
        values.pop('id', None)
        return values

    @classmethod
    def obj_from_primitive(cls, primitive, context=None):
        # oslo.versionedobjects reads the fields out of whatever the data
        # is (a string gives an object with nothing set): refuse it.
        data = primitive.get(cls._obj_primitive_key('data')) \
            if isinstance(primitive, dict) else None
        if not isinstance(data, dict):
            raise ValueError('object data is a %s, not a dict'
                             % type(data).__name__)
        return super().obj_from_primitive(primitive, context)

    def obj_require(self, *names):
        for name in names:
            if not self.obj_attr_is_set(name):
                raise exception.ObjectActionError(
                    action='save', reason='%s is not set' % name)


class MigratorTimestampObject:
    fields = {
        'created_at': ovo_fields.DateTimeField(nullable=True),
        'updated_at': ovo_fields.DateTimeField(nullable=True),
    }


class MigratorPersistentObject:
    """Timestamps and soft-delete fields of a cell-database row."""
    fields = {
        'created_at': ovo_fields.DateTimeField(nullable=True),
        'updated_at': ovo_fields.DateTimeField(nullable=True),
        'deleted_at': ovo_fields.DateTimeField(nullable=True),
        'deleted': ovo_fields.BooleanField(default=False),
    }


class ObjectListBase(ovo_base.ObjectListBase):
    @classmethod
    def _from_db_list(cls, context, item_cls, db_rows):
        return ovo_base.obj_make_list(context, cls(context), item_cls,
                                      db_rows)


def soft_delete_values(row_id):
    return {'deleted': row_id, 'deleted_at': timeutils.utcnow()}


def read_deleted_filter(query, model, context):
    """Apply the context's read_deleted to a select of ``model``."""
    mode = getattr(context, 'read_deleted', 'no')
    if mode == 'no':
        return query.where(model.deleted == 0)
    if mode == 'only':
        return query.where(model.deleted != 0)
    return query


def find_marker(db, model, marker, *conditions):
    """The row a list's ``marker`` names (the row matching
    ``conditions``), None without a marker, or MarkerNotFound."""
    if marker is None:
        return None
    row = db.scalars(sa.select(model).where(*conditions)).first()
    if row is None:
        raise exception.MarkerNotFound(marker=marker)
    return row


def sort_and_page(query, model, sort_key, sort_dir, marker_row=None,
                  limit=None):
    """Order ``query`` by ``sort_key`` then id, both ``sort_dir``, and keep
    only the rows after ``marker_row`` (keyset pagination: with an index on
    (sort_key, id) a page costs the same wherever it starts)."""
    key_col = getattr(model, sort_key)
    desc = sort_dir == 'desc'
    if marker_row is not None:
        mval = getattr(marker_row, sort_key)
        # The redundant bound (key <= marker's, or >=) lets the database
        # seek the index to the marker instead of scanning it from the top
        # and filtering with the OR (SQLite does not derive a range from
        # an OR).
        if desc:
            after = sa.and_(key_col <= mval, sa.or_(
                key_col < mval, model.id < marker_row.id))
        else:
            after = sa.and_(key_col >= mval, sa.or_(
                key_col > mval, model.id > marker_row.id))
        query = query.where(after)
    if desc:
        query = query.order_by(key_col.desc(), model.id.desc())
    else:
        query = query.order_by(key_col.asc(), model.id.asc())
    if limit is not None:
        query = query.limit(limit)
    return query


class ValuesRow:
    """The values of a row just written, read as the row
    (``_from_db_object`` reads attributes)."""

    def __init__(self, values):
        self.__dict__.update(values)


class CellRowMixin:
    """Reading and writing an object kept as one row of ``_model`` in a
    cell database (soft-deleted rows follow the context's read_deleted)."""
    _model = None

    @classmethod
    def _get_one(cls, context, *conditions, not_found):
        query = read_deleted_filter(sa.select(cls._model), cls._model,
                                    context)
        with session.reader(context) as db:
            row = db.scalars(query.where(*conditions)).first()
            if row is None:
                raise not_found
            return cls._from_db_object(context, cls(), row)

    def _insert(self, values):
        with session.writer(self._context) as db:
            row = self._model(**values)
            db.add(row)
            db.flush()
            self._from_db_object(self._context, self, row)

    def _update(self, values):
        if values:
            with session.writer(self._context) as db:
                db.execute(sa.update(self._model).where(
                    self._model.id == self.id).values(**values))
        self.obj_reset_changes()

    def _copy_from(self, fresh):
        for name in self.fields:
            if fresh.obj_attr_is_set(name):
                setattr(self, name, getattr(fresh, name))
        self.obj_reset_changes()


class MigratorObjectSerializer(ovo_base.VersionedObjectSerializer):
    """Objects over RPC. An object this code cannot read (a version
    newer than it knows, with no indirection service to backport it; an
    unknown class; a garbage primitive) is refused as
    RPCMessageRejected, which names the object, instead of failing
    somewhere inside oslo.versionedobjects."""
    OBJ_BASE_CLASS = MigratorObject

    def deserialize_entity(self, context, entity):
        try:
            return super().deserialize_entity(context, entity)
        except ovo_exception.IncompatibleObjectVersion as exc:
            raise exception.RPCMessageRejected(
                reason='object %s version %s is not one this service can '
                       'read (it has %s)' % (
                           exc.kwargs.get('objname'),
                           exc.kwargs.get('objver'),
                           exc.kwargs.get('supported')))
        except (ovo_exception.VersionedObjectsException, ValueError,
                TypeError, KeyError, AttributeError) as exc:
            raise exception.RPCMessageRejected(
                reason='unreadable object: %s: %s' % (type(exc).__name__,
                                                      exc))
