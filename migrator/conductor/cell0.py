"""cell0: where a server that could not be scheduled is kept, as in Nova.

When a build finds no host, the build task records the error and the
fault in the cell the API created the instance in; ``bury`` then moves the
instance, its actions and events and its faults to cell0's database and
points its instance mapping there. The order keeps a crash harmless:
copy to cell0, switch the mapping, then delete from the first cell (a
copy left in either place is never what the API reads). A service with no
API database (a cell conductor) or no cell0 mapping leaves the instance
where it is.
"""
import copy

from oslo_log import log as logging
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import instance_mapping as mapping_obj

LOG = logging.getLogger(__name__)


def _columns(row, skip=('id',)):
    """{column name: value} of an ORM row (attribute and column names
    differ: Instance.metadata_json is column ``metadata``)."""
    return {attr.columns[0].name: getattr(row, attr.key)
            for attr in sa.inspect(type(row)).column_attrs
            if attr.columns[0].name not in skip}


def bury(context, instance_uuid):
    """Move instance ``instance_uuid`` to cell0; True if it moved."""
    try:
        cell0 = cell_obj.CellMapping.get_by_uuid(context,
                                                 cell_obj.CELL0_UUID)
        mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
            context, instance_uuid)
    except (exception.ConfigurationError, exception.CellMappingNotFound,
            exception.InstanceMappingNotFound):
        return False
    if mapping.cell_mapping is not None and mapping.cell_mapping.is_cell0:
        return False
    source = copy.copy(context)
    source.cell_uuid = (mapping.cell_mapping.uuid
                        if mapping.cell_mapping else context.cell_uuid)
    target = copy.copy(context)
    target.cell_uuid = cell0.uuid

    with session.reader(source) as db:
        instance = db.scalars(sa.select(models.Instance).where(
            models.Instance.uuid == instance_uuid)).first()
        if instance is None:
            return False
        values = _columns(instance)
        actions = db.scalars(sa.select(models.InstanceAction).where(
            models.InstanceAction.instance_uuid == instance_uuid)).all()
        action_ids = [a.id for a in actions]
        events = db.scalars(sa.select(models.InstanceActionEvent).where(
            models.InstanceActionEvent.action_id.in_(action_ids))).all() \
            if action_ids else []
        faults = db.scalars(sa.select(models.InstanceFault).where(
            models.InstanceFault.instance_uuid == instance_uuid)).all()
        actions = [(a.id, _columns(a)) for a in actions]
        events = [_columns(e) for e in events]
        faults = [_columns(f) for f in faults]

    with session.writer(target) as db:
        if db.scalars(sa.select(models.Instance.id).where(
                models.Instance.uuid == instance_uuid)).first() is None:
            db.execute(models.Instance.__table__.insert().values(**values))
            new_ids = {}
            for old_id, action in actions:
                result = db.execute(
                    models.InstanceAction.__table__.insert().values(
                        **action))
                new_ids[old_id] = result.inserted_primary_key[0]
            for event in events:
                event['action_id'] = new_ids[event['action_id']]
                db.execute(models.InstanceActionEvent.__table__.insert()
                           .values(**event))
            for fault in faults:
                db.execute(models.InstanceFault.__table__.insert().values(
                    **fault))

    mapping.cell_mapping = cell0
    mapping.save()

    with session.writer(source) as db:
        if action_ids:
            db.execute(sa.delete(models.InstanceActionEvent).where(
                models.InstanceActionEvent.action_id.in_(action_ids)))
        for model in (models.InstanceAction, models.InstanceFault):
            db.execute(sa.delete(model).where(
                model.instance_uuid == instance_uuid))
        db.execute(sa.delete(models.Instance).where(
            models.Instance.uuid == instance_uuid))
    LOG.info('Instance %s could not be scheduled; moved to cell0',
             instance_uuid)
    return True
