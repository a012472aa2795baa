"""Map a cell's instances in the API database, a set at a time.

``migrator-manage cell_v2 map_instances`` fills ``instance_mappings`` for
the instances of one cell that have none. Each batch is one statement in
the API database::

    INSERT INTO instance_mappings (...)
    SELECT ... FROM <instances> i
    LEFT JOIN instance_mappings m ON m.instance_uuid = i.uuid
    WHERE i.<key> > :low AND i.<key> <= :high AND m.id IS NULL
    <ignore a duplicate>

in a keyset order of the cell's instances (``KEYSET``): ``id`` (the order
they are stored in) on MariaDB and PostgreSQL, ``uuid`` (their unique
index) on SQLite, where each batch then fills one range of the mappings'
uuid indexes. Nova walks instances oldest first, 50 at a time.

On MariaDB/MySQL batches leave the anti-join out while they find nothing
mapped (a first run): an INSERT that reads its own table copies its whole
SELECT into a temporary table first, and ``INSERT IGNORE`` with the
unique constraint skips a mapping that exists all the same. A batch that
met one (a second run, or servers created meanwhile) makes the next ones
anti-join until one maps every instance it looked at. Batches there are
``BATCH_SIZE_MYSQL`` instances when the statement reads the cell's table.

Where ``<instances>`` comes from depends on where the two databases are:

``attach``
    SQLite files: the cell's file is ATTACHed to the API connection.
``cross-database``
    MariaDB/MySQL databases on the same server reached with the same
    account: the cell's table is named ``celldb.instances``.
``cross-schema``
    PostgreSQL: both URLs name the same database on the same server (the
    cell and API tables in different schemas, or the same one).
``stream``
    Anything else (different servers, or PostgreSQL databases, which
    cannot see each other): keyset pages of (uuid, project_id, user_id)
    are read from the cell and bulk-inserted into a temporary table of the
    API connection, which the same statement then reads (all of it: the
    page's bounds were drawn in the cell's collation).

Every batch also moves Nova's marker row in the same transaction: an
``instance_mappings`` row whose ``instance_uuid`` is the last instance
looked at with ``-`` replaced by `` ``, and whose ``project_id`` and
``user_id`` are ``INSTANCE_MIGRATION_MARKER`` (this module also records the
cell in its ``cell_id``, so that two cells keep their own). A run killed at
any point resumes after the last committed batch; the unique constraint on
``instance_uuid`` (and the ignore clause) make a concurrent run, or the API
creating servers meanwhile, harmless. Deleted instances are mapped too, as
Nova maps them (``queued_for_delete`` false, what Nova's mapping create
sets). Memory stays constant: no batch holds more than one page.
"""
import dataclasses
import time

from oslo_db import exception as db_exc
from oslo_log import log as logging
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from migrator.db import session

LOG = logging.getLogger(__name__)

MARKER_PROJECT_ID = 'INSTANCE_MIGRATION_MARKER'
# Nova maps 50 instances per batch; a set-based batch can be far larger
# and still hold no lock for long.
BATCH_SIZE = 20000
# MariaDB/MySQL when the statement reads the cell's table itself: each
# batch costs a commit, a read of its bounds and a probe of the mappings
# besides its rows, and 100,000 rows are still a few seconds' work. (A
# streamed page is held in memory, so it keeps BATCH_SIZE.)
BATCH_SIZE_MYSQL = 100000
# The keyset each database walks instances in. SQLite: uuid order, so
# that each batch fills one range of the mappings' uuid indexes (with
# per-batch commits, id order rewrote nearly every page of them each
# time). InnoDB and PostgreSQL: id order, reading instances in the order
# they are stored (uuid order reads them at random, slow once they
# outgrow the buffer pool), as the single INSERT ... SELECT does.
KEYSET = {'sqlite': 'uuid'}
# SQLite page cache of the API connection while mapping (KiB).
SQLITE_CACHE_KB = 32768
# A batch that meets a deadlock (two runs at once) is retried.
RETRIES = 5

ATTACH = 'attach'
CROSS_DATABASE = 'cross-database'
CROSS_SCHEMA = 'cross-schema'
STREAM = 'stream'


def to_marker(uuid):
    """Nova's stored form of a marker: it must not collide with the
    instance's own mapping, so ``-`` becomes a space."""
    return uuid.replace('-', ' ')


def from_marker(value):
    return value.replace(' ', '-')


@dataclasses.dataclass
class Batch:
    looked_at: int     # instances of the cell in this batch
    mapped: int        # mappings created by this batch
    last_uuid: str     # where it ended: the uuid the marker now names
    more: bool         # instances remain after it
    last_key: object   # where it ended, in keyset order


# MariaDB/MySQL errors two runs at once may meet: lock wait timeout,
# deadlock, and InnoDB's auto-increment read failing under a concurrent
# INSERT ... SELECT.
_RETRY_MYSQL_CODES = (1205, 1213, 1467)


def _retryable(exc):
    if isinstance(exc, db_exc.DBDeadlock):
        return True
    inner = getattr(exc, 'inner_exception', None) or exc
    orig = getattr(inner, 'orig', inner)
    args = getattr(orig, 'args', ())
    return bool(args) and args[0] in _RETRY_MYSQL_CODES


def _quote(conn, name):
    return conn.dialect.identifier_preparer.quote(name)


class InstanceMapper:
    """Maps the instances of the cell ``cell_id`` (its database at
    ``cell_url``) into the API database. Use as a context manager."""

    def __init__(self, cell_id, cell_url, batch_size=None):
        self.cell_id = cell_id
        self.cell_url = cell_url
        self.batch_size = batch_size
        self.strategy = None
        # MariaDB/MySQL: the next batch leaves the anti-join out.
        self._plain = False
        self._api = None
        self._cell = None
        self.key = None        # the keyset column: 'uuid' or 'id'
        self._src = None       # how the statement names the instances
        self._api_prefix = ''  # how it names instance_mappings

    # -- set-up -----------------------------------------------------------
    def __enter__(self):
        api_engine = session.api_engine()
        cell_engine = session.engine_for(self.cell_url)
        self._api = api_engine.connect()
        try:
            self._choose(api_engine, cell_engine)
        except Exception:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._api is not None:
            try:
                if self._api.in_transaction():
                    self._api.rollback()
                if self.strategy == ATTACH:
                    driver = self._api.connection.driver_connection
                    driver.execute('DETACH DATABASE migrator_cell')
                    driver.execute('PRAGMA main.synchronous = FULL')
                    driver.execute('PRAGMA main.cache_size = -2000')
                if self.strategy == STREAM:
                    # Its temporary table lives as long as the connection:
                    # a pooled one would hand it to the next run.
                    self._api.invalidate()
            except Exception:  # noqa: S110 - the connection is discarded
                self._api.invalidate()
            self._api.close()
            self._api = None
        if self._cell is not None:
            self._cell.close()
            self._cell = None

    def _choose(self, api_engine, cell_engine):
        self.key = KEYSET.get(cell_engine.dialect.name, 'id')
        if not self._choose_same_server(api_engine, cell_engine):
            self._stream_from(cell_engine)
        if self.batch_size is None:
            self.batch_size = (BATCH_SIZE_MYSQL if self.strategy ==
                               CROSS_DATABASE else BATCH_SIZE)
        self._plain = self._api.dialect.name == 'mysql'

    def _choose_same_server(self, api_engine, cell_engine):
        """Set up a strategy that reads the cell's instances through the
        API connection, if one applies; False otherwise."""
        api_url = api_engine.url
        cell_url = sa_url.make_url(self.cell_url)
        backend = api_url.get_backend_name()
        same_backend = backend == cell_url.get_backend_name()
        same_account = (api_url.host, api_url.port, api_url.username,
                        api_url.password) == (
            cell_url.host, cell_url.port, cell_url.username,
            cell_url.password)
        if same_backend and backend == 'sqlite' and cell_url.database \
                and cell_url.database != ':memory:':
            # ATTACH is refused inside a transaction: run it on the bare
            # driver connection before SQLAlchemy begins one.
            driver = self._api.connection.driver_connection
            driver.execute('ATTACH DATABASE ? AS migrator_cell',
                           (cell_url.database,))
            # Batches commit one after another: a page cache larger than
            # SQLite's 2 MB default keeps the mapping indexes' hot pages.
            driver.execute('PRAGMA main.cache_size = -%d' % SQLITE_CACHE_KB)
            # Each batch is idempotent and the marker moves with it, so a
            # batch lost to a power cut is simply done again: WAL's NORMAL
            # sync (no fsync per commit) is safe here.
            driver.execute('PRAGMA main.synchronous = NORMAL')
            self.strategy = ATTACH
            self._src = 'migrator_cell.instances'
            self._api_prefix = 'main.'
            return True
        if same_backend and same_account and backend == 'mysql':
            if self._can_read('%s.instances' % _quote(
                    self._api, cell_url.database)):
                self.strategy = CROSS_DATABASE
                self._src = '%s.instances' % _quote(self._api,
                                                    cell_url.database)
                self._api_prefix = '%s.' % _quote(
                    self._api, self._api.exec_driver_sql(
                        'SELECT DATABASE()').scalar())
                self._api.rollback()
                return True
        if same_backend and same_account and backend == 'postgresql' \
                and api_url.database == cell_url.database:
            with cell_engine.connect() as conn:
                cell_schema = conn.exec_driver_sql(
                    'SELECT current_schema()').scalar()
            api_schema = self._api.exec_driver_sql(
                'SELECT current_schema()').scalar()
            self._api.rollback()
            self.strategy = CROSS_SCHEMA
            self._src = '%s.instances' % _quote(self._api, cell_schema)
            self._api_prefix = '%s.' % _quote(self._api, api_schema)
            return True
        return False

    def _stream_from(self, cell_engine):
        self.strategy = STREAM
        self._cell = cell_engine.connect()
        self._api.exec_driver_sql(
            'CREATE TEMPORARY TABLE migrator_map_page ('
            'uuid VARCHAR(36) NOT NULL PRIMARY KEY, '
            'project_id VARCHAR(255), user_id VARCHAR(255))')
        self._api.commit()
        self._src = 'migrator_map_page'
        self._api_prefix = ''

    def _can_read(self, table):
        try:
            self._api.exec_driver_sql('SELECT 1 FROM %s LIMIT 1' % table)
            return True
        except sa.exc.DBAPIError as exc:
            LOG.info('Cannot read %s from the API connection (%s); '
                     'streaming instead', table, exc.orig)
            self._api.rollback()
            return False

    # -- reading the cell -------------------------------------------------
    def _cell_execute(self, sql, **params):
        """Run a read on the cell's instances: on the API connection when
        it sees them, else on the cell's own."""
        if self.strategy == STREAM:
            result = self._cell.execute(
                sa.text(sql.replace('{instances}', 'instances')), params)
        else:
            result = self._api.execute(
                sa.text(sql.replace('{instances}', self._src)), params)
        return result

    def _end_cell_read(self):
        if self.strategy == STREAM and self._cell.in_transaction():
            self._cell.rollback()

    def first_key(self):
        """The key before every instance's."""
        return '' if self.key == 'uuid' else 0

    def key_of(self, uuid):
        """The key of instance ``uuid`` (deleted or not), or None when
        it is not in the cell (archived)."""
        if self.key == 'uuid':
            return uuid
        try:
            return self._cell_execute(
                'SELECT id FROM {instances} WHERE uuid = :uuid',
                uuid=uuid).scalar()
        finally:
            self._end_cell_read()
            self._rollback_api_read()

    def count_after(self, low):
        """How many instances of the cell come after key ``low``."""
        low = self.first_key() if low is None else low
        try:
            return self._cell_execute(
                'SELECT count(*) FROM {instances} WHERE %s > :low'
                % self.key, low=low).scalar()
        finally:
            self._end_cell_read()
            self._rollback_api_read()

    def _rollback_api_read(self):
        if self.strategy != STREAM and self._api.in_transaction():
            self._api.rollback()

    # -- the marker -------------------------------------------------------
    def _marker_rows(self):
        return sa.text(
            'FROM %sinstance_mappings WHERE project_id = :marker AND '
            '(cell_id = :cell_id OR cell_id IS NULL)' % self._api_prefix)

    def read_marker(self):
        """The instance uuid of the marker row of this cell (or Nova's,
        without a cell), or None."""
        value = self._api.execute(
            sa.text('SELECT instance_uuid %s ORDER BY id DESC' %
                    self._marker_rows().text),
            {'marker': MARKER_PROJECT_ID, 'cell_id': self.cell_id}).scalar()
        self._api.rollback()
        return from_marker(value) if value else None

    def clear_marker(self):
        self._delete_marker()
        self._api.commit()

    def _delete_marker(self):
        self._api.execute(
            sa.text('DELETE %s' % self._marker_rows().text),
            {'marker': MARKER_PROJECT_ID, 'cell_id': self.cell_id})

    def _write_marker(self, uuid):
        self._delete_marker()
        self._api.execute(
            sa.text('INSERT INTO %sinstance_mappings (created_at, '
                    'instance_uuid, cell_id, project_id, user_id, '
                    'queued_for_delete) VALUES (:now, :uuid, :cell_id, '
                    ':marker, :marker, :false)' % self._api_prefix),
            {'now': timeutils.utcnow(), 'uuid': to_marker(uuid),
             'cell_id': self.cell_id, 'marker': MARKER_PROJECT_ID,
             'false': False})

    # -- one batch --------------------------------------------------------
    def _insert_sql(self, anti_join=True):
        dialect = self._api.dialect.name
        table = '%sinstance_mappings' % self._api_prefix
        verb = {'mysql': 'INSERT IGNORE INTO',
                'sqlite': 'INSERT OR IGNORE INTO'}.get(dialect, 'INSERT INTO')
        tail = (' ON CONFLICT (instance_uuid) DO NOTHING'
                if dialect == 'postgresql' else '')
        # A staged page is read whole; the cell's table by its bounds.
        bounds = ([] if self.strategy == STREAM else
                  ['i.{0} > :low AND i.{0} <= :high'.format(self.key)])
        join = ''
        if anti_join:
            join = 'LEFT JOIN %s m ON m.instance_uuid = i.uuid ' % table
            bounds.append('m.id IS NULL')
        where = ('WHERE %s' % ' AND '.join(bounds)) if bounds else ''
        return sa.text(
            '%s %s (created_at, instance_uuid, cell_id, project_id, '
            'user_id, queued_for_delete) '
            'SELECT :now, i.uuid, :cell_id, COALESCE(i.project_id, \'\'), '
            'i.user_id, :false FROM %s i %s%s%s'
            % (verb, table, self._src, join, where, tail))

    def map_batch(self, low, limit):
        """Map the next ``limit`` instances after key ``low`` (None: from
        the first); the marker moves in the same transaction. A Batch, or
        None when none is left."""
        low = self.first_key() if low is None else low
        for attempt in range(RETRIES):
            try:
                return self._map_batch(low, limit)
            except (db_exc.DBError, sa.exc.DBAPIError) as exc:
                if not _retryable(exc):
                    raise
                self._api.rollback()
                LOG.info('Conflict mapping the batch after %s (another '
                         'run?): %s; retrying', low, exc)
                time.sleep(0.1 * (attempt + 1))
        return self._map_batch(low, limit)

    def _map_batch(self, low, limit):
        key = self.key
        if self.strategy == STREAM:
            high, last_uuid, looked_at = self._stage_page(low, limit)
        else:
            edge = self._api.execute(sa.text(
                'SELECT %s, uuid FROM %s WHERE %s > :low ORDER BY %s '
                'LIMIT 1 OFFSET :skip' % (key, self._src, key, key)),
                {'low': low, 'skip': limit - 1}).first()
            looked_at = limit
            if edge is None:
                edge = self._api.execute(sa.text(
                    'SELECT %s, uuid FROM %s WHERE %s = (SELECT max(%s) '
                    'FROM %s WHERE %s > :low)' % (
                        key, self._src, key, key, self._src, key)),
                    {'low': low}).first()
                looked_at = None
            high, last_uuid = edge if edge is not None else (None, None)
        if high is None:
            self._api.rollback()
            return None
        anti_join = not self._plain
        mapped = self._api.execute(self._insert_sql(anti_join), {
            'now': timeutils.utcnow(), 'cell_id': self.cell_id,
            'false': False, 'low': low, 'high': high}).rowcount
        if looked_at is None:
            looked_at = self._api.execute(sa.text(
                'SELECT count(*) FROM %s WHERE %s > :low AND %s <= :high'
                % (self._src, key, key)),
                {'low': low, 'high': high}).scalar()
        if self._api.dialect.name == 'mysql':
            # MariaDB/MySQL copy the SELECT of an INSERT that reads its
            # own table into a temporary table first. While batches find
            # nothing mapped (a first run) the plain INSERT IGNORE does
            # without it; once one meets a mapping (a second run) the
            # next ones anti-join, until one maps all it looked at.
            self._plain = mapped >= looked_at
        more = self._more_after(high)
        if more:
            self._write_marker(last_uuid)
        else:
            self._delete_marker()
        if self.strategy == STREAM:
            self._api.exec_driver_sql('DELETE FROM migrator_map_page')
        self._api.commit()
        return Batch(looked_at, mapped, last_uuid, more, high)

    def _more_after(self, high):
        sql = 'SELECT 1 FROM %%s WHERE %s > :high LIMIT 1' % self.key
        if self.strategy == STREAM:
            found = self._cell.execute(sa.text(sql % 'instances'),
                                       {'high': high}).first()
            self._end_cell_read()
        else:
            found = self._api.execute(sa.text(sql % self._src),
                                      {'high': high}).first()
        return found is not None

    def _stage_page(self, low, limit):
        """Copy one keyset page of the cell's instances into the API
        connection's temporary table: (its last key, its last uuid, its
        size), or Nones when none is left."""
        rows = self._cell.execute(sa.text(
            'SELECT %s AS k, uuid, project_id, user_id FROM instances '
            'WHERE %s > :low ORDER BY %s LIMIT :limit'
            % (self.key, self.key, self.key)),
            {'low': low, 'limit': limit}).all()
        self._end_cell_read()
        if not rows:
            return None, None, 0
        self._api.execute(sa.text(
            'INSERT INTO migrator_map_page (uuid, project_id, user_id) '
            'VALUES (:uuid, :project_id, :user_id)'),
            [{'uuid': r.uuid, 'project_id': r.project_id,
              'user_id': r.user_id} for r in rows])
        return rows[-1].k, rows[-1].uuid, len(rows)
