"""The os-migrations page query on SQLite uses the (deleted, created_at,
id) index for both the order and the marker: a page is a seek plus a
short range scan, whatever the table size, with or without ANALYZE.
(Timings are in benchmarks/bench_os_migrations_paging.py; this asserts
the plan only.)"""
import datetime

import sqlalchemy as sa
import testtools

from migrator import context as migrator_context
from migrator.db import migration
from migrator.db import session
from migrator.objects import migration as migration_obj
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.functional.api import fixtures as api_fixtures

T0 = datetime.datetime(2026, 1, 1)
MARKER = '00000000-0000-0000-0000-%012d' % 250


def capture_page_statements(test, engine):
    """A list that collects (statement, parameters) of every migrations
    page query ``engine`` runs until ``test`` ends."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, many):
        if 'ORDER BY' in statement and 'FROM migrations' in statement:
            seen.append((statement, parameters))
    sa.event.listen(engine, 'before_cursor_execute', capture)
    test.addCleanup(sa.event.remove, engine, 'before_cursor_execute',
                    capture)
    return seen


class TestPagingPlan(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(api_fixtures.APIFixture(
            flavors=False, computes=()))
        self.engine = session.engine_for(self.api.cell.database_connection)
        rows = [{'uuid': '00000000-0000-0000-0000-%012d' % i,
                 'status': 'completed',
                 'migration_type': 'live-migration', 'deleted': 0,
                 'hidden': False,
                 'created_at': T0 + datetime.timedelta(seconds=i // 2),
                 'updated_at': T0} for i in range(500)]
        table = sa.Table('migrations', sa.MetaData(),
                         autoload_with=self.engine)
        with self.engine.begin() as conn:
            conn.execute(table.insert(), rows)

    def _page_statements(self, **kwargs):
        seen = capture_page_statements(self, self.engine)
        ctxt = migrator_context.get_admin_context()
        with migrator_context.target_cell(ctxt, self.api.cell) as cctxt:
            page = migration_obj.MigrationList.get_by_filters(
                cctxt, {'hidden': False}, limit=20, **kwargs)
        self.assertEqual(20, len(page))
        return seen

    def _plan(self, statement, parameters):
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + statement,
                                        parameters).fetchall()
        return '\n'.join(str(row[-1]) for row in rows)

    def _assert_index_plan(self, plan):
        self.assertIn('migrations_deleted_created_at_id_idx', plan)
        self.assertNotIn('TEMP B-TREE', plan)   # no sort of the table
        self.assertNotIn('SCAN migrations\n', plan + '\n')

    def test_marker_page_seeks_the_index(self):
        (statement, parameters), = self._page_statements(marker=MARKER)
        plan = self._plan(statement, parameters)
        self._assert_index_plan(plan)
        # The marker bounds the range: a SEARCH on created_at, not a
        # SCAN of the whole index filtered row by row.
        self.assertIn('SEARCH', plan)
        self.assertIn('created_at<', plan.replace(' ', ''))

    def test_first_page_walks_the_index_in_order(self):
        (statement, parameters), = self._page_statements()
        self._assert_index_plan(self._plan(statement, parameters))

    def test_plan_holds_after_analyze(self):
        with self.engine.begin() as conn:
            conn.exec_driver_sql('ANALYZE')
        (statement, parameters), = self._page_statements(marker=MARKER)
        self._assert_index_plan(self._plan(statement, parameters))


class TestPagingPlanMySQL(base.TestCase):
    """On MariaDB the page after a marker is a range on (deleted,
    created_at) of the paging index, not a walk of ``deleted = 0`` from
    the newest row filtered row by row (whose cost grows with the depth
    of the page)."""

    def setUp(self):
        super().setUp()
        self.addCleanup(session.reset)
        url = self.useFixture(migrator_fixtures.TempDatabase('mysql')).url
        migration.db_sync('main', url)
        self.flags(group='database', connection=url)
        self.engine = session.engine_for(url)
        table = sa.Table('migrations', sa.MetaData(),
                         autoload_with=self.engine)
        rows = [{'uuid': '00000000-0000-0000-0000-%012d' % i,
                 'status': 'completed', 'migration_type': 'live-migration',
                 'deleted': 0, 'hidden': False,
                 'created_at': T0 + datetime.timedelta(seconds=i // 2),
                 'updated_at': T0} for i in range(2000)]
        with self.engine.begin() as conn:
            conn.execute(table.insert(), rows)
        with self.engine.connect() as conn:
            conn.execute(sa.text('ANALYZE TABLE migrations')).all()

    def _explain_page(self, filters, marker):
        seen = capture_page_statements(self, self.engine)
        ctxt = migrator_context.get_admin_context()
        page = migration_obj.MigrationList.get_by_filters(
            ctxt, filters, limit=20, marker=marker)
        self.assertEqual(20, len(page))
        (statement, parameters), = seen
        with self.engine.connect() as conn:
            return conn.exec_driver_sql(
                'EXPLAIN ' + statement, parameters).mappings().all()

    def test_marker_page_is_a_range_of_the_paging_index(self):
        marker = '00000000-0000-0000-0000-%012d' % 200
        plan, = self._explain_page({'hidden': False}, marker)
        self.assertEqual('migrations_deleted_created_at_id_idx',
                         plan['key'])
        self.assertEqual('range', plan['type'])
        # deleted (4 bytes) and created_at: the range is on both.
        self.assertGreater(int(plan['key_len']), 4)
        self.assertNotIn('filesort', plan['Extra'] or '')

    def test_instance_filter_keeps_its_own_index_choice(self):
        # A selective filter is left to the optimizer (no forced index).
        marker = '00000000-0000-0000-0000-%012d' % 200
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE migrations SET instance_uuid = "
                "'11111111-1111-1111-1111-111111111111' WHERE id <= 300"))
        seen = capture_page_statements(self, self.engine)
        migration_obj.MigrationList.get_by_filters(
            migrator_context.get_admin_context(),
            {'instance_uuid': '11111111-1111-1111-1111-111111111111'},
            limit=20, marker=marker)
        self.assertNotIn('FORCE INDEX', seen[0][0])
