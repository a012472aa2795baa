"""Service: one running migrator service on one host, with its heartbeat."""
from oslo_config import cfg
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

CONF = cfg.CONF

# The version of the code a service runs, written into its Service row so
# that others can tell what it understands. Bump it with every change that
# a peer must know about, and say what it means here.
#   1: live migration with async pre-checks and progress reporting.
#   2: cold migration and resize, copying PMEM namespaces when asked
#      (copy_pmem_devices, seed 003).
#   3: volume attach, detach and swap on the compute (the compute_volumes
#      RPC namespace, seed 002); migrator-volume services report it too.
SERVICE_VERSION = 3

# The oldest compute service version that can copy PMEM data.
PMEM_COPY_MIN_VERSION = 2


@base.register
class Service(base.CellRowMixin, base.MigratorObject,
              base.MigratorPersistentObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.Service

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'host': fields.StringField(nullable=True),
        'binary': fields.StringField(nullable=True),
        'topic': fields.StringField(nullable=True),
        'report_count': fields.IntegerField(default=0),
        'disabled': fields.BooleanField(default=False),
        'disabled_reason': fields.StringField(nullable=True),
        'last_seen_up': fields.DateTimeField(nullable=True),
        'forced_down': fields.BooleanField(default=False),
        'version': fields.IntegerField(default=0),
    })

    @classmethod
    def get_by_id(cls, context, service_id):
        return cls._get_one(context, models.Service.id == service_id,
                            not_found=exception.ServiceNotFound(
                                service_id=service_id))

    @classmethod
    def get_by_uuid(cls, context, uuid):
        return cls._get_one(context, models.Service.uuid == uuid,
                            not_found=exception.ServiceNotFound(
                                service_id=uuid))

    @classmethod
    def get_by_host_and_binary(cls, context, host, binary):
        return cls._get_one(context, models.Service.host == host,
                            models.Service.binary == binary,
                            not_found=exception.HostBinaryNotFound(
                                host=host, binary=binary))

    @classmethod
    def get_by_compute_host(cls, context, host):
        try:
            return cls.get_by_host_and_binary(context, host,
                                              'migrator-compute')
        except exception.HostBinaryNotFound:
            raise exception.ComputeHostNotFound(host=host)

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

    def heartbeat(self):
        """Record that the service is alive (one UPDATE, no read)."""
        now = timeutils.utcnow()
        with session.writer(self._context) as db:
            db.execute(sa.update(models.Service).where(
                models.Service.id == self.id).values(
                    last_seen_up=now,
                    report_count=models.Service.report_count + 1))
        self.last_seen_up = now
        self.obj_reset_changes(['last_seen_up'])

    def destroy(self):
        with session.writer(self._context) as db:
            db.execute(sa.update(models.Service).where(
                models.Service.id == self.id).values(
                    **base.soft_delete_values(self.id)))

    @property
    def is_up(self):
        if self.forced_down or self.last_seen_up is None:
            return False
        age = timeutils.delta_seconds(
            timeutils.normalize_time(self.last_seen_up),
            timeutils.utcnow())
        return abs(age) <= CONF.service_down_time


@base.register
class ServiceList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('Service')}

    @classmethod
    def get_all(cls, context, binary=None, host=None, disabled=None):
        model = models.Service
        query = base.read_deleted_filter(sa.select(model), model, context)
        if binary:
            query = query.where(model.binary == binary)
        if isinstance(host, (list, tuple, set)):
            query = query.where(model.host.in_(sorted(host)))
        elif host:
            query = query.where(model.host == host)
        if disabled is not None:
            query = query.where(model.disabled == disabled)
        with session.reader(context) as db:
            rows = db.scalars(query.order_by(model.id)).all()
            return cls._from_db_list(context, Service, rows)

    @classmethod
    def get_minimum_version(cls, context, binary):
        with session.reader(context) as db:
            return db.scalar(sa.select(sa.func.min(
                models.Service.version)).where(
                    models.Service.binary == binary,
                    models.Service.deleted == 0)) or 0
