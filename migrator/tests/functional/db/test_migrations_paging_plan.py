"""The os-migrations page query on SQLite uses the (deleted, created_at,
id) index for both the order and the marker: a page is a seek plus a
short range scan, whatever the table size, with or without ANALYZE.
(Timings are in benchmarks/bench_os_migrations_paging.py; this asserts
the plan only.)"""
import datetime

import sqlalchemy as sa
import testtools

from migrator import context as migrator_context
from migrator.db import session
from migrator.objects import migration as migration_obj
from migrator.tests.functional.api import fixtures as api_fixtures

T0 = datetime.datetime(2026, 1, 1)
MARKER = '00000000-0000-0000-0000-%012d' % 250


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
        seen = []

        def capture(conn, cursor, statement, parameters, context, many):
            if 'ORDER BY' in statement and 'FROM migrations' in statement:
                seen.append((statement, parameters))
        sa.event.listen(self.engine, 'before_cursor_execute', capture)
        self.addCleanup(sa.event.remove, self.engine,
                        'before_cursor_execute', capture)
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
