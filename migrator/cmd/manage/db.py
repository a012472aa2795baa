"""migrator-manage db and api_db: the schemas of the cell and API
databases."""
from oslo_config import cfg

from migrator.cmd import common
from migrator.cmd.manage.base import action
from migrator.cmd.manage.base import args
from migrator.cmd.manage.base import db_guard
from migrator.cmd.manage.base import FAILURE
from migrator.cmd.manage.base import first_line
from migrator.cmd.manage.base import mask_password
from migrator.cmd.manage.base import SUCCESS
from migrator import context as migrator_context
from migrator import exception

CONF = cfg.CONF


# -- db / api_db ---------------------------------------------------------

class _SchemaCommands:
    SCHEMA = None
    LABEL = None
    GROUP = None

    def _sync(self, version, url=None, label=None):
        from migrator.db import migration
        label = label or self.LABEL
        head = migration.head_version(self.SCHEMA)
        before = migration.db_version(self.SCHEMA, url)
        migration.db_sync(self.SCHEMA, url, version)
        after = migration.db_version(self.SCHEMA, url)
        suffix = ' (head)' if after == head else ''
        if before == after:
            print('The %s is at revision %s%s: nothing to do.'
                  % (label, after, suffix))
        else:
            print('Upgraded the %s from %s to revision %s%s.'
                  % (label, ('revision %s' % before) if before
                     else 'an empty database', after, suffix))

    def _version(self):
        from migrator.db import migration
        current = migration.db_version(self.SCHEMA)
        print(current if current else
              'None (the %s has not been synced)' % self.LABEL)
        return SUCCESS


class DbCommands(_SchemaCommands):
    """Schema of the cell database ([database] connection)."""
    SCHEMA = 'main'
    LABEL = 'cell database'
    GROUP = 'database'

    @action('sync')
    @args('--version', metavar='<revision>',
          help='Alembic revision to upgrade to (default: the newest).')
    @args('--local_cell', action='store_true',
          help='Only sync [database] connection, not cell0 as well.')
    def sync(self, version=None, local_cell=False):
        """Create or upgrade the cell database schema; cell0 as well
        when it is mapped. Running it again changes nothing."""
        common.require('database', 'connection', 'the cell database URL, '
                       'e.g. mysql+pymysql://root@127.0.0.1/migrator')
        if not local_cell:
            code = self._sync_cell0(version)
            if code:
                return code
        db_guard('database')(self._sync)(version)
        return SUCCESS

    def _sync_cell0(self, version):
        from migrator.objects import cell_mapping as cell_obj
        if not CONF.api_database.connection:
            print('[api_database] connection is not set: not syncing '
                  'cell0.')
            return SUCCESS
        ctxt = migrator_context.get_admin_context()
        try:
            cell0 = cell_obj.CellMapping.get_by_uuid(ctxt,
                                                     cell_obj.CELL0_UUID)
        except exception.CellMappingNotFound:
            print('cell0 is not mapped yet (migrator-manage cell_v2 '
                  'map_cell0): not syncing cell0.')
            return SUCCESS
        except Exception as exc:
            print('ERROR: could not read the cell mappings from '
                  '[api_database] connection %s (has "migrator-manage '
                  'api_db sync" been run?): %s' % (
                      mask_password(CONF.api_database.connection),
                      first_line(exc)))
            return FAILURE
        try:
            self._sync(version, cell0.database_connection,
                       'cell0 database')
        except Exception as exc:
            print('ERROR: could not sync cell0 at %s (has its database '
                  'been created?): %s' % (
                      mask_password(cell0.database_connection),
                      first_line(exc)))
            return FAILURE
        return SUCCESS

    @action('version')
    @db_guard('database')
    def version(self):
        """Print the revision of the cell database schema."""
        common.require('database', 'connection', 'the cell database URL')
        return self._version()


class ApiDbCommands(_SchemaCommands):
    """Schema of the API database ([api_database] connection)."""
    SCHEMA = 'api'
    LABEL = 'API database'
    GROUP = 'api_database'

    @action('sync')
    @args('--version', metavar='<revision>',
          help='Alembic revision to upgrade to (default: the newest).')
    @db_guard('api_database')
    def sync(self, version=None):
        """Create or upgrade the API database schema. Running it again
        changes nothing."""
        common.require('api_database', 'connection', 'the API database '
                       'URL, e.g. mysql+pymysql://root@127.0.0.1/'
                       'migrator_api')
        self._sync(version)
        return SUCCESS

    @action('version')
    @db_guard('api_database')
    def version(self):
        """Print the revision of the API database schema."""
        common.require('api_database', 'connection', 'the API database URL')
        return self._version()
