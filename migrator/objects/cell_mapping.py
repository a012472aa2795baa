"""CellMapping: where a cell's database and message queue are."""
import sqlalchemy as sa

from migrator.db.api import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

CELL0_UUID = '00000000-0000-0000-0000-000000000000'


@base.register
class CellMapping(base.MigratorObject, base.MigratorTimestampObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorTimestampObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'name': fields.StringField(nullable=True),
        'transport_url': fields.StringField(nullable=True),
        'database_connection': fields.StringField(nullable=True),
        'disabled': fields.BooleanField(default=False),
    })

    @property
    def is_cell0(self):
        return self.uuid == CELL0_UUID

    @property
    def identity(self):
        return '%s(%s)' % (self.uuid, self.name) if self.name else self.uuid

    @classmethod
    def get_by_uuid(cls, context, uuid):
        with session.api_reader(context) as db:
            row = db.scalars(sa.select(models.CellMapping).where(
                models.CellMapping.uuid == uuid)).first()
            if row is None:
                raise exception.CellMappingNotFound(uuid=uuid)
            return cls._from_db_object(context, cls(), row)

    def create(self):
        values = self._changed_values()
        with session.api_writer(self._context) as db:
            row = models.CellMapping(**values)
            db.add(row)
            db.flush()
            self._from_db_object(self._context, self, row)

    def save(self):
        values = self._changed_values()
        if values:
            with session.api_writer(self._context) as db:
                db.execute(sa.update(models.CellMapping).where(
                    models.CellMapping.uuid == self.uuid).values(**values))
        self.obj_reset_changes()

    def destroy(self):
        with session.api_writer(self._context) as db:
            db.execute(sa.delete(models.CellMapping).where(
                models.CellMapping.uuid == self.uuid))


@base.register
class CellMappingList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('CellMapping')}

    @classmethod
    def get_all(cls, context):
        with session.api_reader(context) as db:
            rows = db.scalars(sa.select(models.CellMapping).order_by(
                models.CellMapping.id)).all()
            return cls._from_db_list(context, CellMapping, rows)
