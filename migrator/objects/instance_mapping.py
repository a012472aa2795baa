"""InstanceMapping: which cell holds an instance (API database)."""
import sqlalchemy as sa

from migrator.db.api import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import fields


@base.register
class InstanceMapping(base.MigratorObject, base.MigratorTimestampObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorTimestampObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'instance_uuid': fields.UUIDField(),
        'cell_mapping': fields.ObjectField('CellMapping', nullable=True),
        'project_id': fields.StringField(),
        'user_id': fields.StringField(nullable=True),
        'queued_for_delete': fields.BooleanField(default=False),
    })

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        for name in ('id', 'instance_uuid', 'project_id', 'user_id',
                     'created_at', 'updated_at'):
            setattr(obj, name, db_obj[name])
        obj.queued_for_delete = bool(db_obj.queued_for_delete)
        obj.cell_mapping = (
            cell_obj.CellMapping._from_db_object(
                context, cell_obj.CellMapping(), db_obj.cell_mapping)
            if db_obj.cell_mapping is not None else None)
        obj._context = context
        obj.obj_reset_changes()
        return obj

    def _db_values(self):
        values = self._changed_values()
        if 'cell_mapping' in self.obj_what_changed():
            values['cell_id'] = (self.cell_mapping.id
                                 if self.cell_mapping else None)
        return values

    @classmethod
    def get_by_instance_uuid(cls, context, instance_uuid):
        with session.api_reader(context) as db:
            row = db.scalars(sa.select(models.InstanceMapping).where(
                models.InstanceMapping.instance_uuid ==
                instance_uuid)).first()
            if row is None:
                raise exception.InstanceMappingNotFound(uuid=instance_uuid)
            return cls._from_db_object(context, cls(), row)

    def create(self):
        with session.api_writer(self._context) as db:
            row = models.InstanceMapping(**self._db_values())
            db.add(row)
            db.flush()
            db.refresh(row)
            self._from_db_object(self._context, self, row)

    def save(self):
        values = self._db_values()
        if values:
            with session.api_writer(self._context) as db:
                db.execute(sa.update(models.InstanceMapping).where(
                    models.InstanceMapping.instance_uuid ==
                    self.instance_uuid).values(**values))
        self.obj_reset_changes()

    def destroy(self):
        with session.api_writer(self._context) as db:
            db.execute(sa.delete(models.InstanceMapping).where(
                models.InstanceMapping.instance_uuid == self.instance_uuid))


@base.register
class InstanceMappingList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('InstanceMapping')}

    @classmethod
    def get_by_project_id(cls, context, project_id):
        with session.api_reader(context) as db:
            rows = db.scalars(sa.select(models.InstanceMapping).where(
                models.InstanceMapping.project_id == project_id)).all()
            return cls._from_db_list(context, InstanceMapping, rows)

    @classmethod
    def get_by_instance_uuids(cls, context, uuids):
        with session.api_reader(context) as db:
            rows = db.scalars(sa.select(models.InstanceMapping).where(
                models.InstanceMapping.instance_uuid.in_(list(uuids)))).all()
            return cls._from_db_list(context, InstanceMapping, rows)

    @classmethod
    def get_not_deleted_by_cells_and_project(cls, context, cell_ids,
                                             project_id=None, limit=None):
        """Mappings of the instances of cells ``cell_ids`` not queued for
        delete (of ``project_id`` when given), newest first: what the
        API knows of servers in a cell that does not answer. Nova's
        map_instances marker rows are left out."""
        model = models.InstanceMapping
        query = sa.select(model).where(
            model.cell_id.in_(list(cell_ids)),
            sa.or_(model.queued_for_delete.is_(None),
                   model.queued_for_delete == sa.false()),
            model.project_id != 'INSTANCE_MIGRATION_MARKER')
        if project_id is not None:
            query = query.where(model.project_id == project_id)
        query = query.order_by(model.created_at.desc(), model.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with session.api_reader(context) as db:
            return cls._from_db_list(context, InstanceMapping,
                                     db.scalars(query).all())
