"""InstanceFault: why an instance went wrong, shown by `server show`."""
import traceback as tb_module

import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator.objects import base
from migrator.objects import fields


@base.register
class InstanceFault(base.MigratorObject, base.MigratorPersistentObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'instance_uuid': fields.UUIDField(),
        'code': fields.IntegerField(),
        'message': fields.StringField(nullable=True),
        'details': fields.StringField(nullable=True),
        'host': fields.StringField(nullable=True),
    })

    @classmethod
    def record(cls, context, instance_uuid, exc, host=None, exc_tb=None):
        code = getattr(exc, 'code', 500)
        if not isinstance(code, int):
            code = 500
        message = (exc.format_message() if hasattr(exc, 'format_message')
                   else str(exc)) or type(exc).__name__
        details = ''.join(tb_module.format_tb(exc_tb)) if exc_tb else ''
        with session.writer(context) as db:
            row = models.InstanceFault(
                instance_uuid=instance_uuid, code=code,
                message=message[:255], details=details, host=host)
            db.add(row)
            db.flush()
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_latest_for_instance(cls, context, instance_uuid):
        model = models.InstanceFault
        with session.reader(context) as db:
            row = db.scalars(sa.select(model).where(
                model.instance_uuid == instance_uuid,
                model.deleted == 0).order_by(
                    model.created_at.desc(), model.id.desc())).first()
            return cls._from_db_object(context, cls(), row) if row else None
