"""Database options: [database] (the cell database, registered by oslo.db)
and [api_database] (the API database)."""
import copy

from oslo_config import cfg
from oslo_db import options as oslo_db_options

api_db_group = cfg.OptGroup(
    'api_database',
    help='The API database: cell, instance and host mappings, flavors.')


def _api_db_opts():
    opts = copy.deepcopy(oslo_db_options.database_opts)
    for opt in opts:
        if opt.name == 'connection':
            opt.help = ('SQLAlchemy URL of the API database, e.g. '
                        'mysql+pymysql://root@127.0.0.1/migrator_api.')
    return opts


api_db_opts = _api_db_opts()


def register_opts(conf):
    oslo_db_options.set_defaults(conf)
    conf.register_group(api_db_group)
    conf.register_opts(api_db_opts, group=api_db_group)


def list_opts():
    return {api_db_group: api_db_opts,
            'database': oslo_db_options.database_opts}
