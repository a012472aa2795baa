"""Flavor: a size of server, kept in the API database."""
import sqlalchemy as sa

from migrator.db.api import models
from migrator.db import session
from migrator import exception
from migrator.objects import base
from migrator.objects import fields

_PLAIN = ('id', 'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb',
          'ephemeral_gb', 'swap', 'rxtx_factor', 'disabled', 'is_public',
          'description', 'created_at', 'updated_at')


@base.register
class Flavor(base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = {
        'id': fields.IntegerField(),
        'flavorid': fields.StringField(),
        'name': fields.StringField(),
        'memory_mb': fields.IntegerField(),
        'vcpus': fields.IntegerField(),
        'root_gb': fields.IntegerField(default=0),
        'ephemeral_gb': fields.IntegerField(default=0),
        'swap': fields.IntegerField(default=0),
        'rxtx_factor': fields.FloatField(default=1.0),
        'disabled': fields.BooleanField(default=False),
        'is_public': fields.BooleanField(default=True),
        'description': fields.StringField(nullable=True),
        'extra_specs': fields.DictOfStringsField(default={}),
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
    }

    @classmethod
    def _from_db_object(cls, context, obj, db_obj):
        for name in _PLAIN:
            setattr(obj, name, db_obj[name])
        obj.extra_specs = {spec.key: spec.value
                           for spec in db_obj.extra_specs}
        obj._context = context
        obj.obj_reset_changes()
        return obj

    # A copy of the flavor travels with each instance (its JSON column).
    def snapshot(self):
        return {name: getattr(self, name) for name in
                ('id', 'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb',
                 'ephemeral_gb', 'swap', 'rxtx_factor', 'extra_specs',
                 'description', 'is_public', 'disabled')
                if self.obj_attr_is_set(name)}

    @classmethod
    def from_snapshot(cls, values):
        flavor = cls(**values)
        flavor.obj_reset_changes()
        return flavor

    @classmethod
    def _get_by(cls, context, column, value, not_found_id):
        with session.api_reader(context) as db:
            row = db.scalars(sa.select(models.Flavor).where(
                column == value)).first()
            if row is None:
                raise exception.FlavorNotFound(flavor_id=not_found_id)
            return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_by_flavor_id(cls, context, flavorid):
        return cls._get_by(context, models.Flavor.flavorid, flavorid,
                           flavorid)

    @classmethod
    def get_by_id(cls, context, flavor_id):
        return cls._get_by(context, models.Flavor.id, flavor_id, flavor_id)

    @classmethod
    def get_by_name(cls, context, name):
        return cls._get_by(context, models.Flavor.name, name, name)

    def create(self):
        values = {k: v for k, v in self.obj_get_changes().items()
                  if k not in ('id', 'extra_specs')}
        specs = self.extra_specs if self.obj_attr_is_set('extra_specs') \
            else {}
        with session.api_writer(self._context) as db:
            for column in ('flavorid', 'name'):
                if db.scalars(sa.select(models.Flavor).where(
                        getattr(models.Flavor, column) ==
                        values[column])).first():
                    raise exception.FlavorExists(field=column,
                                                 value=values[column])
            row = models.Flavor(**values)
            row.extra_specs = [models.FlavorExtraSpec(key=k, value=v)
                               for k, v in specs.items()]
            db.add(row)
            db.flush()
            self._from_db_object(self._context, self, row)

    def update_extra_specs(self, updates=None, remove=()):
        with session.api_writer(self._context) as db:
            row = db.get(models.Flavor, self.id)
            if row is None:
                raise exception.FlavorNotFound(flavor_id=self.flavorid)
            current = {spec.key: spec for spec in row.extra_specs}
            for key in remove:
                if key not in current:
                    raise exception.FlavorExtraSpecNotFound(
                        flavor_id=self.flavorid, key=key)
                row.extra_specs.remove(current.pop(key))
            for key, value in (updates or {}).items():
                if key in current:
                    current[key].value = value
                else:
                    row.extra_specs.append(
                        models.FlavorExtraSpec(key=key, value=value))
            db.flush()
            self._from_db_object(self._context, self, row)

    def save(self):
        values = {k: v for k, v in self.obj_get_changes().items()
                  if k in ('description', 'disabled', 'is_public')}
        if values:
            with session.api_writer(self._context) as db:
                db.execute(sa.update(models.Flavor).where(
                    models.Flavor.id == self.id).values(**values))
        self.obj_reset_changes()

    def destroy(self):
        with session.api_writer(self._context) as db:
            row = db.get(models.Flavor, self.id)
            if row is None:
                raise exception.FlavorNotFound(flavor_id=self.flavorid)
            db.delete(row)


_SORT_KEYS = {'created_at', 'description', 'disabled', 'ephemeral_gb',
              'flavorid', 'id', 'is_public', 'memory_mb', 'name',
              'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpus'}


@base.register
class FlavorList(base.ObjectListBase, base.MigratorObject):
    # Version 1.0: Initial version
    VERSION = '1.0'
    fields = {'objects': fields.ListOfObjectsField('Flavor')}

    @classmethod
    def get_all(cls, context, is_public=True, min_memory_mb=None,
                min_root_gb=None, sort_key='flavorid', sort_dir='asc',
                limit=None, marker=None):
        """Flavors; ``is_public`` None lists public and private ones."""
        if sort_key not in _SORT_KEYS:
            raise exception.InvalidSortKey(key=sort_key)
        model = models.Flavor
        query = sa.select(model)
        if is_public is not None:
            query = query.where(model.is_public == bool(is_public))
        if min_memory_mb is not None:
            query = query.where(model.memory_mb >= min_memory_mb)
        if min_root_gb is not None:
            query = query.where(model.root_gb >= min_root_gb)
        with session.api_reader(context) as db:
            marker_row = base.find_marker(db, model, marker,
                                          model.flavorid == marker)
            query = base.sort_and_page(query, model, sort_key, sort_dir,
                                       marker_row, limit)
            return cls._from_db_list(context, Flavor,
                                     db.scalars(query).all())
