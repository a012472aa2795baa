"""HostMapping: which cell a compute host belongs to (API database)."""
import sqlalchemy as sa

from migrator.db.api import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import fields


@base.register
class HostMapping(base.MigratorObject, base.MigratorTimestampObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorTimestampObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'host': fields.StringField(),
        'cell_mapping': fields.ObjectField('CellMapping'),
    })

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        for name in ('id', 'host', 'created_at', 'updated_at'):
            setattr(obj, name, db_obj[name])
        obj.cell_mapping = cell_obj.CellMapping._from_db_object(
            context, cell_obj.CellMapping(), db_obj.cell_mapping)
        obj._context = context
        obj.obj_reset_changes()
        return obj

    @classmethod
    def get_by_host(cls, context, host):
        with session.api_reader(context) as db:
            row = db.scalars(sa.select(models.HostMapping).where(
                models.HostMapping.host == host)).first()
            if row is None:
                raise exception.HostMappingNotFound(name=host)
            return cls._from_db_object(context, cls(), row)

    def create(self):
        with session.api_writer(self._context) as db:
            if db.scalars(sa.select(models.HostMapping).where(
                    models.HostMapping.host == self.host)).first():
                raise exception.HostMappingExists(
                    name=self.host, cell_uuid=self.cell_mapping.uuid)
            row = models.HostMapping(host=self.host,
                                     cell_id=self.cell_mapping.id)
            db.add(row)
            db.flush()
            db.refresh(row)
            self._from_db_object(self._context, self, row)

    def destroy(self):
        with session.api_writer(self._context) as db:
            db.execute(sa.delete(models.HostMapping).where(
                models.HostMapping.host == self.host))


@base.register
class HostMappingList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('HostMapping')}

    @classmethod
    def get_all(cls, context):
        with session.api_reader(context) as db:
            rows = db.scalars(sa.select(models.HostMapping)).all()
            return cls._from_db_list(context, HostMapping, rows)
