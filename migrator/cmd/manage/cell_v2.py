"""migrator-manage cell_v2: cell mappings (cell0 and the cells) and the
host mappings of their compute hosts."""
from oslo_config import cfg
import oslo_messaging as messaging
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from migrator.cmd import common
from migrator.cmd.manage.base import action
from migrator.cmd.manage.base import args
from migrator.cmd.manage.base import CommandFailed
from migrator.cmd.manage.base import db_guard
from migrator.cmd.manage.base import first_line
from migrator.cmd.manage.base import mask_password
from migrator.cmd.manage.base import print_table
from migrator.cmd.manage.base import SUCCESS
from migrator import context as migrator_context
from migrator import exception

CONF = cfg.CONF

CELL0_NAME = 'cell0'
CELL0_TRANSPORT_URL = 'none:///'


# -- cell_v2 --------------------------------------------------------------

def _cell0_default_connection():
    """[database] connection with "_cell0" added to the database name
    (for SQLite, before the file's extension)."""
    url = sa_url.make_url(CONF.database.connection)
    database = url.database or ''
    if url.get_backend_name() == 'sqlite' and '.' in \
            database.rsplit('/', 1)[-1]:
        stem, ext = database.rsplit('.', 1)
        database = '%s_cell0.%s' % (stem, ext)
    else:
        database += '_cell0'
    return url.set(database=database).render_as_string(hide_password=False)


class CellV2Commands:
    """Cells v2: where each cell's database and message queue are, and
    which compute hosts belong to which cell."""

    @action('map_cell0')
    @args('--database_connection', metavar='<database_connection>',
          help='Database of cell0 (default: [database] connection with '
               '"_cell0" added to the database name).')
    @db_guard('api_database')
    def map_cell0(self, database_connection=None):
        """Create the cell0 mapping, where instances that fail before
        they are scheduled are kept. Does nothing if it exists."""
        from migrator.objects import cell_mapping as cell_obj
        common.require('api_database', 'connection', 'the API database URL')
        if not database_connection and not CONF.database.connection:
            raise CommandFailed('give --database_connection or set '
                                '[database] connection')
        ctxt = migrator_context.get_admin_context()
        try:
            cell_obj.CellMapping.get_by_uuid(ctxt, cell_obj.CELL0_UUID)
            print('Cell0 is already setup.')
            return SUCCESS
        except exception.CellMappingNotFound:
            pass
        try:
            connection = database_connection or _cell0_default_connection()
        except sa.exc.ArgumentError as exc:
            raise CommandFailed('invalid [database] connection: %s'
                                % first_line(exc))
        cell = cell_obj.CellMapping(
            ctxt, uuid=cell_obj.CELL0_UUID, name=CELL0_NAME,
            transport_url=CELL0_TRANSPORT_URL,
            database_connection=connection)
        cell.create()
        print('Mapped cell0 to %s.' % mask_password(connection))
        return SUCCESS

    @action('create_cell')
    @args('--name', metavar='<cell_name>', help='A name for the cell.')
    @args('--transport-url', metavar='<transport_url>',
          dest='transport_url',
          help='Message queue of the cell (default: [DEFAULT] '
               'transport_url).')
    @args('--database_connection', metavar='<database_connection>',
          help='Database of the cell (default: [database] connection).')
    @args('--verbose', action='store_true',
          help='Print the UUID of the new cell.')
    @args('--disabled', action='store_true',
          help='Create the cell disabled: no new instances go to it.')
    @db_guard('api_database')
    def create_cell(self, name=None, transport_url=None,
                    database_connection=None, verbose=False,
                    disabled=False):
        """Map a new cell. Exit 1 if the transport URL or database
        connection is missing or invalid, 2 if another cell already uses
        either of them."""
        from migrator.objects import cell_mapping as cell_obj
        common.require('api_database', 'connection', 'the API database URL')
        transport_url = transport_url or CONF.transport_url
        if not transport_url:
            raise CommandFailed('give --transport-url or set [DEFAULT] '
                                'transport_url')
        try:
            messaging.TransportURL.parse(CONF, transport_url)
        except (messaging.InvalidTransportURL, ValueError) as exc:
            raise CommandFailed('invalid transport URL %s: %s' % (
                mask_password(transport_url), first_line(exc)))
        database_connection = (database_connection or
                               CONF.database.connection)
        if not database_connection:
            raise CommandFailed('give --database_connection or set '
                                '[database] connection')
        try:
            sa_url.make_url(database_connection)
        except sa.exc.ArgumentError as exc:
            raise CommandFailed('invalid database connection %s: %s' % (
                mask_password(database_connection), first_line(exc)))
        ctxt = migrator_context.get_admin_context()
        for cell in cell_obj.CellMappingList.get_all(ctxt):
            if (cell.transport_url == transport_url or
                    cell.database_connection == database_connection):
                raise CommandFailed(
                    'The transport URL and/or database connection is '
                    'already used by cell %s.' % cell.identity, code=2)
        cell = cell_obj.CellMapping(
            ctxt, uuid=uuidutils.generate_uuid(), name=name,
            transport_url=transport_url,
            database_connection=database_connection, disabled=disabled)
        cell.create()
        if verbose:
            print(cell.uuid)
        return SUCCESS

    @action('list_cells')
    @args('--verbose', action='store_true',
          help='Show passwords in the URLs instead of masking them.')
    @db_guard('api_database')
    def list_cells(self, verbose=False):
        """List the cell mappings, by name."""
        from migrator.objects import cell_mapping as cell_obj
        common.require('api_database', 'connection', 'the API database URL')
        cells = cell_obj.CellMappingList.get_all(
            migrator_context.get_admin_context())
        show = (lambda url: url) if verbose else mask_password
        rows = [[c.name or '', c.uuid, show(c.transport_url),
                 show(c.database_connection), c.disabled]
                for c in sorted(cells, key=lambda c: c.name or '')]
        print_table(['Name', 'UUID', 'Transport URL', 'Database Connection',
                     'Disabled'], rows)
        return SUCCESS

    @action('discover_hosts')
    @args('--cell_uuid', metavar='<cell_uuid>',
          help='Only discover the hosts of this cell.')
    @args('--verbose', action='store_true',
          help='Say what is looked at and mapped.')
    @args('--strict', action='store_true',
          help='Exit 1 when no new host was mapped.')
    @db_guard('api_database')
    def discover_hosts(self, cell_uuid=None, verbose=False, strict=False):
        """Map the hosts of the compute services of each cell (except
        cell0) that are not mapped yet. Exit 2 if a host is already mapped
        to another cell."""
        from migrator.objects import cell_mapping as cell_obj
        from migrator.objects import host_mapping as host_obj
        from migrator.objects import service as service_obj
        common.require('api_database', 'connection', 'the API database URL')
        say = print if verbose else (lambda *a: None)
        ctxt = migrator_context.get_admin_context()
        if cell_uuid:
            cells = [cell_obj.CellMapping.get_by_uuid(ctxt, cell_uuid)]
        else:
            cells = cell_obj.CellMappingList.get_all(ctxt)
            say('Found %d cell mappings.' % len(cells))
        mapped = {m.host: m.cell_mapping.uuid
                  for m in host_obj.HostMappingList.get_all(ctxt)}
        added = []
        for cell in cells:
            if cell.is_cell0:
                say('Skipping cell0 since it does not contain hosts.')
                continue
            say('Getting computes from cell %s' % cell.identity)
            with migrator_context.target_cell(ctxt, cell) as cctxt:
                services = service_obj.ServiceList.get_all(
                    cctxt, binary='migrator-compute')
            for host in sorted({s.host for s in services}):
                owner = mapped.get(host)
                if owner == cell.uuid:
                    continue
                if owner is not None:
                    raise CommandFailed(
                        'ERROR: host %s of cell %s is already mapped to '
                        'cell %s.' % (host, cell.uuid, owner), code=2)
                say('Creating host mapping for host %s in cell %s'
                    % (host, cell.identity))
                try:
                    host_obj.HostMapping(ctxt, host=host,
                                         cell_mapping=cell).create()
                except exception.HostMappingExists as exc:
                    raise CommandFailed(
                        'ERROR: duplicate host mapping (is another '
                        'discover_hosts running?): %s'
                        % exc.format_message(), code=2)
                mapped[host] = cell.uuid
                added.append(host)
        say('Mapped %d new host(s).' % len(added))
        if strict:
            return int(not added)
        return SUCCESS
