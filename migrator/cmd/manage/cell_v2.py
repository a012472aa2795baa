"""migrator-manage cell_v2: cell mappings (cell0 and the cells), the host
mappings of their compute hosts and the instance mappings of their
instances, with Nova's arguments and exit codes."""
from oslo_config import cfg
from oslo_db import exception as db_exc
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
from migrator.cmd.manage.base import UNEXPECTED
from migrator.cmd.manage import map_instances as map_instances_cmd
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
          help='Print the transport URLs and database connections with '
               'their passwords in clear. Without it (the default) every '
               'password is masked as ****; use --verbose only where the '
               'output is neither logged nor shared.')
    @db_guard('api_database')
    def list_cells(self, verbose=False):
        """List the cell mappings, by name, passwords masked (--verbose
        shows them)."""
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

    @action('update_cell')
    @args('--cell_uuid', metavar='<cell_uuid>', required=True,
          help='The cell to update.')
    @args('--name', metavar='<cell_name>', help='A new name.')
    @args('--transport-url', metavar='<transport_url>',
          dest='transport_url',
          help='A new message queue (default: [DEFAULT] transport_url). '
               'Running services see it after a restart.')
    @args('--database_connection', metavar='<database_connection>',
          help='A new database (default: [database] connection). Running '
               'services see it after a restart.')
    @args('--disable', action='store_true',
          help='Disable the cell: no new instances are scheduled to it.')
    @args('--enable', action='store_true', help='Enable the cell.')
    @db_guard('api_database')
    def update_cell(self, cell_uuid, name=None, transport_url=None,
                    database_connection=None, disable=False, enable=False):
        """Change a cell mapping. Exit 1 if the cell is not found, 2 if it
        cannot be saved, 3 if another cell uses the transport URL or
        database, 4 for --disable with --enable, 5 to disable or enable
        cell0."""
        from migrator.objects import cell_mapping as cell_obj
        common.require('api_database', 'connection', 'the API database URL')
        ctxt = migrator_context.get_admin_context()
        cell = _cell_or_fail(ctxt, cell_uuid)
        transport_url = transport_url or CONF.transport_url
        database_connection = (database_connection or
                               CONF.database.connection)
        for other in cell_obj.CellMappingList.get_all(ctxt):
            if other.uuid != cell.uuid and (
                    other.transport_url == transport_url or
                    other.database_connection == database_connection):
                raise CommandFailed(
                    'The transport URL and/or database connection is '
                    'already used by cell %s.' % other.identity, code=3)
        if disable and enable:
            raise CommandFailed('A cell cannot be disabled and enabled at '
                                'once.', code=4)
        if (disable or enable) and cell.is_cell0:
            raise CommandFailed('cell0 cannot be disabled or enabled.',
                                code=5)
        if name:
            cell.name = name
        if transport_url and not cell.is_cell0:
            cell.transport_url = transport_url
        if database_connection and not cell.is_cell0:
            cell.database_connection = database_connection
        if disable or enable:
            if cell.disabled == bool(disable):
                print('Cell %s is already %s.' % (
                    cell.uuid, 'disabled' if disable else 'enabled'))
            cell.disabled = bool(disable)
        try:
            cell.save()
        except Exception as exc:
            raise CommandFailed('Unable to update cell %s: %s'
                                % (cell.uuid, first_line(exc)), code=2)
        return SUCCESS

    @action('delete_cell')
    @args('--cell_uuid', metavar='<cell_uuid>', required=True,
          help='The cell to delete.')
    @args('--force', action='store_true',
          help='Also delete its host mappings and the instance mappings '
               'of its deleted instances (never a living instance\'s).')
    @db_guard('api_database')
    def delete_cell(self, cell_uuid, force=False):
        """Delete an empty cell. Exit 1 if it is not found, 2 if hosts are
        mapped to it (without --force), 3 if it has living instances, 4 if
        only deleted instances keep mappings to it (without --force)."""
        from migrator.db.api import models as api_models
        from migrator.db import session
        from migrator.objects import instance as instance_obj
        import sqlalchemy as sa
        common.require('api_database', 'connection', 'the API database URL')
        ctxt = migrator_context.get_admin_context()
        cell = _cell_or_fail(ctxt, cell_uuid)
        with session.api_reader(ctxt) as db:
            hosts = db.scalar(sa.select(sa.func.count()).where(
                api_models.HostMapping.cell_id == cell.id))
            mappings = db.scalar(sa.select(sa.func.count()).where(
                api_models.InstanceMapping.cell_id == cell.id,
                api_models.InstanceMapping.project_id !=
                map_instances_cmd.mapper_db.MARKER_PROJECT_ID))
        if hosts and not force:
            raise CommandFailed('There are hosts mapped to cell %s.'
                                % cell.uuid, code=2)
        if mappings:
            with migrator_context.target_cell(ctxt, cell) as cctxt:
                living = instance_obj.InstanceList.get_by_filters(
                    cctxt, {}, limit=1)
            if len(living):
                raise CommandFailed('There are instances in cell %s.'
                                    % cell.uuid, code=3)
            if not force:
                raise CommandFailed(
                    'Deleted instances of cell %s still have instance '
                    'mappings; rerun with --force to delete them.'
                    % cell.uuid, code=4)
        with session.api_writer(ctxt) as db:
            for model in (api_models.InstanceMapping,
                          api_models.HostMapping):
                db.execute(sa.delete(model).where(model.cell_id == cell.id))
            db.execute(sa.delete(api_models.CellMapping).where(
                api_models.CellMapping.id == cell.id))
        print('Deleted cell %s.' % cell.identity)
        return SUCCESS

    @action('discover_hosts')
    @args('--cell_uuid', metavar='<cell_uuid>',
          help='Only discover the hosts of this cell.')
    @args('--verbose', action='store_true',
          help='Say what is looked at and mapped.')
    @args('--strict', action='store_true',
          help='Exit 1 when no new host was mapped.')
    @args('--by-service', action='store_true', dest='by_service',
          help='Find hosts by their migrator-compute services instead of '
               'their compute nodes (hosts that have no node yet).')
    @db_guard('api_database')
    def discover_hosts(self, cell_uuid=None, verbose=False, strict=False,
                       by_service=False):
        """Map the compute hosts of each cell (except cell0) that are not
        mapped yet, found by their compute nodes (or services with
        --by-service). Exit 2 if a host is already mapped to another
        cell."""
        from migrator.objects import cell_mapping as cell_obj
        from migrator.objects import compute_node as node_obj
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
                if by_service:
                    hosts = {s.host for s in service_obj.ServiceList.get_all(
                        cctxt, binary='migrator-compute')}
                else:
                    hosts = {n.host for n in
                             node_obj.ComputeNodeList.get_all(cctxt)}
            say('Found %d unmapped computes in cell: %s' % (
                len(hosts - set(mapped)), cell.uuid))
            for host in sorted(hosts):
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

    @action('map_instances')
    @args('--cell_uuid', metavar='<cell_uuid>', required=True,
          help='Map the unmapped instances of this cell to it.')
    @args('--max-count', metavar='<max_count>', dest='max_count',
          help='Look at no more than this many instances in this run, '
               'then exit 1 if more remain (the next run resumes there). '
               'Default: all of them.')
    @args('--reset', action='store_true',
          help='Start from the first instance instead of where the last '
               'run stopped.')
    @args('--batch-size', metavar='<batch_size>', dest='batch_size',
          type=int, default=None,
          help='Instances per batch, each one INSERT ... SELECT in one '
               'transaction (default: %d, or %d when the cell and API '
               'databases are on one MariaDB/MySQL server; migrator '
               'only).' % (map_instances_cmd.mapper_db.BATCH_SIZE,
                           map_instances_cmd.mapper_db.BATCH_SIZE_MYSQL))
    @db_guard('api_database', code=UNEXPECTED)
    def map_instances(self, cell_uuid, max_count=None, reset=False,
                      batch_size=None):
        """Create the instance mappings of a cell's instances that have
        none (deleted ones included, as Nova does), oldest first, a set at
        a time; a run can be stopped or killed and run again. Exit 0 when
        every instance is mapped, 1 when more remain after --max-count,
        127 for a bad --max-count, 255 for an unknown cell or a database
        that cannot be used."""
        common.require('api_database', 'connection', 'the API database URL')
        map_instances_cmd.parse_max_count(max_count)
        if batch_size is not None and batch_size < 1:
            raise CommandFailed('--batch-size must be positive',
                                code=map_instances_cmd.BAD_MAX_COUNT)
        from migrator.objects import cell_mapping as cell_obj
        ctxt = migrator_context.get_admin_context()
        cell = cell_obj.CellMapping.get_by_uuid(ctxt, cell_uuid)
        try:
            return map_instances_cmd.run(cell, max_count=max_count,
                                         reset=reset,
                                         batch_size=batch_size)
        except _DB_ERRORS as exc:
            raise CommandFailed(
                'ERROR: cannot map the instances of cell %s (database %s): '
                '%s' % (cell.identity,
                        mask_password(cell.database_connection),
                        first_line(exc)), code=UNEXPECTED)

    @action('verify_instance')
    @args('--uuid', metavar='<instance_uuid>', required=True,
          help='The instance to look for.')
    @args('--quiet', action='store_true', help='Print nothing.')
    @db_guard('api_database', code=UNEXPECTED)
    def verify_instance(self, uuid, quiet=False):
        """Say which cell an instance is mapped to. Exit 0 if it is mapped
        and in its cell, 1 if it has no mapping, 2 if its mapping has no
        cell yet, 3 if it is deleted, 4 if it is archived (gone from its
        cell) while its mapping remains."""
        from migrator.objects import instance as instance_obj
        from migrator.objects import instance_mapping as mapping_obj
        common.require('api_database', 'connection', 'the API database URL')
        say = (lambda *a: None) if quiet else print
        ctxt = migrator_context.get_admin_context()
        try:
            mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
                ctxt, uuid)
        except exception.InstanceMappingNotFound:
            say('Instance %s is not mapped to a cell (the upgrade is '
                'incomplete, or the instance does not exist).' % uuid)
            return 1
        cell = mapping.cell_mapping
        if cell is None:
            say('Instance %s is not mapped to a cell yet.' % uuid)
            return 2
        with migrator_context.target_cell(ctxt, cell) as cctxt, \
                cctxt.temporary_read_deleted('yes'):
            try:
                instance = instance_obj.Instance.get_by_uuid(cctxt, uuid)
            except exception.InstanceNotFound:
                say('Instance %s has been archived, but its instance '
                    'mapping to cell %s remains.' % (uuid, cell.identity))
                return 4
        if instance.deleted:
            say('Instance %s in cell %s has been deleted.'
                % (uuid, cell.identity))
            return 3
        say('Instance %s is in cell: %s (%s)'
            % (uuid, cell.name or '', cell.uuid))
        return SUCCESS

    @action('simple_cell_setup')
    @args('--transport-url', metavar='<transport_url>',
          dest='transport_url',
          help='Message queue of the cell (default: [DEFAULT] '
               'transport_url).')
    @db_guard('api_database')
    def simple_cell_setup(self, transport_url=None):
        """Set up a deployment with one cell: map cell0 and sync its
        schema, map the cell of [database] connection and its compute
        hosts, then map its instances. Exit 0 when done (or already set
        up), 1 when no compute host is reporting or the transport URL is
        missing or invalid."""
        from migrator.db import migration as db_migration
        from migrator.objects import cell_mapping as cell_obj
        from migrator.objects import compute_node as node_obj
        from migrator.objects import host_mapping as host_obj
        common.require('api_database', 'connection', 'the API database URL')
        common.require('database', 'connection', 'the cell database URL')
        transport_url = _valid_transport_url(transport_url)
        self.map_cell0()
        ctxt = migrator_context.get_admin_context()
        cell0 = cell_obj.CellMapping.get_by_uuid(ctxt, cell_obj.CELL0_UUID)
        db_migration.db_sync('main', cell0.database_connection)
        nodes = node_obj.ComputeNodeList.get_all(ctxt)
        if not len(nodes):
            raise CommandFailed('No hosts found to map to a cell, exiting.')
        cell = next((c for c in cell_obj.CellMappingList.get_all(ctxt)
                     if c.database_connection == CONF.database.connection),
                    None)
        if cell is None:
            cell = cell_obj.CellMapping(
                ctxt, uuid=uuidutils.generate_uuid(), name='cell1',
                transport_url=transport_url,
                database_connection=CONF.database.connection)
            cell.create()
            print('Created cell %s.' % cell.identity)
        for host in sorted({n.host for n in nodes}):
            try:
                host_obj.HostMapping(ctxt, host=host,
                                     cell_mapping=cell).create()
            except exception.HostMappingExists:
                continue
        return map_instances_cmd.run(cell)


_DB_ERRORS = (db_exc.DBError, sa.exc.OperationalError, sa.exc.ArgumentError,
              sa.exc.NoSuchModuleError, sa.exc.ProgrammingError)


def _cell_or_fail(ctxt, cell_uuid):
    from migrator.objects import cell_mapping as cell_obj
    try:
        return cell_obj.CellMapping.get_by_uuid(ctxt, cell_uuid)
    except exception.CellMappingNotFound:
        raise CommandFailed('Cell with uuid %s was not found.' % cell_uuid)


def _valid_transport_url(transport_url):
    transport_url = transport_url or CONF.transport_url
    if not transport_url:
        raise CommandFailed('give --transport-url or set [DEFAULT] '
                            'transport_url')
    try:
        messaging.TransportURL.parse(CONF, transport_url)
    except (messaging.InvalidTransportURL, ValueError) as exc:
        raise CommandFailed('invalid transport URL %s: %s' % (
            mask_password(transport_url), first_line(exc)))
    return transport_url
