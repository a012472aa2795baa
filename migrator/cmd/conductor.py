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
    common.require_service_settings()

    def build():
        from migrator.conductor import manager
        from migrator import service
        return [service.Service(CONF.host, 'migrator-conductor',
                                'conductor',
                                manager.ConductorManager(CONF.host))]

    common.run_service('migrator-conductor', build)


if __name__ == '__main__':
    main()
