"""migrator-conductor: runs the multi-host workflows."""
import sys

from oslo_config import cfg

from migrator.cmd import common

CONF = cfg.CONF


def main(argv=None):
    argv = argv or sys.argv
    common.parse_args(argv, 'migrator-conductor: runs live migrations and '
                            'other multi-host workflows; listens on the '
                            '"conductor" RPC topic.')
    common.require('DEFAULT', 'transport_url',
                   'set it to the message queue, e.g. '
                   'rabbit://guest:guest@127.0.0.1:5672/')
    common.require('database', 'connection', 'the cell database URL')
    common.require('api_database', 'connection', 'the API database URL')

    def build():
        from migrator.conductor import manager
        from migrator import service
        return [service.Service(CONF.host, 'migrator-conductor',
                                'conductor',
                                manager.ConductorManager(CONF.host))]

    common.run_service('migrator-conductor', build)


if __name__ == '__main__':
    main()
