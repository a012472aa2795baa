"""Models and Alembic migrations agree, and db sync is idempotent, on
SQLite, MariaDB and PostgreSQL.

Each test creates a throw-away database on the server and drops it
afterwards. MariaDB and PostgreSQL must be running (127.0.0.1:3306 as
root, 127.0.0.1:5432 as postgres, or MIGRATOR_TEST_MYSQL_URL /
MIGRATOR_TEST_POSTGRESQL_URL): a test fails, naming the server and how to
start it, when one is down. It is never skipped.
"""
import pprint

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from migrator.db.api import models as api_models
from migrator.db.main import models as main_models
from migrator.db import migration
from migrator.db import session
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures

METADATA = {'api': api_models.BASE.metadata,
            'main': main_models.BASE.metadata}


class _SchemaTest:
    """Mixin: a throw-away database of BACKEND for SCHEMA."""
    BACKEND = None
    SCHEMA = None

    def setUp(self):
        super().setUp()
        self.url = self.useFixture(
            migrator_fixtures.TempDatabase(self.BACKEND)).url
        self.addCleanup(session.reset)

    def get_engine(self):
        return session.engine_for(self.url)


class _ModelsMigrationsSync(_SchemaTest,
                            test_migrations.ModelsMigrationsSync):

    def db_sync(self, engine):
        migration.db_sync(self.SCHEMA, self.url)

    def get_metadata(self):
        return METADATA[self.SCHEMA]

    def include_object(self, object_, name, type_, reflected, compare_to):
        # Alembic's own bookkeeping table is not a model.
        return not (type_ == 'table' and name == 'alembic_version')

    def test_models_sync(self):
        # oslo.db's version also drops every object afterwards; the whole
        # throw-away database goes here, so compare only.
        self.db_sync(self.get_engine())
        with self.get_engine().connect() as conn:
            context = alembic_migration.MigrationContext.configure(
                conn, opts={
                    'include_object': self.include_object,
                    'compare_type': self.compare_type,
                    'compare_server_default': self.compare_server_default,
                })
            diff = self.filter_metadata_diff(
                autogenerate.compare_metadata(context, self.get_metadata()))
        message = 'Models and migrations of the %s schema differ on %s:\n%s'
        self.assertEqual([], diff, message % (self.SCHEMA, self.BACKEND,
                                              pprint.pformat(diff)))


class _SyncIdempotent(_SchemaTest):
    def _tables(self):
        return sorted(sa.inspect(self.get_engine()).get_table_names())

    def test_sync_twice(self):
        self.assertIsNone(migration.db_version(self.SCHEMA, self.url))
        migration.db_sync(self.SCHEMA, self.url)
        head = migration.head_version(self.SCHEMA)
        self.assertEqual(head, migration.db_version(self.SCHEMA, self.url))
        tables = self._tables()
        self.assertTrue(set(METADATA[self.SCHEMA].tables) <= set(tables))
        migration.db_sync(self.SCHEMA, self.url)
        self.assertEqual(head, migration.db_version(self.SCHEMA, self.url))
        self.assertEqual(tables, self._tables())

    def test_progress_columns_are_big_integers(self):
        if self.SCHEMA != 'main':
            return
        migration.db_sync(self.SCHEMA, self.url)
        columns = {c['name']: c for c in sa.inspect(
            self.get_engine()).get_columns('migrations')}
        for name in ('memory_total', 'memory_processed', 'memory_remaining',
                     'disk_total', 'disk_processed', 'disk_remaining'):
            self.assertTrue(columns[name]['nullable'], name)
            self.assertIsInstance(columns[name]['type'], sa.BigInteger,
                                  name)

    def test_one_index_on_instance_mapping_uuid(self):
        # The unique constraint's index serves lookups by instance uuid;
        # a second index on the column only doubles the cost of every
        # mapping written (map_instances at a million instances).
        if self.SCHEMA != 'api':
            return
        migration.db_sync(self.SCHEMA, self.url)
        inspector = sa.inspect(self.get_engine())
        plain = [i['name'] for i in inspector.get_indexes('instance_mappings')
                 if i['column_names'] == ['instance_uuid']
                 and not i.get('unique')]
        unique = [c['name'] for c in inspector.get_unique_constraints(
            'instance_mappings') if c['column_names'] == ['instance_uuid']]
        self.assertEqual([], plain)
        self.assertEqual(['uniq_instance_mappings0instance_uuid'], unique)


def _make(base_cls, backend, schema):
    name = 'Test%s%s%s' % (base_cls.__name__.strip('_'),
                           backend.capitalize(), schema.capitalize())
    return type(name, (base_cls, base.TestCase),
                {'BACKEND': backend, 'SCHEMA': schema,
                 '__module__': __name__})


for _backend in ('sqlite', 'mysql', 'postgresql'):
    for _schema in ('api', 'main'):
        for _base in (_ModelsMigrationsSync, _SyncIdempotent):
            _cls = _make(_base, _backend, _schema)
            globals()[_cls.__name__] = _cls
del _backend, _schema, _base, _cls
