"""migrator-manage flavor: flavors (sizes of server) in the API
database."""
from oslo_utils import uuidutils

from migrator.cmd import common
from migrator.cmd.manage.base import action
from migrator.cmd.manage.base import args
from migrator.cmd.manage.base import CommandFailed
from migrator.cmd.manage.base import db_guard
from migrator.cmd.manage.base import print_table
from migrator.cmd.manage.base import SUCCESS
from migrator import context as migrator_context
from migrator import exception


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
    @db_guard('api_database')
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
    @db_guard('api_database')
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
    @db_guard('api_database')
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
