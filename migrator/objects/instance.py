"""Instance: a server in one cell's database."""
from oslo_serialization import jsonutils
from oslo_utils import timeutils
import sqlalchemy as sa

from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields
from migrator.objects import flavor as flavor_obj

# vm_state values (Nova's).
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
STOPPED = 'stopped'
ERROR = 'error'
DELETED = 'deleted'
RESIZED = 'resized'

# task_state values used by migrator.
SCHEDULING = 'scheduling'
SPAWNING = 'spawning'
MIGRATING = 'migrating'
DELETING = 'deleting'
RESIZE_PREP = 'resize_prep'
RESIZE_MIGRATING = 'resize_migrating'
RESIZE_MIGRATED = 'resize_migrated'
RESIZE_FINISH = 'resize_finish'
RESIZE_REVERTING = 'resize_reverting'
RESIZE_CONFIRMING = 'resize_confirming'

_PLAIN = ('id', 'uuid', 'display_name', 'user_id', 'project_id', 'host',
          'node', 'vm_state', 'task_state', 'power_state', 'image_ref',
          'instance_type_id', 'memory_mb', 'vcpus', 'root_gb',
          'ephemeral_gb', 'locked', 'locked_by', 'progress',
          'availability_zone', 'launched_at', 'terminated_at',
          'created_at', 'updated_at', 'deleted_at', 'deleted')

# The instances table's columns under the model's attribute names (its
# "metadata" column is the model's metadata_json): a Core row of them
# reads as a model row.
_ROW_COLUMNS = tuple(
    prop.columns[0] if prop.key == prop.columns[0].key
    else prop.columns[0].label(prop.key)
    for prop in sa.inspect(models.Instance).column_attrs)


# Statements built once (building one, and its cache key, costs more
# than running it), with bound parameters named b_*.
_TABLE = models.Instance.__table__
_BY_UUID = {}   # read_deleted -> the select of one row by uuid
_CLAIM = sa.update(_TABLE).where(
    _TABLE.c.uuid == sa.bindparam('b_uuid'), _TABLE.c.deleted == 0,
    _TABLE.c.task_state.is_(None),
    _TABLE.c.vm_state.in_(sa.bindparam('b_vm_states', expanding=True)),
).values(task_state=sa.bindparam('b_task_state'),
         updated_at=sa.bindparam('b_updated_at'))
# The state a lost compare-and-swap met, the row locked.
_STATE_NOW = sa.select(_TABLE.c.task_state, _TABLE.c.deleted).where(
    _TABLE.c.uuid == sa.bindparam('b_uuid')).with_for_update()


def _by_uuid(context):
    """The Core select of one whole instance row by uuid (b_uuid), with
    the context's read_deleted: its columns named as the model's
    attributes, so that ``_from_db_object`` reads it as a model row."""
    mode = getattr(context, 'read_deleted', 'no')
    query = _BY_UUID.get(mode)
    if query is None:
        query = _BY_UUID[mode] = base.read_deleted_filter(
            sa.select(*_ROW_COLUMNS), models.Instance, context).where(
                models.Instance.uuid == sa.bindparam('b_uuid'))
    return query


def _refuse(uuid, expected, row):
    """A compare-and-swap on ``uuid`` changed nothing: why, from the row
    as it is now (locked; None if gone)."""
    if row is None or row.deleted:
        raise exception.InstanceNotFound(instance_id=uuid)
    raise exception.UnexpectedTaskStateError(
        instance_uuid=uuid, expected=expected, actual=row.task_state)


# The keys of server_attributes (the request fields Nova accepts that
# migrator keeps for the API only; views/servers.py shows them).
ATTRIBUTE_KEYS = ('description', 'hostname', 'access_ip_v4',
                  'access_ip_v6', 'auto_disk_config', 'key_name',
                  'config_drive', 'user_data', 'security_groups',
                  'trusted_image_certificates', 'scheduler_hints',
                  'requested_networks', 'pinned_availability_zone')


def _flavor_of(row):
    """The Flavor of an instance row's snapshot, or None."""
    return (flavor_obj.Flavor.from_snapshot(jsonutils.loads(row.flavor))
            if row.flavor else None)


@base.register
class Instance(base.CellRowMixin, base.MigratorObject,
               base.MigratorPersistentObject):
    # Version 1.0: Initial version
    # Version 1.1: server_attributes, tags
    VERSION = '1.1'
    _model = models.Instance

    fields = dict(base.MigratorPersistentObject.fields, **{
        'id': fields.IntegerField(read_only=True),
        'uuid': fields.UUIDField(),
        'display_name': fields.StringField(nullable=True),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'host': fields.StringField(nullable=True),
        'node': fields.StringField(nullable=True),
        'vm_state': fields.StringField(nullable=True),
        'task_state': fields.StringField(nullable=True),
        'power_state': fields.IntegerField(nullable=True),
        'image_ref': fields.StringField(nullable=True),
        'instance_type_id': fields.IntegerField(nullable=True),
        'flavor': fields.ObjectField('Flavor', nullable=True),
        'memory_mb': fields.IntegerField(nullable=True),
        'vcpus': fields.IntegerField(nullable=True),
        'root_gb': fields.IntegerField(nullable=True),
        'ephemeral_gb': fields.IntegerField(nullable=True),
        'metadata': fields.DictOfStringsField(default={}),
        'locked': fields.BooleanField(default=False),
        'locked_by': fields.StringField(nullable=True),
        'progress': fields.IntegerField(nullable=True),
        'availability_zone': fields.StringField(nullable=True),
        'launched_at': fields.DateTimeField(nullable=True),
        'terminated_at': fields.DateTimeField(nullable=True),
        # ATTRIBUTE_KEYS -> value (JSON-able), the API's own fields.
        'server_attributes': fields.JsonField(default={}),
        'tags': fields.ListOfStringsField(default=[]),
    })
    _db_fields = _PLAIN

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if tuple(int(p) for p in target_version.split('.')) < (1, 1):
            primitive.pop('server_attributes', None)
            primitive.pop('tags', None)

    def attribute(self, name, default=None):
        """One of ATTRIBUTE_KEYS, ``default`` when never set."""
        attrs = (self.server_attributes
                 if self.obj_attr_is_set('server_attributes') else {})
        value = (attrs or {}).get(name)
        return default if value is None else value

    def set_attributes(self, **values):
        """Set ATTRIBUTE_KEYS entries (a None value removes one)."""
        unknown = set(values) - set(ATTRIBUTE_KEYS)
        if unknown:
            raise ValueError('unknown server attributes %s'
                             % sorted(unknown))
        attrs = dict(self.server_attributes
                     if self.obj_attr_is_set('server_attributes') else {})
        for name, value in values.items():
            if value is None:
                attrs.pop(name, None)
            else:
                attrs[name] = value
        self.server_attributes = attrs

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        """``obj`` filled from ``db_obj``: a model row, or a Core row of
        ``_by_uuid`` (the same names)."""
        fields = cls.fields
        state = obj.__dict__
        for name in _PLAIN:
            value = getattr(db_obj, name)
            if name in ('deleted', 'locked'):
                value = bool(value)
            if '_obj_' + name in state:
                # Already set: the setter checks read-only fields.
                setattr(obj, name, value)
            else:
                # What the setter stores, without its bookkeeping (the
                # changes are reset below).
                state['_obj_' + name] = fields[name].coerce(obj, name, value)
        obj.metadata = jsonutils.loads(db_obj.metadata_json or '{}')
        obj.server_attributes = jsonutils.loads(
            db_obj.server_attributes or '{}')
        obj.tags = [t for t in (db_obj.tags or '').split(',') if t]
        obj.flavor = _flavor_of(db_obj)
        obj._context = context
        obj.obj_reset_changes()
        return obj

    def _db_values(self):
        # What changed, asked once: obj_what_changed looks at every field
        # (and into the flavor) each time.
        changed = self.obj_what_changed()
        values = {name: getattr(self, name) for name in changed
                  if name not in ('id', 'flavor', 'deleted')}
        if 'metadata' in values:
            values['metadata_json'] = jsonutils.dumps(values.pop('metadata'))
        if 'server_attributes' in changed:
            values['server_attributes'] = jsonutils.dumps(
                self.server_attributes or {})
        if 'tags' in changed:
            values['tags'] = (',%s,' % ','.join(self.tags)
                              if self.tags else None)
        if 'flavor' in changed:
            values['flavor'] = (jsonutils.dumps(self.flavor.snapshot())
                                if self.flavor else None)
        return values

    @staticmethod
    def _select(context):
        return base.read_deleted_filter(sa.select(models.Instance),
                                        models.Instance, context)

    @classmethod
    def get_by_uuid(cls, context, uuid):
        with session.reader(context) as db:
            return cls.read_in(db, context, uuid)

    @classmethod
    def read_in(cls, db, context, uuid):
        """``get_by_uuid`` in the caller's transaction ``db``: a Core
        read, no ORM object made (it costs more than the row)."""
        row = db.connection().execute(_by_uuid(context),
                                      {'b_uuid': uuid}).first()
        if row is None:
            raise exception.InstanceNotFound(instance_id=uuid)
        return cls._from_db_object(context, cls(), row)

    @staticmethod
    def claim_task(db, uuid, task_state, vm_states, now):
        """Give server ``uuid`` the task ``task_state`` if it has none and
        its vm_state is one of ``vm_states``, in the caller's transaction
        ``db``: a compare-and-swap (one UPDATE), so of two racing requests
        one wins and the other gets UnexpectedTaskStateError, as
        ``save(expected_task_state=[None], expected_vm_state=...)``.
        The caller updates its object (``updated_at`` is ``now``)."""
        conn = db.connection()
        result = conn.execute(_CLAIM, {
            'b_uuid': uuid, 'b_vm_states': list(vm_states),
            'b_task_state': task_state, 'b_updated_at': now})
        if result.rowcount != 1:
            _refuse(uuid, [None], conn.execute(_STATE_NOW,
                                               {'b_uuid': uuid}).first())

    def create(self):
        if self.obj_attr_is_set('id'):
            raise exception.ObjectActionError(action='create',
                                              reason='already created')
        values = self._db_values()
        with session.writer(self._context) as db:
            row = models.Instance(**values)
            db.add(row)
            db.flush()
            self._from_db_object(self._context, self, row)

    def save(self, expected_task_state=None, expected_vm_state=None):
        """Write the changed fields.

        With ``expected_task_state`` (a value or a list of values) the write
        happens only if the row's task_state is still one of them: a
        compare-and-swap, so two racing requests cannot both win.
        """
        values = self._db_values()
        if not values:
            return
        values['updated_at'] = timeutils.utcnow()
        query = sa.update(models.Instance).where(
            models.Instance.uuid == self.uuid, models.Instance.deleted == 0)
        if expected_task_state is not None:
            expected = (list(expected_task_state)
                        if isinstance(expected_task_state, (list, tuple))
                        else [expected_task_state])
            conds = [models.Instance.task_state == v
                     for v in expected if v is not None]
            if None in expected:
                conds.append(models.Instance.task_state.is_(None))
            query = query.where(sa.or_(*conds))
        if expected_vm_state is not None:
            query = query.where(models.Instance.vm_state.in_(
                expected_vm_state if isinstance(expected_vm_state,
                                                (list, tuple))
                else [expected_vm_state]))
        with session.writer(self._context) as db:
            result = db.execute(query.values(**values))
            if result.rowcount != 1:
                # The row as it is now (locked, and not the copy a caller
                # may have read earlier in this transaction): the state
                # that made the compare-and-swap fail.
                row = db.scalars(sa.select(models.Instance).where(
                    models.Instance.uuid == self.uuid).with_for_update(
                ).execution_options(populate_existing=True)).first()
                _refuse(self.uuid, expected_task_state, row)
        self.updated_at = values['updated_at']
        self.obj_reset_changes()

    def refresh(self):
        self._copy_from(self.get_by_uuid(self._context, self.uuid))

    def destroy(self):
        with session.writer(self._context) as db:
            db.execute(sa.update(models.Instance).where(
                models.Instance.uuid == self.uuid).values(
                    vm_state=DELETED, task_state=None,
                    terminated_at=timeutils.utcnow(),
                    **base.soft_delete_values(self.id)))
        self.deleted = True
        self.vm_state = DELETED
        self.task_state = None
        self.obj_reset_changes()

    def as_guest(self):
        """The plain dict a virt driver is given about this instance."""
        flavor = self.flavor
        return {
            'uuid': self.uuid, 'name': self.display_name or self.uuid,
            'vcpus': self.vcpus or 0, 'memory_mb': self.memory_mb or 0,
            'root_gb': self.root_gb or 0,
            'ephemeral_gb': self.ephemeral_gb or 0,
            'extra_specs': dict(flavor.extra_specs) if flavor else {},
            'metadata': dict(self.metadata or {}),
        }


def _has_tag(tag):
    # Tags are stored ',a,b,'; a tag has no comma. LIKE wildcards in the
    # tag are escaped.
    escaped = tag.replace('\\', '\\\\').replace('%', '\\%').replace(
        '_', '\\_')
    return sa.func.coalesce(models.Instance.tags, '').like(
        '%%,%s,%%' % escaped, escape='\\')


def _tag_filters(query, filters):
    """Nova's tag filters, each a list of tags: 'tags' (has all),
    'tags-any' (has one), 'not-tags' (lacks one at least), 'not-tags-any'
    (has none)."""
    tags = filters.pop('tags', None)
    if tags:
        query = query.where(sa.and_(*[_has_tag(t) for t in tags]))
    tags = filters.pop('tags-any', None)
    if tags:
        query = query.where(sa.or_(*[_has_tag(t) for t in tags]))
    tags = filters.pop('not-tags', None)
    if tags:
        query = query.where(sa.not_(sa.and_(*[_has_tag(t) for t in tags])))
    tags = filters.pop('not-tags-any', None)
    if tags:
        query = query.where(sa.not_(sa.or_(*[_has_tag(t) for t in tags])))
    return query


_SORT_KEYS = {'created_at', 'updated_at', 'display_name', 'uuid', 'id',
              'host', 'node', 'vm_state', 'task_state', 'project_id',
              'user_id'}


@base.register
class InstanceList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('Instance')}

    @classmethod
    def get_by_filters(cls, context, filters=None, sort_key='created_at',
                       sort_dir='desc', limit=None, marker=None,
                       after=None):
        """Instances matching ``filters`` (column -> value or list; plus
        'changes-since'/'changes-before' on updated_at and 'name' as a
        substring of display_name), sorted, after ``marker`` (a uuid)."""
        filters = dict(filters or {})
        if sort_key not in _SORT_KEYS:
            raise exception.InvalidSortKey(key=sort_key)
        model = models.Instance
        query = Instance._select(context)
        since = filters.pop('changes-since', None)
        before = filters.pop('changes-before', None)
        if since:
            query = query.where(model.updated_at >= since)
        if before:
            query = query.where(model.updated_at <= before)
        name = filters.pop('name', None)
        if name:
            query = query.where(model.display_name.contains(name))
        query = _tag_filters(query, filters)
        for key, value in filters.items():
            column = getattr(model, key)
            if isinstance(value, (list, tuple, set)):
                query = query.where(column.in_(list(value)))
            else:
                query = query.where(column == value)
        with session.reader(context) as db:
            # A deleted server still marks where a page ended.
            # ``after``: an edge (sort key and id) in place of a marker
            # row, for a page that began in another cell.
            marker_row = after if after is not None else base.find_marker(
                db, model, marker, model.uuid == marker)
            query = base.sort_and_page(query, model, sort_key, sort_dir,
                                       marker_row, limit)
            rows = db.scalars(query).all()
            return cls._from_db_list(context, Instance, rows)

    @classmethod
    def get_by_host(cls, context, host):
        return cls.get_by_filters(context, {'host': host})

    @classmethod
    def flavors_by_uuid(cls, context, uuids):
        """{uuid: (instance_type_id, Flavor or None)} of those of
        ``uuids`` that exist, in one query: a host's usage (read at every
        claim and refresh) loaded a whole Instance for each migration
        coming to the host."""
        if not uuids:
            return {}
        model = models.Instance
        query = base.read_deleted_filter(
            sa.select(model.uuid, model.instance_type_id, model.flavor),
            model, context).where(model.uuid.in_(sorted(set(uuids))))
        with session.reader(context) as db:
            rows = db.execute(query).all()
        return {row.uuid: (row.instance_type_id, _flavor_of(row))
                for row in rows}

    @classmethod
    def usage_by_hosts(cls, context, hosts, uuids=()):
        """({host: (vcpus, memory_mb, disk_gb, count)} of the instances on
        each of ``hosts``, summed by the database (zeros for a host with
        none), {uuid: host} of those of ``uuids`` on one of them): two
        queries whatever the number of hosts. The scheduler asks at every
        boot and move: building an Instance per row made each ask grow
        with the hosts' instances (a boot took ~160 ms of CPU at 1,000
        servers), and a query per host with the hosts."""
        model = models.Instance
        hosts = sorted(set(hosts))
        where = (model.host.in_(hosts),)
        totals = base.read_deleted_filter(sa.select(
            model.host,
            sa.func.coalesce(sa.func.sum(model.vcpus), 0),
            sa.func.coalesce(sa.func.sum(model.memory_mb), 0),
            sa.func.coalesce(sa.func.sum(
                sa.func.coalesce(model.root_gb, 0) +
                sa.func.coalesce(model.ephemeral_gb, 0)), 0),
            sa.func.count(model.id)), model, context).where(
                *where).group_by(model.host)
        usage = {host: (0, 0, 0, 0) for host in hosts}
        located = {}
        with session.reader(context) as db:
            for host, vcpus, memory, disk, count in db.execute(totals):
                usage[host] = (int(vcpus), int(memory), int(disk),
                               int(count))
            if uuids:
                located = dict(db.execute(base.read_deleted_filter(
                    sa.select(model.uuid, model.host), model,
                    context).where(*where, model.uuid.in_(
                        sorted(set(uuids))))).all())
        return usage, located
