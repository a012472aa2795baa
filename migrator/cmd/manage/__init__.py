"""migrator-manage: set up and inspect a migrator deployment.

Commands come in categories, as in nova-manage::

    migrator-manage db sync [--version REV] [--local_cell] | version
    migrator-manage api_db sync [--version REV] | version
    migrator-manage flavor create NAME --ram MB --vcpus N [...] | list |
                           delete ID_OR_NAME
    migrator-manage service list
    migrator-manage cell_v2 map_cell0 | create_cell | list_cells |
                            update_cell | delete_cell | discover_hosts |
                            map_instances | verify_instance |
                            simple_cell_setup

Each command prints what it did and returns an exit code; a bad or missing
setting is reported on one line that names it.
"""
import sys

from oslo_config import cfg
from oslo_log import log as logging

from migrator.cmd import common
from migrator.cmd.manage import base
from migrator.cmd.manage import cell_v2
from migrator.cmd.manage import db
from migrator.cmd.manage import flavors
from migrator.cmd.manage import services
from migrator import exception

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# What migrator-manage offered as one module, still importable from here.
SUCCESS = base.SUCCESS
FAILURE = base.FAILURE
UNEXPECTED = base.UNEXPECTED
args = base.args
action = base.action
mask_password = base.mask_password
print_table = base.print_table
CommandFailed = base.CommandFailed
DbCommands = db.DbCommands
ApiDbCommands = db.ApiDbCommands
FlavorCommands = flavors.FlavorCommands
ServiceCommands = services.ServiceCommands
CELL0_NAME = cell_v2.CELL0_NAME
CELL0_TRANSPORT_URL = cell_v2.CELL0_TRANSPORT_URL
CellV2Commands = cell_v2.CellV2Commands
_cell0_default_connection = cell_v2._cell0_default_connection


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
    # At a prompt an unreachable database should be an answer in seconds,
    # not after oslo.db's ten retries 10 s apart (a config file may still
    # ask for more).
    for group in ('database', 'api_database'):
        CONF.set_default('max_retries', 2, group=group)
        CONF.set_default('retry_interval', 1, group=group)
    common.parse_args(argv, 'migrator-manage: database schemas, flavors, '
                            'services and cells of a migrator deployment.',
                      cli_opts=[category_opt])
    fn = CONF.category.action_fn
    kwargs = {name: getattr(CONF.category, 'action_kwarg_' + name)
              for name in CONF.category.action_kwargs}
    try:
        return fn(**kwargs)
    except base.CommandFailed as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except exception.MigratorException as exc:
        print('ERROR: %s' % exc.format_message(), file=sys.stderr)
        return base.UNEXPECTED
    except Exception as exc:
        LOG.debug('%s %s failed', CONF.category.name, CONF.category.action,
                  exc_info=True)
        print('ERROR: unexpected %s: %s' % (type(exc).__name__,
                                            base.first_line(exc)),
              file=sys.stderr)
        return base.UNEXPECTED
