"""InstanceAction and InstanceActionEvent: what was done to an instance,
step by step, keyed by the request id that asked for it."""
import traceback as tb_module

from oslo_utils import timeutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

SUCCESS = 'Success'
ERROR = 'Error'


# Built once: building a statement costs more than running it.
_INSERT = sa.insert(models.InstanceAction.__table__)


def _start_values(context, instance_uuid, action, now):
    """The columns of a new action (every field of InstanceAction but
    its id)."""
    return dict(action=action, instance_uuid=instance_uuid,
                request_id=context.request_id, user_id=context.user_id,
                project_id=context.project_id, start_time=now,
                finish_time=None, message=None, created_at=now,
                updated_at=now)


def _insert(db, values):
    # A Core INSERT: the ORM's unit of work (an object, a flush) costs
    # several times the statement (benchmarks/bench_accept_latency.py).
    return db.connection().execute(_INSERT, values).inserted_primary_key[0]


@base.register
class InstanceAction(base.MigratorObject, base.MigratorTimestampObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorTimestampObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'action': fields.StringField(nullable=True),
        'instance_uuid': fields.UUIDField(nullable=True),
        'request_id': fields.StringField(nullable=True),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'start_time': fields.DateTimeField(nullable=True),
        'finish_time': fields.DateTimeField(nullable=True),
        'message': fields.StringField(nullable=True),
    })

    @classmethod
    def action_start(cls, context, instance_uuid, action):
        """Record that ``context``'s request started ``action``."""
        values = _start_values(context, instance_uuid, action,
                               timeutils.utcnow())
        with session.writer(context) as db:
            values['id'] = _insert(db, values)
        return cls._from_db_object(context, cls(), base.ValuesRow(values))

    @staticmethod
    def start_in(db, context, instance_uuid, action, now):
        """``action_start`` in the caller's transaction ``db``, started at
        ``now``, no object made: the new action's id."""
        return _insert(db, _start_values(context, instance_uuid, action,
                                         now))

    @classmethod
    def get_by_request_id(cls, context, instance_uuid, request_id):
        model = models.InstanceAction
        with session.reader(context) as db:
            row = db.scalars(sa.select(model).where(
                model.instance_uuid == instance_uuid,
                model.request_id == request_id).order_by(
                    model.id.desc())).first()
            if row is None:
                raise exception.InstanceActionNotFound(
                    request_id=request_id, instance_uuid=instance_uuid)
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def close_interrupted(cls, context, instance_uuid, action, reason):
        """The newest ``action`` of the instance was cut short (a service
        died or stopped): close its open events as Error with ``reason``
        and set its message. Returns how many events it closed."""
        now = timeutils.utcnow()
        model = models.InstanceAction
        event_model = models.InstanceActionEvent
        with session.writer(context) as db:
            row = db.scalars(sa.select(model).where(
                model.instance_uuid == instance_uuid,
                model.action == action).order_by(model.id.desc())).first()
            if row is None:
                return 0
            events = db.scalars(sa.select(event_model).where(
                event_model.action_id == row.id,
                event_model.finish_time.is_(None))).all()
            for event in events:
                event.update({'finish_time': now, 'result': ERROR,
                              'details': reason})
            if events or row.message is None:
                row.message = ERROR
                row.updated_at = now
            return len(events)


@base.register
class InstanceActionList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('InstanceAction')}

    @classmethod
    def get_by_instance_uuid(cls, context, instance_uuid, limit=None,
                             marker=None, filters=None):
        """Newest first; ``marker`` is a request id; ``filters`` may hold
        'changes-since' and 'changes-before' (on updated_at)."""
        filters = filters or {}
        model = models.InstanceAction
        query = sa.select(model).where(model.instance_uuid == instance_uuid)
        if filters.get('changes-since'):
            query = query.where(model.updated_at >= filters['changes-since'])
        if filters.get('changes-before'):
            query = query.where(
                model.updated_at <= filters['changes-before'])
        with session.reader(context) as db:
            marker_row = base.find_marker(
                db, model, marker, model.instance_uuid == instance_uuid,
                model.request_id == marker)
            query = base.sort_and_page(query, model, 'created_at', 'desc',
                                       marker_row, limit)
            return cls._from_db_list(context, InstanceAction,
                                     db.scalars(query).all())


@base.register
class InstanceActionEvent(base.MigratorObject,
                          base.MigratorTimestampObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = dict(base.MigratorTimestampObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'event': fields.StringField(nullable=True),
        'action_id': fields.IntegerField(nullable=True),
        'start_time': fields.DateTimeField(nullable=True),
        'finish_time': fields.DateTimeField(nullable=True),
        'result': fields.StringField(nullable=True),
        'traceback': fields.StringField(nullable=True),
        'host': fields.StringField(nullable=True),
        'details': fields.StringField(nullable=True),
    })

    @staticmethod
    def _action_row(db, context, instance_uuid):
        model = models.InstanceAction
        row = db.scalars(sa.select(model).where(
            model.instance_uuid == instance_uuid,
            model.request_id == context.request_id).order_by(
                model.id.desc())).first()
        if row is None:
            raise exception.InstanceActionNotFound(
                request_id=context.request_id, instance_uuid=instance_uuid)
        return row

    @classmethod
    def event_start(cls, context, instance_uuid, event_name, host=None):
        now = timeutils.utcnow()
        with session.writer(context) as db:
            action = cls._action_row(db, context, instance_uuid)
            action.updated_at = now
            row = models.InstanceActionEvent(
                event=event_name, action_id=action.id, start_time=now,
                host=host)
            db.add(row)
            db.flush()
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def event_finish(cls, context, instance_uuid, event_name, exc_val=None,
                     exc_tb=None, host=None):
        """Close the newest open ``event_name`` of the request's action.

        With an exception the result is Error, its message becomes the
        details and the action's message becomes 'Error'."""
        now = timeutils.utcnow()
        values = {'finish_time': now, 'result': SUCCESS}
        if exc_val is not None:
            values['result'] = ERROR
            values['details'] = (exc_val.format_message()
                                 if hasattr(exc_val, 'format_message')
                                 else str(exc_val)) or type(exc_val).__name__
            if exc_tb is not None and not isinstance(exc_tb, str):
                exc_tb = ''.join(tb_module.format_tb(exc_tb))
            values['traceback'] = exc_tb
        model = models.InstanceActionEvent
        with session.writer(context) as db:
            action = cls._action_row(db, context, instance_uuid)
            action.updated_at = now
            if exc_val is not None:
                action.message = ERROR
            row = db.scalars(sa.select(model).where(
                model.action_id == action.id, model.event == event_name,
                model.finish_time.is_(None)).order_by(
                    model.id.desc())).first()
            if row is None:
                row = model(event=event_name, action_id=action.id,
                            start_time=now, host=host)
                db.add(row)
            row.update(values)
            db.flush()
            return cls._from_db_object(context, cls(), row)


@base.register
class InstanceActionEventList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('InstanceActionEvent')}

    @classmethod
    def get_by_action(cls, context, action_id):
        model = models.InstanceActionEvent
        with session.reader(context) as db:
            rows = db.scalars(sa.select(model).where(
                model.action_id == action_id).order_by(
                    model.start_time.desc(), model.id.desc())).all()
            return cls._from_db_list(context, InstanceActionEvent, rows)
