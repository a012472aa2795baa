"""ComputeNode: the inventory and usage one compute host reports."""
from oslo_utils import uuidutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields


@base.register
class ComputeNode(base.CellRowMixin, base.MigratorObject,
                  base.MigratorPersistentObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.ComputeNode

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'service_id': fields.IntegerField(nullable=True),
        'host': fields.StringField(nullable=True),
        'hypervisor_hostname': fields.StringField(nullable=True),
        'hypervisor_type': fields.StringField(nullable=True),
        'hypervisor_version': fields.IntegerField(nullable=True),
        'cpu_info': fields.StringField(nullable=True),
        'host_ip': fields.StringField(nullable=True),
        'vcpus': fields.IntegerField(),
        'memory_mb': fields.IntegerField(),
        'local_gb': fields.IntegerField(),
        'vcpus_used': fields.IntegerField(default=0),
        'memory_mb_used': fields.IntegerField(default=0),
        'local_gb_used': fields.IntegerField(default=0),
        'running_vms': fields.IntegerField(default=0),
        'cpu_allocation_ratio': fields.FloatField(nullable=True),
        'ram_allocation_ratio': fields.FloatField(nullable=True),
        'disk_allocation_ratio': fields.FloatField(nullable=True),
    })

    @classmethod
    def get_by_host_and_nodename(cls, context, host, nodename):
        model = models.ComputeNode
        with session.reader(context) as db:
            row = db.scalars(sa.select(model).where(
                model.host == host, model.hypervisor_hostname == nodename,
                model.deleted == 0)).first()
            if row is None:
                raise exception.ComputeNodeNotFound(node=nodename)
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_by_id(cls, context, node_id):
        model = models.ComputeNode
        with session.reader(context) as db:
            row = db.scalars(sa.select(model).where(
                model.id == node_id, model.deleted == 0)).first()
            if row is None:
                raise exception.ComputeNodeNotFound(node=node_id)
            return cls._from_db_object(context, cls(), row)

    def create(self):
        if not self.obj_attr_is_set('uuid'):
            self.uuid = uuidutils.generate_uuid()
        values = self._changed_values()
        values.pop('deleted', None)
        self._insert(values)

    def save(self):
        values = self._changed_values()
        values.pop('deleted', None)
        self._update(values)


@base.register
class ComputeNodeList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('ComputeNode')}

    @classmethod
    def get_all(cls, context):
        model = models.ComputeNode
        with session.reader(context) as db:
            rows = db.scalars(sa.select(model).where(
                model.deleted == 0).order_by(model.id)).all()
            return cls._from_db_list(context, ComputeNode, rows)

    @classmethod
    def get_all_by_host(cls, context, host):
        model = models.ComputeNode
        with session.reader(context) as db:
            rows = db.scalars(sa.select(model).where(
                model.host == host, model.deleted == 0)).all()
            if not rows:
                raise exception.ComputeHostNotFound(host=host)
            return cls._from_db_list(context, ComputeNode, rows)
