"""migrator-manage: set up and inspect a migrator deployment.

Commands come in categories, as in nova-manage::

    migrator-manage db sync [--version REV] [--local_cell] | version
    migrator-manage api_db sync [--version REV] | version
    migrator-manage flavor create NAME --ram MB --vcpus N [...] | list |
                           delete ID_OR_NAME
    migrator-manage service list
    migrator-manage cell_v2 map_cell0 | create_cell | list_cells |
                            discover_hosts

Each command prints what it did and returns an exit code; a bad or missing
setting is reported on one line that names it.
"""
import functools
import re
import sys

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import uuidutils
import prettytable
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from migrator.cmd import common
from migrator import context as migrator_context
from migrator import exception

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Exit codes shared by every command (cell_v2 commands add Nova's own).
SUCCESS = 0
FAILURE = 1
UNEXPECTED = 255

CELL0_NAME = 'cell0'
CELL0_TRANSPORT_URL = 'none:///'


def args(*flags, **kwargs):
    """Declare one argparse argument of a command (decorator)."""
    def decorate(func):
        func.__dict__.setdefault('args', []).insert(0, (flags, kwargs))
        return func
    return decorate


def action(name):
    """Expose a method as the command ``name`` of its category."""
    def decorate(func):
        func.action_name = name
        return func
    return decorate


def mask_password(url):
    """``url`` with the password of each ``user:password@`` replaced."""
    if not url:
        return url
    return re.sub(r'([/,][^:/@,]*):([^@/]+)@', r'\1:****@', url)


def print_table(field_names, rows):
    table = prettytable.PrettyTable(field_names)
    table.align = 'l'
    for row in rows:
        table.add_row(row)
    print(table)


class CommandFailed(Exception):
    """A command cannot go on; the message is printed and ``code`` is the
    exit code."""

    def __init__(self, message, code=FAILURE):
        super().__init__(message)
        self.code = code


def _db_guard(group):
    """Turn a failure to reach the database of ``[group] connection`` into
    one line that names the setting."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*a, **kw):
            try:
                return func(*a, **kw)
            except exception.ConfigurationError as exc:
                raise CommandFailed(exc.format_message(), code=2)
            except (db_exc.DBError, sa.exc.OperationalError,
                    sa.exc.ArgumentError, sa.exc.NoSuchModuleError,
                    ImportError) as exc:
                connection = getattr(getattr(CONF, group), 'connection')
                raise CommandFailed(
                    'cannot use [%s] connection %s: %s' % (
                        group, mask_password(connection),
                        _first_line(exc)))
        return wrapper
    return decorate


def _first_line(exc):
    text = str(getattr(exc, 'inner_exception', None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        _db_guard('database')(self._sync)(version)
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
                      _first_line(exc)))
            return FAILURE
        try:
            self._sync(version, cell0.database_connection,
                       'cell0 database')
        except Exception as exc:
            print('ERROR: could not sync cell0 at %s (has its database '
                  'been created?): %s' % (
                      mask_password(cell0.database_connection),
                      _first_line(exc)))
            return FAILURE
        return SUCCESS

    @action('version')
    @_db_guard('database')
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
    @_db_guard('api_database')
    def sync(self, version=None):
        """Create or upgrade the API database schema. Running it again
        changes nothing."""
        common.require('api_database', 'connection', 'the API database '
                       'URL, e.g. mysql+pymysql://root@127.0.0.1/'
                       'migrator_api')
        self._sync(version)
        return SUCCESS

    @action('version')
    @_db_guard('api_database')
    def version(self):
        """Print the revision of the API database schema."""
        common.require('api_database', 'connection', 'the API database URL')
        return self._version()


# -- flavor ---------------------------------------------------------------

def _flavor_rows(flavors):
    for f in flavors:
        props = ', '.join('%s=%s' % kv for kv in sorted(
            f.extra_specs.items()))
        yield [f.flavorid, f.name, f.memory_mb, f.root_gb, f.ephemeral_gb,
               f.swap, f.vcpus, f.is_public, props]


_FLAVOR_COLUMNS = ['ID', 'Name', 'RAM', 'Disk', 'Ephemeral', 'Swap',
                   'VCPUs', 'Is Public', 'Properties']


def _non_negative(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


_non_negative.__name__ = 'non-negative integer'
_positive.__name__ = 'positive integer'


class FlavorCommands:
    """Flavors (sizes of server) in the API database."""

    @action('create')
    @args('name', metavar='<name>', help='Name of the new flavor.')
    @args('--ram', metavar='<MiB>', type=_positive, required=True,
          help='Memory in MiB.')
    @args('--vcpus', metavar='<count>', type=_positive, required=True,
          help='Number of virtual CPUs.')
    @args('--disk', metavar='<GiB>', type=_non_negative, default=0,
          help='Root disk in GiB (default 0).')
    @args('--ephemeral', metavar='<GiB>', type=_non_negative, default=0,
          help='Ephemeral disk in GiB (default 0).')
    @args('--swap', metavar='<MiB>', type=_non_negative, default=0,
          help='Swap in MiB (default 0).')
    @args('--id', metavar='<flavor-id>', dest='flavorid', default=None,
          help='Flavor ID (default: a generated UUID).')
    @args('--private', action='store_true',
          help='Make the flavor private (not listed for other projects).')
    @args('--property', metavar='<key=value>', action='append',
          dest='properties', default=None,
          help='An extra spec; repeat for several.')
    @_db_guard('api_database')
    def create(self, name, ram, vcpus, disk=0, ephemeral=0, swap=0,
               flavorid=None, private=False, properties=None):
        """Create a flavor and print it."""
        from migrator.objects import flavor as flavor_obj
        common.require('api_database', 'connection', 'the API database URL')
        specs = {}
        for prop in properties or []:
            key, sep, value = prop.partition('=')
            if not sep or not key:
                raise CommandFailed('--property %r is not key=value' % prop)
            specs[key] = value
        flavor = flavor_obj.Flavor(
            migrator_context.get_admin_context(), name=name,
            flavorid=flavorid or uuidutils.generate_uuid(),
            memory_mb=ram, vcpus=vcpus, root_gb=disk,
            ephemeral_gb=ephemeral, swap=swap, is_public=not private,
            extra_specs=specs)
        try:
            flavor.create()
        except exception.FlavorExists as exc:
            raise CommandFailed(exc.format_message())
        print_table(_FLAVOR_COLUMNS, _flavor_rows([flavor]))
        return SUCCESS

    @action('list')
    @_db_guard('api_database')
    def list_flavors(self):
        """List every flavor, public and private."""
        from migrator.objects import flavor as flavor_obj
        common.require('api_database', 'connection', 'the API database URL')
        flavors = flavor_obj.FlavorList.get_all(
            migrator_context.get_admin_context(), is_public=None)
        print_table(_FLAVOR_COLUMNS, _flavor_rows(flavors))
        return SUCCESS

    @action('delete')
    @args('flavor', metavar='<id-or-name>',
          help='Flavor ID, or name, of the flavor to delete.')
    @_db_guard('api_database')
    def delete(self, flavor):
        """Delete a flavor (servers keep their copy of it)."""
        from migrator.objects import flavor as flavor_obj
        common.require('api_database', 'connection', 'the API database URL')
        ctxt = migrator_context.get_admin_context()
        try:
            found = flavor_obj.Flavor.get_by_flavor_id(ctxt, flavor)
        except exception.FlavorNotFound:
            try:
                found = flavor_obj.Flavor.get_by_name(ctxt, flavor)
            except exception.FlavorNotFound as exc:
                raise CommandFailed(exc.format_message())
        found.destroy()
        print('Deleted flavor %s (%s).' % (found.flavorid, found.name))
        return SUCCESS


# -- service --------------------------------------------------------------

class ServiceCommands:
    """Services recorded in the cell database."""

    @action('list')
    @_db_guard('database')
    def list_services(self):
        """List services: host, binary, enabled or disabled, up or down
        (heartbeat within [DEFAULT] service_down_time), last heartbeat
        and service version."""
        from migrator.objects import service as service_obj
        common.require('database', 'connection', 'the cell database URL')
        services = service_obj.ServiceList.get_all(
            migrator_context.get_admin_context())
        rows = []
        for svc in services:
            seen = svc.last_seen_up
            rows.append([svc.host, svc.binary,
                         'disabled' if svc.disabled else 'enabled',
                         'up' if svc.is_up else 'down',
                         seen.strftime('%Y-%m-%d %H:%M:%S') if seen
                         else '-', svc.version])
        print_table(['Host', 'Binary', 'Status', 'State', 'Updated At',
                     'Version'], rows)
        return SUCCESS


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
    @_db_guard('api_database')
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
                                % _first_line(exc))
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
    @_db_guard('api_database')
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
                mask_password(transport_url), _first_line(exc)))
        database_connection = (database_connection or
                               CONF.database.connection)
        if not database_connection:
            raise CommandFailed('give --database_connection or set '
                                '[database] connection')
        try:
            sa_url.make_url(database_connection)
        except sa.exc.ArgumentError as exc:
            raise CommandFailed('invalid database connection %s: %s' % (
                mask_password(database_connection), _first_line(exc)))
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
    @_db_guard('api_database')
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
    @_db_guard('api_database')
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


CATEGORIES = {
    'db': DbCommands,
    'api_db': ApiDbCommands,
    'flavor': FlavorCommands,
    'service': ServiceCommands,
    'cell_v2': CellV2Commands,
}


def _actions(command_object):
    for attr in sorted(dir(command_object)):
        fn = getattr(command_object, attr)
        name = getattr(fn, 'action_name', None)
        if name:
            yield name, fn


def _doc(obj):
    return ' '.join((obj.__doc__ or '').split())


def add_command_parsers(subparsers):
    for category in sorted(CATEGORIES):
        command_object = CATEGORIES[category]()
        parser = subparsers.add_parser(category, help=_doc(command_object),
                                       description=_doc(command_object))
        parser.set_defaults(command_object=command_object)
        actions = parser.add_subparsers(dest='action', metavar='<action>')
        actions.required = True
        for name, fn in _actions(command_object):
            doc = _doc(fn)
            sub = actions.add_parser(name, help=doc.split('. ')[0],
                                     description=doc)
            kwarg_names = []
            for flags, kwargs in getattr(fn, 'args', []):
                kwargs = dict(kwargs)
                dest = kwargs.get('dest') or flags[0].lstrip('-').replace(
                    '-', '_')
                kwarg_names.append(dest)
                kwargs['dest'] = 'action_kwarg_' + dest
                if not flags[0].startswith('-'):
                    # argparse takes a positional's dest from its name.
                    kwargs.pop('dest')
                    flags = ('action_kwarg_' + dest,)
                sub.add_argument(*flags, **kwargs)
            sub.set_defaults(action_fn=fn, action_kwargs=kwarg_names)


category_opt = cfg.SubCommandOpt('category', title='Command categories',
                                 help='Available categories',
                                 handler=add_command_parsers)


def main(argv=None):
    argv = list(argv or sys.argv)
    # Alembic says at INFO what each command already prints.
    logging.set_defaults(default_log_levels=(
        logging.get_default_log_levels() + ['alembic=WARN']))
    common.parse_args(argv, 'migrator-manage: database schemas, flavors, '
                            'services and cells of a migrator deployment.',
                      cli_opts=[category_opt])
    fn = CONF.category.action_fn
    kwargs = {name: getattr(CONF.category, 'action_kwarg_' + name)
              for name in CONF.category.action_kwargs}
    try:
        return fn(**kwargs)
    except CommandFailed as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except exception.MigratorException as exc:
        print('ERROR: %s' % exc.format_message(), file=sys.stderr)
        return UNEXPECTED
    except Exception as exc:
        LOG.debug('%s %s failed', CONF.category.name, CONF.category.action,
                  exc_info=True)
        print('ERROR: unexpected %s: %s' % (type(exc).__name__,
                                            _first_line(exc)),
              file=sys.stderr)
        return UNEXPECTED


if __name__ == '__main__':
    sys.exit(main())
