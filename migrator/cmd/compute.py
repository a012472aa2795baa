"""migrator-compute: owns one host, its guests and its migrations."""
import sys

from oslo_config import cfg

from migrator.cmd import common

CONF = cfg.CONF


def main(argv=None):
    argv = argv or sys.argv
    common.parse_args(argv, 'migrator-compute: manages the guests of one '
                            'host through its virt driver ([DEFAULT] '
                            'compute_driver); listens on the "compute" '
                            'RPC topic as server [DEFAULT] host.')
    common.require_service_settings()

    def build():
        from migrator.compute import manager
        from migrator import service
        return [service.Service(CONF.host, 'migrator-compute', 'compute',
                                manager.ComputeManager(CONF.host))]

    common.run_service('migrator-compute', build)


if __name__ == '__main__':
    main()
