"""PmemNamespace: one persistent-memory namespace of a compute host and the
instance it is assigned to; MigrationContext: what a cold migration or
resize moves (flavors, old and new namespaces)."""
from oslo_serialization import jsonutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields
from migrator.objects import flavor as flavor_obj

_NS_PLAIN = ('id', 'host', 'name', 'label', 'size', 'devpath', 'backing',
             'instance_uuid', 'migration_uuid', 'created_at', 'updated_at')


@base.register
class PmemNamespace(base.CellRowMixin, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.PmemNamespace
    _db_fields = _NS_PLAIN

    fields = {
        'id': fields.IntegerField(read_only=True),
        'host': fields.StringField(),
        'name': fields.StringField(),
        'label': fields.StringField(),
        'size': fields.IntegerField(),
        'devpath': fields.StringField(),
        'backing': fields.StringField(),
        'instance_uuid': fields.StringField(nullable=True),
        'migration_uuid': fields.StringField(nullable=True),
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
    }

    def as_dict(self):
        """The plain dict drivers and the copy are given."""
        return {'host': self.host, 'name': self.name, 'label': self.label,
                'size': self.size, 'devpath': self.devpath,
                'backing': self.backing}


@base.register
class PmemNamespaceList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('PmemNamespace')}

    @classmethod
    def _get(cls, context, *conditions):
        model = models.PmemNamespace
        with session.reader(context) as db:
            rows = db.scalars(sa.select(model).where(*conditions).order_by(
                model.host, model.label, model.name)).all()
            return cls._from_db_list(context, PmemNamespace, rows)

    @classmethod
    def get_by_host(cls, context, host):
        return cls._get(context, models.PmemNamespace.host == host)

    @classmethod
    def get_by_instance(cls, context, instance_uuid, host=None):
        conds = [models.PmemNamespace.instance_uuid == instance_uuid]
        if host is not None:
            conds.append(models.PmemNamespace.host == host)
        return cls._get(context, *conds)

    @classmethod
    def get_by_migration(cls, context, migration_uuid):
        return cls._get(context,
                        models.PmemNamespace.migration_uuid == migration_uuid)

    @classmethod
    def free_by_label(cls, context, host):
        """{label: number of free namespaces} of ``host``."""
        return cls.free_by_label_of_hosts(context, [host])[host]

    @classmethod
    def free_by_label_of_hosts(cls, context, hosts):
        """{host: {label: number of free namespaces}} of each of
        ``hosts``, in one query."""
        model = models.PmemNamespace
        free = {host: {} for host in hosts}
        with session.reader(context) as db:
            rows = db.execute(sa.select(
                model.host, model.label, sa.func.count()).where(
                    model.host.in_(sorted(free)),
                    model.instance_uuid.is_(None)).group_by(
                        model.host, model.label)).all()
        for host, label, count in rows:
            free[host][label] = count
        return free

    @classmethod
    def sync_host(cls, context, host, namespaces):
        """Make the records of ``host`` match what its driver reports
        (``[{name, label, size, devpath, backing}]``): new namespaces are
        added free, changed ones updated, vanished free ones removed. An
        assigned namespace that vanished is kept (and logged by the
        caller) so that its instance's record stays true."""
        model = models.PmemNamespace
        wanted = {ns['name']: ns for ns in namespaces}
        kept_assigned = []
        with session.writer(context) as db:
            rows = {row.name: row for row in db.scalars(
                sa.select(model).where(model.host == host)).all()}
            for name, ns in wanted.items():
                row = rows.get(name)
                if row is None:
                    db.add(model(host=host, name=name, label=ns['label'],
                                 size=ns['size'], devpath=ns['devpath'],
                                 backing=ns['backing']))
                    continue
                for key in ('label', 'size', 'devpath', 'backing'):
                    if getattr(row, key) != ns[key]:
                        setattr(row, key, ns[key])
            for name, row in rows.items():
                if name in wanted:
                    continue
                if row.instance_uuid is None:
                    db.delete(row)
                else:
                    kept_assigned.append(name)
        return kept_assigned

    @classmethod
    def claim(cls, context, host, instance_uuid, labels,
              migration_uuid=None):
        """Assign one free namespace of ``host`` per label to the instance,
        all or none (InsufficientResources), in one transaction; each
        row is taken with a compare-and-swap on ``instance_uuid IS NULL``
        so that two claims never share a namespace."""
        model = models.PmemNamespace
        taken = []
        with session.writer(context) as db:
            for label in labels:
                got = None
                candidates = db.scalars(sa.select(model).where(
                    model.host == host, model.label == label,
                    model.instance_uuid.is_(None)).order_by(
                        model.name)).all()
                for row in candidates:
                    if row.id in taken:
                        continue
                    result = db.execute(sa.update(model).where(
                        model.id == row.id,
                        model.instance_uuid.is_(None)).values(
                            instance_uuid=instance_uuid,
                            migration_uuid=migration_uuid))
                    if result.rowcount == 1:
                        got = row.id
                        break
                if got is None:
                    # Leaving the block with an exception rolls back the
                    # namespaces taken so far.
                    raise exception.InsufficientResources(
                        host=host, reason='no free PMEM namespace labelled '
                                          '%s' % label)
                taken.append(got)
        if not taken:
            return cls(context, objects=[])
        return cls._get(context, model.id.in_(taken))

    @classmethod
    def release(cls, context, host, names):
        """Free the namespaces ``names`` of ``host``."""
        if not names:
            return
        model = models.PmemNamespace
        with session.writer(context) as db:
            db.execute(sa.update(model).where(
                model.host == host, model.name.in_(list(names))).values(
                    instance_uuid=None, migration_uuid=None))

    @classmethod
    def adopt(cls, context, host, names):
        """The namespaces ``names`` of ``host`` now simply belong to their
        instance: the move that claimed them is over."""
        if not names:
            return
        model = models.PmemNamespace
        with session.writer(context) as db:
            db.execute(sa.update(model).where(
                model.host == host, model.name.in_(list(names))).values(
                    migration_uuid=None))


@base.register
class MigrationContext(base.CellRowMixin, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    _model = models.MigrationContext
    _db_fields = ('id', 'instance_uuid', 'migration_uuid',
                  'copy_pmem_devices', 'old_vm_state', 'created_at',
                  'updated_at')

    fields = {
        'id': fields.IntegerField(read_only=True),
        'instance_uuid': fields.StringField(),
        'migration_uuid': fields.StringField(),
        'old_flavor': fields.ObjectField('Flavor', nullable=True),
        'new_flavor': fields.ObjectField('Flavor', nullable=True),
        'old_pmem': fields.JsonField(default=[]),
        'new_pmem': fields.JsonField(default=[]),
        'copy_pmem_devices': fields.BooleanField(default=False),
        'old_vm_state': fields.StringField(nullable=True),
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
    }

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        super()._from_db_object(context, obj, db_obj)
        for name in ('old_flavor', 'new_flavor'):
            value = db_obj[name]
            setattr(obj, name, flavor_obj.Flavor.from_snapshot(
                jsonutils.loads(value)) if value else None)
        obj.old_pmem = jsonutils.loads(db_obj.old_pmem or '[]')
        obj.new_pmem = jsonutils.loads(db_obj.new_pmem or '[]')
        obj.copy_pmem_devices = bool(db_obj.copy_pmem_devices)
        obj.obj_reset_changes()
        return obj

    def _db_values(self):
        values = {}
        changed = self.obj_what_changed()
        for name in changed:
            value = getattr(self, name)
            if name in ('old_flavor', 'new_flavor'):
                value = jsonutils.dumps(value.snapshot()) if value else None
            elif name in ('old_pmem', 'new_pmem'):
                value = jsonutils.dumps(value or [])
            values[name] = value
        values.pop('id', None)
        return values

    @classmethod
    def get_by_instance_uuid(cls, context, instance_uuid):
        model = models.MigrationContext
        with session.reader(context) as db:
            row = db.scalars(sa.select(model).where(
                model.instance_uuid == instance_uuid)).first()
            if row is None:
                raise exception.MigrationContextNotFound(
                    instance_uuid=instance_uuid)
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_for_migration(cls, context, migration):
        """The context of ``migration``, or None (already ended)."""
        try:
            ctx = cls.get_by_instance_uuid(context, migration.instance_uuid)
        except exception.MigrationContextNotFound:
            return None
        return ctx if ctx.migration_uuid == migration.uuid else None

    def create(self):
        self._insert(self._db_values())

    def save(self):
        self._update(self._db_values())

    def destroy(self):
        with session.writer(self._context) as db:
            db.execute(sa.delete(models.MigrationContext).where(
                models.MigrationContext.id == self.id))
